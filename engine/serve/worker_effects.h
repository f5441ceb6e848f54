// The effects every service worker of `backstop serve` acts through: one set for the daemon, used
// from whichever pool thread runs a service's turn. Processes, history, locks and rollback points
// open what they need per call, so threads share them; HTTP goes through each thread's own client.
// The event spool is shared too: the daemon keeps events in it, the workers mark them evaluated.
#pragma once

#include <memory>

#include "core/history_store.h"
#include "core/service_lock.h"
#include "prim/point_store.h"
#include "prim/process_runner.h"
#include "runtime/rollback_runner.h"
#include "serve/event_spool.h"
#include "serve/service_worker.h"
#include "serve/thread_http_client.h"

namespace backstop {

class WorkerEffects {
public:
    explicit WorkerEffects(const WorkerSettings& settings);
    WorkerEffects(const WorkerEffects&) = delete;
    WorkerEffects& operator=(const WorkerEffects&) = delete;

    // References into this object: it must outlive every user.
    RunDependencies dependencies();
    EventSpool& spool() { return spool_; }

private:
    std::string host_;
    std::unique_ptr<ProcessRunner> processes_;
    ThreadHttpClient http_;
    std::unique_ptr<HistoryStore> history_;
    std::unique_ptr<LockManager> locks_;
    PointStore points_;
    EventSpool spool_;  // keeps nothing in a dry run
};

}  // namespace backstop
