#include "serve/service_worker.h"

#include <algorithm>
#include <optional>
#include <unistd.h>
#include <vector>

#include <spdlog/spdlog.h>

#include "prim/history_file.h"
#include "prim/lock_files.h"
#include "prim/point_store.h"
#include "runtime/watcher.h"
#include "serve/run_log.h"
#include "serve/schedule_timer.h"

namespace backstop {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Longest sleep between looks at the clock, so a cron minute is not missed when the wall clock jumps.
constexpr auto kMaxSleep = std::chrono::seconds(5);

std::int64_t epoch_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool read_by_a_trigger(const ServicePolicy& service, const SourceSpec& spec) {
    for (const auto& t : service.watch.triggers)
        if (t.source == spec.name) return true;
    return false;
}

bool polled(const ServicePolicy& service, const SourceSpec& spec) {
    return spec.kind != SourceKind::event && read_by_a_trigger(service, spec);
}

}  // namespace

ServiceWorker::ServiceWorker(const PolicySet& policies, const ServicePolicy& service, WorkerSettings settings, DaemonMetrics& metrics)
    : policies_(policies), service_(service), settings_(std::move(settings)), metrics_(metrics) {}

ServiceWorker::~ServiceWorker() {
    stop(false);
    if (thread_.joinable()) thread_.join();
}

void ServiceWorker::start() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_) return;
    started_ = true;
    thread_ = std::thread([this] { run(); });
}

bool ServiceWorker::deliver(Observation observation) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stop_ == Stop::drop_queue || ended_flag_) return false;
        queue_.push_back(std::move(observation));
    }
    wake_.notify_one();
    return true;
}

void ServiceWorker::stop(bool finish_queue) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stop_ != Stop::drop_queue) stop_ = finish_queue ? Stop::finish_queue : Stop::drop_queue;
        if (!started_) ended_flag_ = true;  // never ran: nothing to wait for
    }
    wake_.notify_one();
}

bool ServiceWorker::wait_stopped(SteadyClock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!ended_.wait_until(lock, deadline, [&] { return ended_flag_; })) return false;
    lock.unlock();
    if (thread_.joinable()) thread_.join();
    return true;
}

std::string ServiceWorker::busy_with() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return busy_;
}

std::size_t ServiceWorker::sources_polled() const {
    return static_cast<std::size_t>(
        std::count_if(service_.watch.sources.begin(), service_.watch.sources.end(), [&](const SourceSpec& s) { return polled(service_, s); }));
}

bool ServiceWorker::stopping() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stop_ == Stop::drop_queue;
}

void ServiceWorker::set_busy(std::string what) {
    std::lock_guard<std::mutex> lock(mutex_);
    busy_ = std::move(what);
}

void ServiceWorker::run() {
    // Everything a look or a rollback touches belongs to this thread (libcurl handles are per thread).
    auto processes = make_process_runner();
    auto http = make_curl_http_client();
    auto history = make_history_file(settings_.history_file);
    auto locks = make_lock_files(settings_.lock_dir);
    PointStore points(settings_.points_dir, *processes);
    RunDependencies deps{*processes, *http, *history, *locks, settings_.host, static_cast<long>(::getpid())};
    deps.points = &points;
    Watcher watcher(policies_, deps, WatchOptions{settings_.state_dir, settings_.dry_run, settings_.actor});
    RunLog run_log(service_.name);

    auto evaluate = [&](const std::string& source) {
        if (stopping()) return;  // shutting down: start nothing new
        std::vector<TriggerReport> reports = watcher.evaluate_triggers(service_, epoch_ms(), run_log, source);
        metrics_.evaluated(service_.name);
        for (const TriggerReport& r : reports) {
            metrics_.trigger_report(r);
            log_trigger_report(r);
        }
    };
    // A job that throws (a history it cannot write, a bug) is logged; the service stays watched.
    auto guarded = [&](const std::string& what, const auto& job) {
        try {
            job();
        } catch (const std::exception& e) {
            spdlog::error("{}: {} failed: {}", service_.name, what, e.what());
        }
    };

    struct Polled {
        const SourceSpec* spec;
        SteadyClock::time_point next;
    };
    std::vector<Polled> sources;
    for (const SourceSpec& s : service_.watch.sources)
        if (polled(service_, s)) sources.push_back({&s, SteadyClock::now()});
    std::vector<std::pair<const ScheduleSpec*, ScheduleTimer>> schedules;
    for (const ScheduleSpec& s : service_.watch.schedules) schedules.emplace_back(&s, ScheduleTimer(s.cron, epoch_ms() / 1000));

    for (;;) {
        std::optional<Observation> event;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            busy_.clear();
            auto now = SteadyClock::now();
            auto wake_at = now + kMaxSleep;
            for (const auto& p : sources) wake_at = std::min(wake_at, p.next);
            for (const auto& [spec, timer] : schedules)
                if (timer.next_due() != CronSchedule::kNever)
                    wake_at = std::min(wake_at, now + std::chrono::milliseconds(timer.next_due() * 1000 - epoch_ms()));
            wake_.wait_until(lock, wake_at, [&] { return stop_ != Stop::no || !queue_.empty(); });
            if (stop_ == Stop::drop_queue || (stop_ == Stop::finish_queue && queue_.empty())) break;
            if (!queue_.empty()) {
                event = std::move(queue_.front());
                queue_.pop_front();
                busy_ = "event " + event->event + " on source " + event->source + ", then its triggers";
            }
        }
        if (event) {
            guarded("event " + event->event, [&] {
                watcher.record(service_, *event);
                metrics_.observed(service_.name, *event);
                evaluate(event->source);
            });
            continue;
        }
        for (auto& p : sources) {
            auto start = SteadyClock::now();
            if (p.next > start || stopping()) continue;
            p.next = start + p.spec->interval;
            set_busy("observing " + p.spec->name + ", then its triggers");
            guarded("observing " + p.spec->name, [&] {
                Observation o = watcher.observe(service_, *p.spec);
                metrics_.observed(service_.name, o);
                spdlog::debug("{}: {} {}: {}", service_.name, p.spec->name, to_string(o.status), o.detail);
                evaluate(p.spec->name);
            });
        }
        for (auto& [spec, timer] : schedules) {
            if (stopping() || !timer.take_due(epoch_ms() / 1000)) continue;
            const ScheduleSpec& s = *spec;
            std::string name = "schedule:" + s.cron_text;
            set_busy(name + ": " + s.then.text());
            guarded(name, [&] {
                TriggerReport r = watcher.run_action(service_, s.then, "schedule \"" + s.cron_text + "\" then " + s.then.text(), name,
                                                     epoch_ms(), run_log);
                metrics_.schedule_report(r);
                log_trigger_report(r);
            });
        }
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ended_flag_ = true;
        busy_.clear();
        queue_.clear();
    }
    ended_.notify_all();
}

}  // namespace backstop
