// Watching a service: look at its sources, derive values, advance each trigger and, for one that
// fires, decide (trigger `then`, the service's decision rules or the default tree), check the
// guards (pause, cooldown) and act — a rollback through the RollbackRunner, a page, a wait for a
// hotfix — recording every decision, suppressed or not, with the values it was based on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/observation.h"
#include "decide/firing_alerts.h"
#include "decide/observation_window.h"
#include "decide/trigger_state.h"
#include "observe/source.h"
#include "policy/policy.h"
#include "runtime/rollback_runner.h"

namespace backstop {

// What one trigger did in one evaluation, for the terminal and `--json`.
struct TriggerReport {
    std::string service;
    std::string trigger;
    TriggerStep step = TriggerStep::quiet;
    std::string observed;  // the values its condition read: `consecutive_failures=3 failures=3`
    std::string action;    // what was decided, e.g. "rollback:fast"; empty when nothing fired
    std::string rule;      // which rule decided
    Outcome outcome = Outcome::no_action;
    std::string message;
    std::string run_id;    // of the history record, when one was written
    std::string history_error;  // why the run's end could not be written to history; empty when it was
    bool rolled_back = false;  // a RollbackRunner run happened (dry runs, refusals and failures included)
    std::string level;         // that run's level, as recorded
    std::string to;            // that run's target version; empty when it chose none
    std::int64_t run_ms = 0;   // that run's duration
    // The guard that held the action back: "pause", "cooldown" (outcome suppressed), "max_attempts"
    // or "lock" (outcome refused); empty when none did.
    std::string guard;
    // fire: from the first observation of the run that made the condition hold (the earliest of
    // the `for` timer's start and the source's current run of failures) to the fire; -1 otherwise.
    std::int64_t detect_ms = -1;
};

struct WatchOptions {
    std::filesystem::path state_dir;  // STATE/watch (windows, trigger states) and STATE/paused
    bool dry_run = false;             // plan rollbacks, record nothing, keep no state
    std::string actor = "backstop";
    bool fresh = false;               // ignore saved windows and trigger states (simulate)
    // Times are a replay's clock, not now (simulate, test): a run starts at the evaluation's time,
    // so max_attempts counts in the replay's time as cooldowns do.
    bool replay_clock = false;
    // 0: save a service's windows and trigger states after every evaluation (eval). Otherwise (serve)
    // save at once when a trigger's state changes or its `for`/`delay` runs, else at most this
    // often, and when the Watcher ends.
    Duration save_every{0};
};

class Watcher {
public:
    Watcher(const PolicySet& policies, RunDependencies deps, WatchOptions options);
    ~Watcher();

    // Observes each source of `service` that a trigger reads, then evaluates its triggers at `now_ms`.
    std::vector<TriggerReport> evaluate(const ServicePolicy& service, std::int64_t now_ms, RunObserver& observer);

    // The pieces of evaluate, for the daemon (sources on their own intervals, events from outside).
    // Safe to call from several threads: calls for one service run one at a time.
    Observation observe(const ServicePolicy& service, const SourceSpec& source);  // looks, records
    // Records an observation from outside; o.source names the window. An event's (o.alert set) is
    // folded into its source's firing alerts first: failed while any fires, value (unless sent) the
    // number firing. Returns what was recorded.
    Observation record(const ServicePolicy& service, Observation observation);
    // Evaluates the triggers reading `source` (every trigger when empty) and acts on those that fire.
    std::vector<TriggerReport> evaluate_triggers(const ServicePolicy& service, std::int64_t now_ms, RunObserver& observer,
                                                 const std::string& source = {});
    // When the triggers reading `source` must be evaluated again though nothing new is observed (a
    // `for`, a `delay` or a hotfix deadline running), ms since the epoch; nullopt: not before the
    // next observation.
    std::optional<std::int64_t> next_check_ms(const ServicePolicy& service, const std::string& source);
    // Acts as a decision would, for a planned action (a [[service.X.schedule]]): a rollback through
    // the RollbackRunner, a page or nothing recorded in history, held back while the service is
    // paused. `trigger_name` is recorded as the run's trigger, e.g. "schedule:0 3 * * *".
    TriggerReport run_action(const ServicePolicy& service, const ActionSpec& action, const std::string& reason,
                             const std::string& trigger_name, std::int64_t now_ms, RunObserver& observer);

private:
    struct ServiceState;
    ServiceState& state_of(const ServicePolicy& service);  // caller holds the state's mutex
    ServiceState& locked_state(const ServicePolicy& service, std::unique_lock<std::mutex>& lock);
    ObservationWindow& window_of(ServiceState& st, const ServicePolicy& service, const std::string& source);
    Observation observe_locked(const ServicePolicy& service, ServiceState& st, const SourceSpec& spec);
    std::vector<TriggerReport> evaluate_locked(const ServicePolicy& service, ServiceState& st, std::int64_t now_ms,
                                               RunObserver& observer, const std::string& source);
    void save(const ServicePolicy& service, ServiceState& state, std::int64_t now_ms);
    TriggerReport act(const ServicePolicy& service, const TriggerPolicy& trigger, ServiceState& state,
                      const std::string& observed, std::int64_t now_ms, RunObserver& observer);
    void add_observation(ServiceState& st, const ServicePolicy& service, const Observation& o);
    void fold_alert(ServiceState& st, Observation& o);
    // A rollback through the RollbackRunner on behalf of `trigger`; fills the report.
    void roll_back(const ServicePolicy& service, std::int64_t now_ms, const std::string& level, const std::string& trigger,
                   const std::string& reason, const nlohmann::json& why, RunObserver& observer, TriggerReport& report);
    RunRecord record_decision(const ServicePolicy& service, const TriggerPolicy& trigger, Outcome outcome,
                              const std::string& message, const nlohmann::json& decision, std::int64_t now_ms);
    RunRecord record_run(const ServicePolicy& service, const std::string& trigger_name, const std::string& reason,
                         Outcome outcome, const std::string& message, const nlohmann::json& decision, std::int64_t now_ms);

    const PolicySet& policies_;
    RunDependencies deps_;
    WatchOptions options_;
    std::mutex states_mutex_;
    std::map<std::string, std::unique_ptr<ServiceState>> states_;
};

}  // namespace backstop
