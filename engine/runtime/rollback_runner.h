// One rollback run, start to end: lock → guard → target → pre → level (switch, restart) → verify
// → post → record. Dry-run and emergency are modes of this sequence, not separate code paths.
#pragma once

#include <string>

#include "core/env_template.h"
#include "core/history_store.h"
#include "core/run_record.h"
#include "core/service_lock.h"
#include "policy/policy.h"
#include "prim/http_client.h"
#include "prim/point_store.h"
#include "prim/process_runner.h"
#include "runtime/run_observer.h"
#include "runtime/run_request.h"
#include "runtime/step_recorder.h"

namespace backstop {

// The outside world a run touches, each behind its interface.
struct RunDependencies {
    ProcessRunner& processes;
    HttpClient& http;
    HistoryStore& history;
    LockManager& locks;
    std::string host;  // this machine's name, for history and lock holders
    long pid = 0;      // this process, for lock holders
    EnvLookup getenv = process_env();  // resolves "${env:NAME}" in [[notify]] channels
    PointStore* points = nullptr;      // rollback points, for --to rb-…; nullptr: none
};

class RollbackRunner {
public:
    RollbackRunner(const PolicySet& policies, RunDependencies deps) : policies_(policies), deps_(deps) {}

    // Never throws for a failed rollback: the record says how it ended (and `history_error` when
    // its end could not be written to history). Throws Error only when
    // the request names no known service. Once the run is recorded and its lock released, the
    // policies' [[notify]] channels are told and the record is written again with the deliveries;
    // a dry run only plans them.
    RunRecord run(const RunRequest& request, RunObserver& observer);

private:
    RunRecord run_steps(const RunRequest& request, RunObserver& observer);
    void notify(RunRecord& record, RunObserver& observer);
    void record_end(RunRecord& record, RunObserver& observer);
    void reconcile(const std::vector<RunRecord>& past, const RunRecord& record, const std::string& found_on,
                   StepRecorder& steps, bool dry);

    const PolicySet& policies_;
    RunDependencies deps_;
};

std::string new_run_id();

}  // namespace backstop
