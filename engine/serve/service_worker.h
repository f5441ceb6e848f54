// One watched service inside `backstop serve`: it observes the service's sources on their
// intervals, runs its cron schedules, records the events that reach it and keeps the timers of
// their triggers (`for`, `delay`), each followed by the evaluation of the triggers concerned — one
// job at a time, in turns the daemon's WorkerPool runs, so a slow source or a long rollback holds
// up this service only, never another.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/observation.h"
#include "policy/policy.h"
#include "runtime/watcher.h"
#include "serve/daemon_metrics.h"
#include "serve/run_log.h"
#include "serve/schedule_timer.h"
#include "serve/worker_pool.h"

namespace backstop {

// What every worker needs to act; the same for every service.
struct WorkerSettings {
    std::filesystem::path state_dir;     // STATE: watch state, pauses
    std::filesystem::path history_file;  // STATE/history.jsonl
    std::filesystem::path lock_dir;
    std::filesystem::path points_dir;
    std::string host;
    bool dry_run = false;
    std::string actor = "backstop";
};

class WorkerEffects;

class ServiceWorker final : private WorkerPool::Client {
public:
    // `policies` and `service` (one of them), `effects` and `pool` must outlive the worker. Nothing
    // runs until start().
    ServiceWorker(const PolicySet& policies, const ServicePolicy& service, const WorkerSettings& settings,
                  WorkerEffects& effects, DaemonMetrics& metrics, WorkerPool& pool);
    ~ServiceWorker();  // stop(false), then leaves the pool once its turn at hand is over
    ServiceWorker(const ServiceWorker&) = delete;
    ServiceWorker& operator=(const ServiceWorker&) = delete;

    void start();
    // Queues an observation from outside (an event) for its source's triggers; false once the
    // worker takes no more work. Events queued before start() run once it starts. `spool_id`
    // (0: none) is marked done in the event spool once the event has been evaluated.
    bool deliver(Observation observation, std::uint64_t spool_id = 0);
    // Asks it to end after the job at hand: with `finish_queue`, after the queued events too
    // (a reload), else dropping them (shutdown; the event spool keeps them for the next start).
    // Returns at once.
    void stop(bool finish_queue);
    // True once it has ended; false when `deadline` came first.
    bool wait_stopped(std::chrono::steady_clock::time_point deadline);

    const std::string& service() const { return service_.key; }
    std::string busy_with() const;  // the job at hand, "" when idle
    std::size_t sources_polled() const;  // sources it observes on their interval
    std::size_t schedules() const { return service_.watch.schedules.size(); }

private:
    enum class Stop { no, finish_queue, drop_queue };
    using SteadyClock = std::chrono::steady_clock;
    struct Polled {
        const SourceSpec* spec;
        SteadyClock::time_point next;
    };
    struct Queued {
        Observation observation;
        std::uint64_t spool_id;
    };
    // An event source's triggers with a `for`, `delay` or hotfix deadline running are evaluated
    // when it is due, since no observation may come to do it.
    struct EventTimer {
        const SourceSpec* spec;
        std::optional<std::int64_t> due_ms;  // epoch ms; nullopt: none running
    };

    SteadyClock::time_point next_due() override;
    void run_turn() override;
    bool stopping() const;
    void set_busy(std::string what);
    void end_if_done_locked();  // caller holds mutex_
    bool evaluate(const std::string& source);  // false: stopping, not evaluated
    std::optional<std::int64_t> next_check(const std::string& source);
    void set_timer(const std::string& source);
    void run_event(Queued& event);
    void run_due_sources();
    void run_due_timers();
    void run_due_schedules();
    template <typename Job>
    void guarded(const std::string& what, const Job& job);

    const PolicySet& policies_;
    const ServicePolicy& service_;
    DaemonMetrics& metrics_;
    WorkerPool& pool_;
    WorkerEffects& effects_;
    Watcher watcher_;
    RunLog run_log_;
    std::vector<Polled> sources_;                                        // set by start()
    std::vector<std::pair<const ScheduleSpec*, ScheduleTimer>> schedules_;  // set by start()
    std::vector<EventTimer> timers_;                                     // set by start(), due_ms under mutex_

    mutable std::mutex mutex_;
    std::condition_variable ended_;
    std::list<Queued> queue_;  // a list: nothing allocated while empty, as most are
    Stop stop_ = Stop::no;
    bool started_ = false;
    bool running_ = false;  // a turn is in progress
    bool ended_flag_ = false;
    std::string busy_;
};

}  // namespace backstop
