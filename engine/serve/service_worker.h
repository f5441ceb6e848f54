// One watched service inside `backstop serve`: a thread of its own that observes the service's
// sources on their intervals, runs its cron schedules and records the events that reach it, each
// followed by the evaluation of the triggers concerned — one job at a time, so a slow source or a
// long rollback holds up this service only, never another.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "core/observation.h"
#include "policy/policy.h"
#include "serve/daemon_metrics.h"

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

class ServiceWorker {
public:
    // `policies` and `service` (one of them) must outlive the worker. Nothing runs until start().
    ServiceWorker(const PolicySet& policies, const ServicePolicy& service, WorkerSettings settings, DaemonMetrics& metrics);
    ~ServiceWorker();  // stop(false), then joins
    ServiceWorker(const ServiceWorker&) = delete;
    ServiceWorker& operator=(const ServiceWorker&) = delete;

    void start();
    // Queues an observation from outside (an event) for its source's triggers; false once the
    // worker takes no more work. Events queued before start() run once it starts.
    bool deliver(Observation observation);
    // Asks the thread to end after the job at hand: with `finish_queue`, after the queued events too
    // (a reload), else dropping them (shutdown). Returns at once.
    void stop(bool finish_queue);
    // True, and the thread joined, once it has ended; false when `deadline` came first.
    bool wait_stopped(std::chrono::steady_clock::time_point deadline);

    const std::string& service() const { return service_.name; }
    std::string busy_with() const;  // the job at hand, "" when idle
    std::size_t sources_polled() const;  // sources it observes on their interval
    std::size_t schedules() const { return service_.watch.schedules.size(); }

private:
    enum class Stop { no, finish_queue, drop_queue };
    void run();
    bool stopping() const;
    void set_busy(std::string what);

    const PolicySet& policies_;
    const ServicePolicy& service_;
    WorkerSettings settings_;
    DaemonMetrics& metrics_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable ended_;
    std::deque<Observation> queue_;
    Stop stop_ = Stop::no;
    bool started_ = false;
    bool ended_flag_ = false;
    std::string busy_;
    std::thread thread_;
};

}  // namespace backstop
