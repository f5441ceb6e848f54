#include "cli/simulation.h"

#include <sstream>
#include <utility>
#include <unistd.h>

#include "core/error.h"

namespace backstop::cli {

namespace {

// Passes a run's progress on and keeps each step as it ends: the order the terminal lists them in
// (a hook's steps before the hook), which a policy test's `plan` names.
class FinishedSteps final : public RunObserver {
public:
    explicit FinishedSteps(RunObserver& next) : next_(next) {}
    void step_started(const StepRecord& step) override { next_.step_started(step); }
    void step_finished(const StepRecord& step) override {
        steps_.push_back(step);
        next_.step_finished(step);
    }
    void logged(const LogLine& line) override { next_.logged(line); }
    std::vector<StepRecord> take() { return std::exchange(steps_, {}); }

private:
    RunObserver& next_;
    std::vector<StepRecord> steps_;
};

}  // namespace

std::string read_recording_file(const std::filesystem::path& path) {
    std::optional<std::string> text = read_whole_file(path);
    if (!text) throw Error("cannot read " + path.string());
    return std::move(*text);
}

std::vector<ReplayedObservation> read_replay_observations(const PolicySet& policies, const std::string& text,
                                                          const std::string& where) {
    std::vector<ReplayedObservation> replay;
    for (const RecordedEntry& entry : read_recording(text, where)) {
        RecordedObservation recorded = read_recorded_observation(entry);
        const ServicePolicy* svc = policies.find_named(recorded.service);
        if (!svc) throw Error(entry.where + ": no service `" + recorded.service + "` in the policies");
        if (const SourceSpec* spec = svc->watch.source(recorded.observation.source)) recorded.observation.kind = spec->kind;
        replay.push_back({svc, std::move(recorded.observation), recorded.at_ms});
    }
    return replay;
}

std::vector<ReplayedEvent> read_replay_events(const PolicySet& policies, const std::string& text, const std::string& where) {
    std::vector<ReplayedEvent> replay;
    for (const RecordedEntry& entry : read_recording(text, where)) {
        RecordedEvents recorded = read_recorded_events(entry);
        for (IncomingEvent& event : recorded.events) {
            std::vector<EventRoute> routes = route_event(policies, event);
            replay.push_back({std::move(event), recorded.alertmanager, recorded.at_ms, std::move(routes)});
        }
    }
    return replay;
}

Simulation::Simulation(const App& app, const PolicySet& policies, bool keep_plans)
    : keep_plans_(keep_plans),
      processes_(make_process_runner()),
      http_(make_http_client()),
      real_history_(app.history()),
      history_(*real_history_),
      locks_(app.locks()),
      points_(app.points_dir(), *processes_),
      deps_{*processes_, *http_, history_, *locks_, this_host(), static_cast<long>(::getpid())},
      watcher_(policies, with_points(deps_, points_), options(app)),
      start_ms_(now_epoch_ms()) {}

std::vector<SimulatedStep> Simulation::observe(const ServicePolicy& service, Observation o, std::int64_t at_ms) {
    o.time_ms = start_ms_ + at_ms;
    watcher_.record(service, o);
    // A run's plan is reported while the trigger is evaluated, before its report: each report takes
    // what was written since the one before.
    std::ostringstream plan;
    TerminalReport terminal(plan);
    FinishedSteps finished(keep_plans_ ? static_cast<RunObserver&>(terminal) : quiet_);
    std::vector<SimulatedStep> steps;
    for (TriggerReport& r : watcher_.evaluate_triggers(service, o.time_ms, finished, o.source)) {
        SimulatedStep s{at_ms, std::move(r), {}, {}};
        if (!s.report.action.empty()) {
            s.plan_steps = finished.take();
            s.plan = plan.str();
            plan.str("");
        }
        history_.add_replayed(service, s.report, o.time_ms);
        steps.push_back(std::move(s));
    }
    return steps;
}

std::vector<SimulatedStep> Simulation::observe(const ReplayedEvent& e) {
    std::vector<SimulatedStep> steps;
    for (const EventRoute& r : e.routes)
        for (SimulatedStep& s : observe(*r.service, event_observation(*r.source, e.event, 0), e.at_ms)) steps.push_back(std::move(s));
    return steps;
}

RunDependencies& Simulation::with_points(RunDependencies& deps, PointStore& points) {
    deps.points = &points;
    return deps;
}

WatchOptions Simulation::options(const App& app) {
    WatchOptions o{app.state_dir, true, "backstop simulate"};
    o.fresh = true;
    o.replay_clock = true;
    return o;
}

}  // namespace backstop::cli
