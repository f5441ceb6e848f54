#include "runtime/run_step_names.h"

#include <algorithm>
#include <array>

namespace backstop {

namespace {
// In the order a run can take them; tests/runtime/run_step_names_test.cpp finds every name the
// runtime gives a step in its sources and checks that this list holds it.
constexpr std::array<std::string_view, 31> kRunStepNames = {
    "lock",    "leftovers", "guard",  "reconcile", "target",  "runbook", "level",  "escalate", "pre",    "stage",  "stop",
    "start",   "put-back",  "config", "volume",    "switch",  "restart", "health", "wait",     "verify", "manual", "post",
    "http",    "sleep",     "git",    "docker",    "systemd", "exec",    "signal", "notify",   "record",
};
}  // namespace

std::span<const std::string_view> run_step_names() { return kRunStepNames; }

bool is_run_step_name(std::string_view name) {
    return std::find(kRunStepNames.begin(), kRunStepNames.end(), name) != kRunStepNames.end();
}

}  // namespace backstop
