#include "serve/service_worker.h"

#include <algorithm>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "serve/worker_effects.h"

namespace backstop {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Longest wait between looks at the clock for a service with schedules, so a cron minute is not
// missed when the wall clock jumps.
constexpr auto kMaxSleep = std::chrono::seconds(5);

std::int64_t epoch_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool read_by_a_trigger(const ServicePolicy& service, const SourceSpec& spec) {
    for (const auto& t : service.watch.triggers)
        if (t.source == spec.name) return true;
    return false;
}

// A quiet service's windows and trigger states are written every 30 s instead of after every look:
// rewriting them took most of the daemon's CPU with a fleet of 1,000. A trigger in motion is saved
// at once, and a restart loses at most 30 s of quiet history.
WatchOptions watch_options(const WorkerSettings& settings) {
    WatchOptions o{settings.state_dir, settings.dry_run, settings.actor};
    o.save_every = Duration{30'000};
    return o;
}

bool polled(const ServicePolicy& service, const SourceSpec& spec) {
    return spec.kind != SourceKind::event && read_by_a_trigger(service, spec);
}

// A timer evaluation that left its trigger due at once (it failed before advancing) looks again
// after this, not in a busy loop.
constexpr std::int64_t kTimerRetryMs = 1000;

SteadyClock::time_point steady_at(std::int64_t epoch_due_ms) {
    return SteadyClock::now() + std::chrono::milliseconds(epoch_due_ms - epoch_ms());
}

}  // namespace

ServiceWorker::ServiceWorker(const PolicySet& policies, const ServicePolicy& service, const WorkerSettings& settings,
                             WorkerEffects& effects, DaemonMetrics& metrics, WorkerPool& pool)
    : policies_(policies),
      service_(service),
      metrics_(metrics),
      pool_(pool),
      effects_(effects),
      watcher_(policies, effects.dependencies(), watch_options(settings)),
      run_log_(service.key) {}

ServiceWorker::~ServiceWorker() {
    stop(false);
    pool_.remove(*this);
}

void ServiceWorker::start() {
    // Timers a `for` or `delay` left running before a restart or reload, as the watch state says.
    std::vector<EventTimer> timers;
    for (const SourceSpec& s : service_.watch.sources)
        if (s.kind == SourceKind::event && read_by_a_trigger(service_, s)) timers.push_back({&s, next_check(s.name)});
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (started_ || ended_flag_) return;
        started_ = true;
        const auto now = SteadyClock::now();
        for (const SourceSpec& s : service_.watch.sources)
            if (polled(service_, s)) sources_.push_back({&s, now});
        for (const ScheduleSpec& s : service_.watch.schedules) schedules_.emplace_back(&s, ScheduleTimer(s.cron, epoch_ms() / 1000));
        timers_ = std::move(timers);
    }
    pool_.add(*this);
}

bool ServiceWorker::deliver(Observation observation, std::uint64_t spool_id) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stop_ == Stop::drop_queue || ended_flag_) return false;
        queue_.push_back({std::move(observation), spool_id});
    }
    pool_.wake(*this);
    return true;
}

void ServiceWorker::stop(bool finish_queue) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stop_ != Stop::drop_queue) stop_ = finish_queue ? Stop::finish_queue : Stop::drop_queue;
        end_if_done_locked();
    }
    pool_.wake(*this);
}

void ServiceWorker::end_if_done_locked() {
    if (ended_flag_ || stop_ == Stop::no || running_) return;
    if (stop_ == Stop::finish_queue && started_ && !queue_.empty()) return;
    ended_flag_ = true;
    busy_.clear();
    queue_.clear();
    ended_.notify_all();
}

bool ServiceWorker::wait_stopped(SteadyClock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    return ended_.wait_until(lock, deadline, [&] { return ended_flag_; });
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

SteadyClock::time_point ServiceWorker::next_due() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_ || ended_flag_) return SteadyClock::time_point::max();
    if (!queue_.empty()) return SteadyClock::time_point::min();
    if (stop_ != Stop::no) return SteadyClock::time_point::max();
    auto now = SteadyClock::now();
    auto due = SteadyClock::time_point::max();
    for (const auto& p : sources_) due = std::min(due, p.next);
    for (const auto& t : timers_)
        if (t.due_ms) due = std::min(due, steady_at(*t.due_ms));
    for (const auto& [spec, timer] : schedules_) {
        due = std::min(due, now + kMaxSleep);
        if (timer.next_due() != CronSchedule::kNever)
            due = std::min(due, now + std::chrono::milliseconds(timer.next_due() * 1000 - epoch_ms()));
    }
    return due;
}

template <typename Job>
void ServiceWorker::guarded(const std::string& what, const Job& job) {
    // A job that throws (a history it cannot write, a bug) is logged; the service stays watched.
    try {
        job();
    } catch (const std::exception& e) {
        spdlog::error("{}: {} failed: {}", service_.key, what, e.what());
    }
}

bool ServiceWorker::evaluate(const std::string& source) {
    if (stopping()) return false;  // shutting down: start nothing new
    std::vector<TriggerReport> reports = watcher_.evaluate_triggers(service_, epoch_ms(), run_log_, source);
    metrics_.evaluated(service_.key);
    for (const TriggerReport& r : reports) {
        metrics_.trigger_report(r);
        log_trigger_report(r);
    }
    set_timer(source);
    return true;
}

std::optional<std::int64_t> ServiceWorker::next_check(const std::string& source) {
    try {
        return watcher_.next_check_ms(service_, source);
    } catch (const std::exception& e) {
        spdlog::error("{}: cannot read the timers of the triggers on {}: {}", service_.key, source, e.what());
        return epoch_ms();  // look again soon
    }
}

// After the triggers of an event source were evaluated: when they must be looked at again.
void ServiceWorker::set_timer(const std::string& source) {
    auto timer = std::find_if(timers_.begin(), timers_.end(), [&](const EventTimer& t) { return t.spec->name == source; });
    if (timer == timers_.end()) return;  // a polled source: its next look evaluates them
    std::optional<std::int64_t> due = next_check(source);
    if (due && *due <= epoch_ms()) due = epoch_ms() + kTimerRetryMs;
    std::lock_guard<std::mutex> lock(mutex_);
    timer->due_ms = due;
}

// One turn: the next queued event; else every source, timer and schedule that is due.
void ServiceWorker::run_turn() {
    std::optional<Queued> event;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (ended_flag_ || stop_ == Stop::drop_queue) return;
        running_ = true;
        if (!queue_.empty()) {
            event = std::move(queue_.front());
            queue_.pop_front();
            busy_ = "event " + event->observation.event + " on source " + event->observation.source + ", then its triggers";
        }
    }
    if (event) {
        run_event(*event);
    } else if (!stopping()) {
        run_due_sources();
        run_due_timers();
        run_due_schedules();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    busy_.clear();
    end_if_done_locked();
}

void ServiceWorker::run_event(Queued& event) {
    const Observation& o = event.observation;
    bool evaluated = false;
    guarded("event " + o.event, [&] {
        Observation recorded = watcher_.record(service_, o);
        metrics_.observed(service_.key, recorded);
        evaluated = evaluate(o.source);  // not while stopping: the spool keeps it for the next start
    });
    // Evaluated, or failed in a way another try would not change: nothing left to replay.
    if (event.spool_id && (evaluated || !stopping())) effects_.spool().done(event.spool_id);
}

void ServiceWorker::run_due_sources() {
    for (auto& p : sources_) {
        auto start = SteadyClock::now();
        if (p.next > start || stopping()) continue;
        p.next = start + p.spec->interval;
        set_busy("observing " + p.spec->name + ", then its triggers");
        guarded("observing " + p.spec->name, [&] {
            Observation o = watcher_.observe(service_, *p.spec);
            metrics_.observed(service_.key, o);
            spdlog::debug("{}: {} {}: {}", service_.key, p.spec->name, to_string(o.status), o.detail);
            evaluate(p.spec->name);
        });
    }
}

void ServiceWorker::run_due_timers() {
    for (auto& t : timers_) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!t.due_ms || *t.due_ms > epoch_ms() || stop_ == Stop::drop_queue) continue;
        }
        set_busy("the `for`/`delay` of the triggers on " + t.spec->name);
        guarded("the timer of " + t.spec->name, [&] { evaluate(t.spec->name); });
        set_timer(t.spec->name);  // again, in case the evaluation failed before it could
    }
}

void ServiceWorker::run_due_schedules() {
    for (auto& [spec, timer] : schedules_) {
        if (stopping() || !timer.take_due(epoch_ms() / 1000)) continue;
        const ScheduleSpec& s = *spec;
        std::string name = "schedule:" + s.cron_text;
        set_busy(name + ": " + s.then.text());
        guarded(name, [&] {
            TriggerReport r = watcher_.run_action(service_, s.then, "schedule \"" + s.cron_text + "\" then " + s.then.text(), name,
                                                  epoch_ms(), run_log_);
            metrics_.schedule_report(r);
            log_trigger_report(r);
        });
    }
}

}  // namespace backstop
