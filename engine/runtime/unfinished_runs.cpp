#include "runtime/unfinished_runs.h"

#include "core/service_key.h"

namespace backstop {

void mark_incomplete_runs(std::vector<RunRecord>& runs, LockManager& locks) {
    for (auto& r : runs) {
        if (r.outcome != Outcome::running) continue;
        auto holder = locks.current_holder(service_key(r.service, r.env));
        if (!holder || holder->run_id != r.run_id) {
            r.outcome = Outcome::incomplete;
            if (r.message.empty())
                r.message = "the run ended without recording its outcome (process killed, or history not writable?)";
        }
    }
}

std::vector<RunRecord> unfinished_runs(const std::vector<RunRecord>& runs, const std::string& service,
                                       const std::string& except_run_id) {
    std::vector<RunRecord> out;
    for (const auto& r : runs)
        if (service_key(r.service, r.env) == service && r.outcome == Outcome::running && r.run_id != except_run_id) out.push_back(r);
    return out;
}

namespace {
// What the version found says about how far the cut-off run got.
std::string what_was_found(const RunRecord& run, const std::string& found_on) {
    if (found_on.empty()) return "could not tell which version " + run.service + " runs";
    std::string found = "found " + run.service + " on " + found_on;
    if (!run.to.empty() && found_on == run.to) return found + ", the run's target: it switched; whether it verified is not known";
    if (found_on == run.from) return found + ", where the run started: it did not switch, or its switch was undone";
    return found + ", neither where the run started (" + run.from + ") nor its target (" + run.to + ")";
}
}  // namespace

RunRecord reconciled_run(RunRecord run, const std::string& found_on, const std::string& found_by, std::int64_t now_ms) {
    run.outcome = Outcome::unrecorded;
    run.ended_ms = now_ms;
    run.message = "the run's end was never recorded (its process died, or history could not be written); run " + found_by +
                  " " + what_was_found(run, found_on);
    run.steps.push_back({"reconcile", "by run " + found_by, StepStatus::ok, 0, what_was_found(run, found_on)});
    return run;
}

}  // namespace backstop
