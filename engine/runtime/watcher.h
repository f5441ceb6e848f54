// Watching a service: look at its sources, derive values, advance each trigger and, for one that
// fires, decide (trigger `then`, the service's decision rules or the default tree), check the
// guards (pause, cooldown) and act — a rollback through the RollbackRunner, a page, a wait for a
// hotfix — recording every decision, suppressed or not, with the values it was based on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/observation.h"
#include "decide/observation_window.h"
#include "decide/trigger_state.h"
#include "observe/source.h"
#include "policy/policy.h"
#include "runtime/rollback_runner.h"

namespace backstop {

// What one trigger did in one evaluation, for the terminal and `--json`.
struct TriggerReport {
    std::string service;
    std::string trigger;
    TriggerStep step = TriggerStep::quiet;
    std::string observed;  // the values its condition read: `consecutive_failures=3 failures=3`
    std::string action;    // what was decided, e.g. "rollback:fast"; empty when nothing fired
    std::string rule;      // which rule decided
    Outcome outcome = Outcome::no_action;
    std::string message;
    std::string run_id;    // of the history record, when one was written
};

struct WatchOptions {
    std::filesystem::path state_dir;  // STATE/watch (windows, trigger states) and STATE/paused
    bool dry_run = false;             // plan rollbacks, record nothing, keep no state
    std::string actor = "backstop";
};

class Watcher {
public:
    Watcher(const PolicySet& policies, RunDependencies deps, WatchOptions options);
    ~Watcher();

    // Observes each source of `service` that a trigger reads, then evaluates its triggers at `now_ms`.
    std::vector<TriggerReport> evaluate(const ServicePolicy& service, std::int64_t now_ms, RunObserver& observer);

private:
    struct ServiceState;
    ServiceState& state_of(const ServicePolicy& service);
    void save(const ServicePolicy& service, ServiceState& state);
    TriggerReport act(const ServicePolicy& service, const TriggerPolicy& trigger, ServiceState& state,
                      const std::string& observed, std::int64_t now_ms, RunObserver& observer);
    RunRecord record_decision(const ServicePolicy& service, const TriggerPolicy& trigger, Outcome outcome,
                              const std::string& message, const nlohmann::json& decision, std::int64_t now_ms);

    const PolicySet& policies_;
    RunDependencies deps_;
    WatchOptions options_;
    std::map<std::string, std::unique_ptr<ServiceState>> states_;
};

}  // namespace backstop
