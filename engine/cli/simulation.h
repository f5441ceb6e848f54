// A replay of recorded observations and events through one watcher over the policies: triggers,
// guards, decision and plan, in a dry run that observes, acts on and records nothing. Its own
// actions count for the guards as if done. `simulate` prints what it gives; `backstop test`
// compares it with what a policy test expects.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/terminal_report.h"
#include "cli/replay_history.h"
#include "cli/simulate_input.h"
#include "prim/point_store.h"
#include "runtime/watcher.h"
#include "serve/event_routing.h"
#include "serve/incoming_event.h"

namespace backstop::cli {

// What one trigger did after one observation, `at_ms` after the start of the replay.
struct SimulatedStep {
    std::int64_t at_ms = 0;
    TriggerReport report;
    // The planned run's steps in the order they ended, as the terminal lists them; empty when no
    // run was planned.
    std::vector<StepRecord> plan_steps;
    std::string plan;  // those steps as the terminal shows them; only when plans are kept
};

// The text of a recording file; throws Error when it cannot be read.
std::string read_recording_file(const std::filesystem::path& path);

// An observation read from a recording, with the service it belongs to.
struct ReplayedObservation {
    const ServicePolicy* service = nullptr;
    Observation observation;
    std::int64_t at_ms = 0;
};

// Every entry of a recording of observations, each checked against the policies (its service must
// be one of them) before any is replayed. Throws Error naming the entry.
std::vector<ReplayedObservation> read_replay_observations(const PolicySet& policies, const std::string& text,
                                                          const std::string& where);

// An event read from a recording and the event sources it reaches, routed as the daemon routes it.
struct ReplayedEvent {
    IncomingEvent event;
    bool alertmanager = false;  // from an Alertmanager webhook body
    std::int64_t at_ms = 0;
    std::vector<EventRoute> routes;
};

// Every event of a recording of Alertmanager bodies or generic events, all read before any is
// replayed. Throws Error naming the entry.
std::vector<ReplayedEvent> read_replay_events(const PolicySet& policies, const std::string& text, const std::string& where);

class Simulation {
public:
    // State (history for cooldowns, pauses, points) is read from app.state_dir, never written; the
    // replay's own actions are added to what its guards read.
    // `keep_plans`: collect each planned run's steps as text (SimulatedStep::plan).
    Simulation(const App& app, const PolicySet& policies, bool keep_plans);

    // Feeds one observation taken `at_ms` after the start; what each trigger did.
    std::vector<SimulatedStep> observe(const ServicePolicy& service, Observation o, std::int64_t at_ms);
    // Each event source `e` reaches observes it.
    std::vector<SimulatedStep> observe(const ReplayedEvent& e);

private:
    static RunDependencies& with_points(RunDependencies& deps, PointStore& points);
    static WatchOptions options(const App& app);

    bool keep_plans_;
    std::unique_ptr<ProcessRunner> processes_;
    std::unique_ptr<HttpClient> http_;
    std::unique_ptr<HistoryStore> real_history_;
    ReplayHistory history_;
    std::unique_ptr<LockManager> locks_;
    PointStore points_;
    RunDependencies deps_;
    QuietReport quiet_;
    Watcher watcher_;
    std::int64_t start_ms_;
};

}  // namespace backstop::cli
