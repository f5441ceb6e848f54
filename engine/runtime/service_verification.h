// Verifying a service as it runs now, through its runbook's verify hook, without changing it.
// This is how a deploy pipeline (or a cron job) asks "is it healthy, or should we roll back?".
#pragma once

#include <string>
#include <vector>

#include "runtime/rollback_runner.h"

namespace backstop {

struct Verification {
    bool healthy = false;
    std::string release;  // what `current` points to
    std::string message;
    RunRecord steps;      // the probes made, for display
};

Verification verify_service(const ServicePolicy& service, RunDependencies deps, RunObserver& observer);

// Who asked for a verification and why, for its record.
struct VerificationAsked {
    std::string actor;
    std::string reason;
};

// The record of a verification that changed nothing: `verified` when healthy, else `unhealthy`
// (a verification followed by a rollback is told by the rollback's record instead). Written to
// history, then announced on the channels that list its outcome and written again with the
// deliveries. `history_error` says why it could not be written; it is never thrown.
RunRecord record_verification(const Verification& v, const ServicePolicy& service, const std::vector<NotifyChannel>& channels,
                              RunDependencies deps, const VerificationAsked& asked, RunObserver& observer);

}  // namespace backstop
