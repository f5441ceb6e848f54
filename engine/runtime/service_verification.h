// Verifying a service as it runs now, through its runbook's verify hook, without changing it.
// This is how a deploy pipeline (or a cron job) asks "is it healthy, or should we roll back?".
#pragma once

#include <string>

#include "runtime/rollback_runner.h"

namespace backstop {

struct Verification {
    bool healthy = false;
    std::string release;  // what `current` points to
    std::string message;
    RunRecord steps;      // the probes made, for display
};

Verification verify_service(const ServicePolicy& service, RunDependencies deps, RunObserver& observer);

}  // namespace backstop
