#include "runtime/watcher.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/json_text.h"
#include "decide/decision_tree.h"
#include "prim/point_store.h"
#include "prim/state_files.h"
#include "runtime/hotfix_notice.h"
#include "runtime/notifier.h"
#include "runtime/runbook_decision.h"
#include "runtime/service_pause.h"

namespace backstop {

struct Watcher::ServiceState {
    std::mutex mutex;  // one evaluation of a service at a time
    bool loaded = false;
    std::map<std::string, ObservationWindow> windows;        // by source name
    std::map<std::string, std::unique_ptr<Source>> sources;  // by source name
    std::map<std::string, nlohmann::json> source_states;     // saved by the sources, by name
    std::map<std::string, TriggerState> triggers;            // by trigger name
    std::map<std::string, FiringAlerts> alerts;              // event sources' firing alerts, by source name
    // By source: when the current run of failed observations began (for time to detect; not kept
    // across processes, the `for` timer is).
    std::map<std::string, std::int64_t> failing_since_ms;
    bool unsaved = false;        // changed since the last save
    bool save_now = false;       // an event source's firing alerts changed: save with the next evaluation
    std::int64_t saved_ms = -1;  // when last saved (the evaluation's clock)
};

Watcher::Watcher(const PolicySet& policies, RunDependencies deps, WatchOptions options)
    : policies_(policies), deps_(deps), options_(std::move(options)) {}

Watcher::~Watcher() {
    // What a throttled save (options_.save_every) left unwritten: the workers and the policies they
    // point into are still there, the worker's last turn has ended.
    for (auto& [name, st] : states_) {
        if (!st || !st->unsaved) continue;
        auto service = policies_.services.find(name);
        if (service == policies_.services.end()) continue;
        try {
            save(service->second, *st, st->saved_ms);
        } catch (const std::exception&) {
            // The next run starts from the last save: windows refill, `for` timers restart.
        }
    }
}

namespace {

std::filesystem::path state_file(const WatchOptions& o, const std::string& service) {
    return o.state_dir / "watch" / (service + ".json");
}

// How much of `source`'s history its triggers read: the longest window (and baseline, for those
// reading `baseline`) of those that read statistics (samples, avg, p95, restarts_delta...), plus one
// interval for the look just before the window that restarts_delta counts from. None when they read
// only the latest look and its runs.
Duration history_needed(const ServicePolicy& service, const std::string& source) {
    Duration keep{0};
    for (const auto& t : service.watch.triggers) {
        if (t.source != source || !t.when.expression) continue;
        const TriggerSlots read = slots_read(*t.when.expression);
        if (reads_statistics(read)) keep = std::max(keep, t.window + (read.test(trigger_slot::baseline) ? t.baseline : Duration{0}));
    }
    if (keep.count() == 0) return keep;
    const SourceSpec* spec = service.watch.source(source);
    return keep + (spec ? spec->interval : Duration{0});
}

// What a record says about how an action ended, for the trigger's report.
void take_outcome(TriggerReport& report, const RunRecord& rec) {
    report.outcome = rec.outcome;
    report.message = rec.message;
    report.run_id = rec.run_id;
    report.history_error = rec.history_error;
}

// Which guard of the RollbackRunner refused a run: max_attempts notes a failed `guard` step; the
// other refusal is a lock held by another run.
std::string refusing_guard(const RunRecord& rec) {
    for (const StepRecord& s : rec.steps)
        if (s.name == "guard" && s.status == StepStatus::failed) return "max_attempts";
    return "lock";
}

std::string action_text(const ActionSpec& a, const ServicePolicy& service) {
    if (a.kind == ActionSpec::Kind::rollback && a.level.empty()) return "rollback:" + service.rollback.level;
    return a.text();
}

}  // namespace

Watcher::ServiceState& Watcher::locked_state(const ServicePolicy& service, std::unique_lock<std::mutex>& lock) {
    ServiceState* st;
    {
        std::lock_guard<std::mutex> guard(states_mutex_);
        auto& slot = states_[service.key];
        if (!slot) slot = std::make_unique<ServiceState>();
        st = slot.get();
    }
    lock = std::unique_lock<std::mutex>(st->mutex);
    return state_of(service);
}

// The window of `source`, made on first use: how long it keeps is worked out once, not per look.
ObservationWindow& Watcher::window_of(ServiceState& st, const ServicePolicy& service, const std::string& source) {
    auto it = st.windows.find(source);
    if (it == st.windows.end()) it = st.windows.emplace(source, ObservationWindow(history_needed(service, source))).first;
    return it->second;
}

Watcher::ServiceState& Watcher::state_of(const ServicePolicy& service) {
    ServiceState& st = *states_.at(service.key);
    if (st.loaded) return st;
    st.loaded = true;
    for (const auto& s : service.watch.sources) window_of(st, service, s.name);
    if (options_.fresh) return st;
    check_state_folder(options_.state_dir, "watch");
    auto text = read_state_file(state_file(options_, service.key), "watch state");
    if (!text) return st;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_object()) return st;  // a torn or foreign file: start afresh rather than fail to watch
    for (auto& [name, window] : st.windows)
        if (j["windows"].contains(name)) window.load_json(j["windows"][name]);
    for (const auto& s : service.watch.sources) {
        if (!j["sources"].contains(s.name)) continue;
        st.source_states[s.name] = j["sources"][s.name];
        if (s.kind == SourceKind::event) st.alerts[s.name].load_json(j["sources"][s.name]);
    }
    for (const auto& t : service.watch.triggers)
        if (j["triggers"].contains(t.name)) st.triggers[t.name].load_json(j["triggers"][t.name]);
    return st;
}

void Watcher::save(const ServicePolicy& service, ServiceState& st, std::int64_t now_ms) {
    if (options_.dry_run) return;
    st.unsaved = false;
    st.saved_ms = now_ms;
    nlohmann::json windows = nlohmann::json::object(), sources = nlohmann::json::object(), triggers = nlohmann::json::object();
    for (const auto& [name, w] : st.windows) windows[name] = w.to_json();
    for (const auto& [name, src] : st.sources) st.source_states[name] = src->save_state();
    for (const auto& [name, alerts] : st.alerts) st.source_states[name] = alerts.to_json();
    for (const auto& [name, s] : st.source_states) sources[name] = s;
    for (const auto& [name, t] : st.triggers) triggers[name] = t.to_json();
    std::filesystem::path file = state_file(options_, service.key);
    prepare_state_folder(options_.state_dir, "watch");
    write_state_file(file, json_text(nlohmann::json{{"windows", windows}, {"sources", sources}, {"triggers", triggers}}) + "\n",
                     "watch state");
}

std::vector<TriggerReport> Watcher::evaluate(const ServicePolicy& service, std::int64_t now_ms, RunObserver& observer) {
    if (service.watch.triggers.empty()) return {};
    std::unique_lock<std::mutex> lock;
    ServiceState& st = locked_state(service, lock);
    // Each source a trigger reads, once.
    for (const auto& spec : service.watch.sources) {
        bool read = false;
        for (const auto& t : service.watch.triggers) read = read || t.source == spec.name;
        if (read && spec.kind != SourceKind::event) observe_locked(service, st, spec);  // events arrive, see serve
    }
    return evaluate_locked(service, st, now_ms, observer, {});
}

Observation Watcher::observe(const ServicePolicy& service, const SourceSpec& spec) {
    std::unique_lock<std::mutex> lock;
    ServiceState& st = locked_state(service, lock);
    return observe_locked(service, st, spec);
}

void Watcher::add_observation(ServiceState& st, const ServicePolicy& service, const Observation& o) {
    window_of(st, service, o.source).add(o);
    if (o.status != ObservationStatus::failed) st.failing_since_ms.erase(o.source);
    else st.failing_since_ms.try_emplace(o.source, o.time_ms);
}

Observation Watcher::observe_locked(const ServicePolicy& service, ServiceState& st, const SourceSpec& spec) {
    auto& source = st.sources[spec.name];
    if (!source) {
        source = make_source(spec, SourceDeps{deps_.processes, deps_.http});
        if (auto saved = st.source_states.find(spec.name); saved != st.source_states.end()) source->restore_state(saved->second);
    }
    Observation o = source->observe();
    add_observation(st, service, o);
    return o;
}

Observation Watcher::record(const ServicePolicy& service, Observation o) {
    std::unique_lock<std::mutex> lock;
    ServiceState& st = locked_state(service, lock);
    if (o.kind == SourceKind::event && !o.alert.empty()) fold_alert(st, o);
    add_observation(st, service, o);
    return o;
}

// An event source stands for all of its alerts: one instance resolving while another fires leaves
// it failed.
void Watcher::fold_alert(ServiceState& st, Observation& o) {
    FiringAlerts& alerts = st.alerts[o.source];
    const bool firing = o.status == ObservationStatus::failed;
    if (alerts.update(o.alert, firing, o.time_ms)) st.save_now = true;
    const std::size_t count = alerts.firing();
    if (std::isnan(o.value)) o.value = static_cast<double>(count);
    if (count == 0) return;
    o.status = ObservationStatus::failed;
    o.state = "firing";
    if (!firing) o.detail += "; " + std::to_string(count) + " other alert" + (count == 1 ? "" : "s") + " of " + o.source + " still firing";
}

std::optional<std::int64_t> Watcher::next_check_ms(const ServicePolicy& service, const std::string& source) {
    std::unique_lock<std::mutex> lock;
    ServiceState& st = locked_state(service, lock);
    std::optional<std::int64_t> next;
    for (const auto& trigger : service.watch.triggers) {
        if (trigger.source != source) continue;
        auto ts = st.triggers.find(trigger.name);
        if (ts == st.triggers.end()) continue;
        if (auto at = ts->second.next_check_ms(trigger); at && (!next || *at < *next)) next = at;
    }
    return next;
}

std::vector<TriggerReport> Watcher::evaluate_triggers(const ServicePolicy& service, std::int64_t now_ms, RunObserver& observer,
                                                      const std::string& source) {
    std::unique_lock<std::mutex> lock;
    ServiceState& st = locked_state(service, lock);
    return evaluate_locked(service, st, now_ms, observer, source);
}

std::vector<TriggerReport> Watcher::evaluate_locked(const ServicePolicy& service, ServiceState& st, std::int64_t now_ms,
                                                    RunObserver& observer, const std::string& source) {
    std::vector<TriggerReport> reports;
    bool in_motion = st.save_now;  // a trigger's state changed or is changing: save it at once
    st.save_now = false;
    for (const auto& trigger : service.watch.triggers) {
        if (!source.empty() && trigger.source != source) continue;
        const ObservationWindow& window = window_of(st, service, trigger.source);
        const Expression& when = *trigger.when.expression;
        ExpressionValues values(*trigger.when.schema);
        for (const auto& [slot, value] : trigger.when.params) values.set_number(slot, value);
        window.fill(values, slots_read(when), trigger.window, trigger.baseline, now_ms);
        bool holds = when.evaluate(values);
        TriggerState& ts = st.triggers[trigger.name];
        Duration cooldown = trigger.cooldown.count() ? trigger.cooldown : service.watch.cooldown;
        bool timing = ts.holding_since_ms || ts.recheck_at_ms;  // a `for` or `delay` was running
        TriggerStep step = ts.advance(trigger, holds, now_ms, cooldown);
        in_motion = in_motion || timing || step != TriggerStep::quiet;
        std::string observed = when.explain(values);

        TriggerReport report{service.key, trigger.name, step, observed};
        if (step == TriggerStep::fire) {
            std::int64_t since = ts.holding_since_ms.value_or(now_ms);
            if (auto f = st.failing_since_ms.find(trigger.source); f != st.failing_since_ms.end() && window.latest().status == ObservationStatus::failed)
                since = std::min(since, f->second);
            report = act(service, trigger, st, observed, now_ms, observer);
            report.step = step;
            report.detect_ms = std::max<std::int64_t>(0, now_ms - since);
        } else if (step == TriggerStep::active && ts.hotfix_deadline_ms && now_ms >= ts.hotfix_deadline_ms) {
            // The hotfix did not come in time: roll back as the decision said it would.
            ActionSpec fallback;
            fallback.kind = ActionSpec::Kind::rollback;
            fallback.level = ts.hotfix_level;
            ts.hotfix_deadline_ms = 0;
            report.action = action_text(fallback, service);
            report.rule = "hotfix deadline passed";
            roll_back(service, now_ms, fallback.level, "trigger:" + trigger.name,
                      "hotfix deadline passed; trigger " + trigger.name + " still holds (" + observed + ")",
                      {{"trigger", trigger.name}, {"severity", to_string(trigger.severity)}, {"source", trigger.source},
                       {"observed", observed}, {"rule", report.rule}, {"action", report.action}},
                      observer, report);
        } else if (step == TriggerStep::cleared) {
            report.message = "no longer holds";
        }
        reports.push_back(std::move(report));
    }
    st.unsaved = true;
    if (options_.save_every.count() == 0 || in_motion || st.saved_ms < 0 || now_ms - st.saved_ms >= options_.save_every.count())
        save(service, st, now_ms);
    return reports;
}

TriggerReport Watcher::act(const ServicePolicy& service, const TriggerPolicy& trigger, ServiceState& st,
                           const std::string& observed, std::int64_t now_ms, RunObserver& observer) {
    TriggerReport report{service.key, trigger.name, TriggerStep::fire, observed};
    const ObservationWindow& window = st.windows.at(trigger.source);

    Decision decision{trigger.then, "trigger " + trigger.name + " then", "", ""};
    if (trigger.then.kind == ActionSpec::Kind::decide) {
        DecisionInput in;
        in.trigger = trigger.name;
        in.severity = to_string(trigger.severity);
        in.source = trigger.source;
        in.value = window.latest().value;
        // "down" is about answering at all: a failed log or prometheus look is not an outage.
        SourceKind kind = window.latest().kind;
        bool availability = kind == SourceKind::http || kind == SourceKind::tcp || kind == SourceKind::unit ||
                            kind == SourceKind::container || kind == SourceKind::process;
        in.down = availability && window.latest().status == ObservationStatus::failed;
        in.consecutive_failures = window.consecutive_failures();
        if (auto notice = read_hotfix_notice(options_.state_dir, service.key, now_ms))
            in.hotfix_eta_s = static_cast<double>(notice->eta_ms - now_ms) / 1000.0;
        if (service.watch.decide.empty()) {
            decision = decide_by_runbook(service, in);
        } else if (auto decided = decide_by_rules(service.watch.decide, in, "decide")) {
            decision = *decided;
        } else {
            decision = Decision{ActionSpec{ActionSpec::Kind::none, "", {}}, "no decision rule matched", "", ""};
        }
    }
    report.action = action_text(decision.action, service);
    report.rule = decision.rule;
    nlohmann::json why = {{"trigger", trigger.name},
                          {"rule_source", trigger.rule.empty() ? "policy" : "rules/" + trigger.rule},
                          {"severity", to_string(trigger.severity)},
                          {"source", trigger.source},
                          {"condition", trigger.when.text},
                          {"observed", observed},
                          {"observation", window.latest().detail},
                          {"rule", decision.rule},
                          {"decision_values", decision.explanation},
                          {"action", report.action}};
    if (!decision.error.empty()) why["decide_error"] = decision.error;

    // Guards: a paused service, and the trigger's cooldown as history tells it (state may be lost).
    std::string suppressed;
    if (auto pause = read_pause(options_.state_dir, service.key, now_ms)) suppressed = describe(*pause);
    const char* guard = suppressed.empty() ? "cooldown" : "pause";
    Duration cooldown = trigger.cooldown.count() ? trigger.cooldown : service.watch.cooldown;
    if (suppressed.empty() && decision.action.kind != ActionSpec::Kind::none) {
        try {
            for (const auto& r : deps_.history.load()) {
                if (service_key(r.service, r.env) != service.key || r.decision.is_null() || r.decision.value("trigger", "") != trigger.name) continue;
                if (r.outcome == Outcome::suppressed || r.outcome == Outcome::no_action || r.outcome == Outcome::dry_run ||
                    r.outcome == Outcome::nothing_to_do)
                    continue;
                std::int64_t at = r.ended_ms ? r.ended_ms : r.started_ms;
                if (now_ms - at < cooldown.count())
                    suppressed = "cooldown: trigger " + trigger.name + " acted at " + format_utc(at) + " (run " + r.run_id +
                                 "); cooldown " + format_duration(cooldown) + " lasts until " + format_utc(at + cooldown.count());
            }
        } catch (const Error& e) {
            suppressed = std::string("cannot read history to check the cooldown: ") + e.what();
        }
    }
    if (!suppressed.empty()) {
        report.guard = guard;
        why["suppressed"] = suppressed;
        RunRecord rec = record_decision(service, trigger, Outcome::suppressed, report.action + " held back: " + suppressed, why, now_ms);
        take_outcome(report, rec);
        return report;
    }

    TriggerState& ts = st.triggers[trigger.name];
    switch (decision.action.kind) {
        case ActionSpec::Kind::rollback:
            roll_back(service, now_ms, decision.action.level, "trigger:" + trigger.name,
                      "trigger " + trigger.name + " (" + to_string(trigger.severity) + "): " + trigger.when.text + " with " +
                          observed + "; " + decision.rule,
                      why, observer, report);
            return report;
        case ActionSpec::Kind::hotfix: {
            ts.hotfix_deadline_ms = now_ms + decision.action.deadline.count();
            ts.hotfix_level = decision.action.level;
            why["hotfix_deadline"] = format_utc(ts.hotfix_deadline_ms);
            RunRecord rec = record_decision(service, trigger, Outcome::awaiting_hotfix,
                                            "waiting for a hotfix until " + format_utc(ts.hotfix_deadline_ms) +
                                                "; rolling back then if " + trigger.name + " still holds",
                                            why, now_ms);
            take_outcome(report, rec);
            return report;
        }
        case ActionSpec::Kind::page:
        case ActionSpec::Kind::none:
        case ActionSpec::Kind::decide: {
            bool page = decision.action.kind == ActionSpec::Kind::page;
            RunRecord rec = record_decision(service, trigger, page ? Outcome::paged : Outcome::no_action,
                                            page ? "paged: " + trigger.name + " (" + observed + ")"
                                                 : "decided to do nothing: " + decision.rule,
                                            why, now_ms);
            take_outcome(report, rec);
            return report;
        }
    }
    return report;
}

TriggerReport Watcher::run_action(const ServicePolicy& service, const ActionSpec& action, const std::string& reason,
                                  const std::string& trigger_name, std::int64_t now_ms, RunObserver& observer) {
    std::unique_lock<std::mutex> lock;
    locked_state(service, lock);  // not while an evaluation of the service may be acting
    TriggerReport report{service.key, trigger_name, TriggerStep::fire, ""};
    report.action = action_text(action, service);
    report.rule = trigger_name;
    nlohmann::json why = {{"trigger", trigger_name}, {"reason", reason}, {"action", report.action}};
    auto fill = [&](const RunRecord& rec) { take_outcome(report, rec); };
    if (auto pause = read_pause(options_.state_dir, service.key, now_ms)) {
        report.guard = "pause";
        why["suppressed"] = describe(*pause);
        fill(record_run(service, trigger_name, reason, Outcome::suppressed, report.action + " held back: " + describe(*pause), why, now_ms));
        return report;
    }
    switch (action.kind) {
        case ActionSpec::Kind::rollback:
            roll_back(service, now_ms, action.level, trigger_name, reason, why, observer, report);
            return report;
        case ActionSpec::Kind::page:
            fill(record_run(service, trigger_name, reason, Outcome::paged, "paged: " + reason, why, now_ms));
            return report;
        case ActionSpec::Kind::hotfix:  // a schedule cannot wait for a hotfix (the compiler refuses it)
        case ActionSpec::Kind::decide:
        case ActionSpec::Kind::none:
            fill(record_run(service, trigger_name, reason, Outcome::no_action, "nothing to do: " + reason, why, now_ms));
            return report;
    }
    return report;
}

void Watcher::roll_back(const ServicePolicy& service, std::int64_t now_ms, const std::string& level, const std::string& trigger,
                        const std::string& reason, const nlohmann::json& why, RunObserver& observer, TriggerReport& report) {
    RunRequest request;
    request.service = service.key;
    request.level = level;
    request.dry_run = options_.dry_run;
    request.actor = options_.actor;
    request.trigger = trigger;
    request.reason = reason;
    request.decision = why;
    if (options_.replay_clock) request.started_ms = now_ms;
    RunRecord rec = RollbackRunner(policies_, deps_).run(request, observer);
    take_outcome(report, rec);
    report.rolled_back = true;
    report.level = rec.level;
    report.to = rec.to;
    if (rec.outcome == Outcome::refused) report.guard = refusing_guard(rec);
    report.run_ms = rec.duration_ms();
}

RunRecord Watcher::record_decision(const ServicePolicy& service, const TriggerPolicy& trigger, Outcome outcome,
                                   const std::string& message, const nlohmann::json& decision, std::int64_t now_ms) {
    return record_run(service, "trigger:" + trigger.name, trigger.when.text, outcome, message, decision, now_ms);
}

RunRecord Watcher::record_run(const ServicePolicy& service, const std::string& trigger_name, const std::string& reason,
                              Outcome outcome, const std::string& message, const nlohmann::json& decision, std::int64_t now_ms) {
    RunRecord rec;
    rec.run_id = new_run_id();
    rec.service = service.name;
    rec.env = service.env;
    rec.actor = options_.actor;
    rec.trigger = trigger_name;
    rec.reason = reason;
    rec.host = deps_.host;
    rec.started_ms = rec.ended_ms = now_ms;
    rec.outcome = outcome;
    rec.message = options_.dry_run ? "(dry run, not recorded) " + message : message;
    rec.decision = decision;
    if (options_.dry_run) return rec;
    Notifier notifier(policies_.channels, deps_.getenv);
    if (notifier.start(rec) > 0) rec.notifications = notifier.wait();
    try {
        deps_.history.record(rec);
    } catch (const Error& e) {
        rec.message += std::string(" (not recorded: ") + e.what() + ")";
    }
    return rec;
}

}  // namespace backstop
