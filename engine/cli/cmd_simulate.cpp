// `backstop simulate --observations FILE | --event FILE`: replay recorded observations, or a
// recorded alert or event, through triggers → guards → decision → plan, and print what would be
// done and why. Nothing is observed, acted on or recorded; pauses, hotfix announcements and history
// (for cooldowns) are read as they are now.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/simulate_input.h"
#include "cli/terminal_report.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/json_text.h"
#include "core/run_record.h"
#include "core/text.h"
#include "prim/point_store.h"
#include "runtime/watcher.h"
#include "serve/event_routing.h"
#include "serve/incoming_event.h"

namespace backstop::cli {

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The replay: one watcher over the policies, read-only history, dry run, fresh windows.
class Simulation {
public:
    Simulation(App& app, const PolicySet& policies)
        : app_(app),
          processes_(make_process_runner()),
          http_(make_http_client()),
          real_history_(app.history()),
          history_(*real_history_),
          locks_(app.locks()),
          points_(app.points_dir(), *processes_),
          deps_{*processes_, *http_, history_, *locks_, this_host(), static_cast<long>(::getpid())},
          watcher_(policies, with_points(deps_, points_), options(app)),
          start_ms_(now_epoch_ms()) {}

    // Feeds one observation of `service` taken `at_ms` after the start; prints what the triggers did.
    void observe(const ServicePolicy& service, Observation o, std::int64_t at_ms) {
        o.time_ms = start_ms_ + at_ms;
        watcher_.record(service, o);
        // The plan is printed under the trigger line that led to it, so it is collected first.
        std::ostringstream plan;
        TerminalReport terminal(plan);
        RunObserver& observer = app_.json ? static_cast<RunObserver&>(quiet_) : terminal;
        for (const TriggerReport& r : watcher_.evaluate_triggers(service, o.time_ms, observer, o.source)) {
            std::string at_text = "+" + format_duration(Duration{at_ms});
            if (app_.json) {
                nlohmann::json e = {{"at", at_text}, {"service", r.service}, {"trigger", r.trigger}, {"step", to_string(r.step)},
                                    {"observed", r.observed}};
                if (!r.action.empty()) {
                    e["action"] = r.action;
                    e["rule"] = r.rule;
                    e["outcome"] = to_string(r.outcome);
                    e["message"] = r.message;
                }
                json_.push_back(e);
                continue;
            }
            std::cout << at_text << "  " << r.service << "/" << r.trigger << ": " << to_string(r.step) << "  " << r.observed << "\n";
            if (r.action.empty()) continue;
            std::cout << "    would " << r.action << " (" << r.rule << "): " << to_string(r.outcome) << ": " << r.message << "\n";
            std::istringstream lines(plan.str());
            for (std::string line; std::getline(lines, line);) std::cout << "    " << line << "\n";
            plan.str("");
        }
    }

    void add_json(nlohmann::json entry) { json_.push_back(std::move(entry)); }
    void finish() {
        if (app_.json) std::cout << json_text(json_, 2) << "\n";
    }

private:
    static RunDependencies& with_points(RunDependencies& deps, PointStore& points) {
        deps.points = &points;
        return deps;
    }
    static WatchOptions options(const App& app) {
        WatchOptions o{app.state_dir, true, "backstop simulate"};
        o.fresh = true;
        return o;
    }

    App& app_;
    std::unique_ptr<ProcessRunner> processes_;
    std::unique_ptr<HttpClient> http_;
    std::unique_ptr<HistoryStore> real_history_;
    ReadOnlyHistory history_;
    std::unique_ptr<LockManager> locks_;
    PointStore points_;
    RunDependencies deps_;
    QuietReport quiet_;
    Watcher watcher_;
    std::int64_t start_ms_;
    nlohmann::json json_ = nlohmann::json::array();
};

// One observation per entry (simulate_input.h says which members it reads); every entry is read and
// checked before the first is replayed, so a mistake on line 900 prints nothing but the mistake.
void replay_observations(Simulation& sim, const PolicySet& policies, const std::string& file) {
    std::vector<std::pair<const ServicePolicy*, RecordedObservation>> replay;
    for (const RecordedEntry& entry : read_recording(read_text(file), file)) {
        RecordedObservation recorded = read_recorded_observation(entry);
        const ServicePolicy* svc = policies.find(recorded.service);
        if (!svc) throw Error(entry.where + ": no service `" + recorded.service + "` in the policies");
        if (const SourceSpec* spec = svc->watch.source(recorded.observation.source)) recorded.observation.kind = spec->kind;
        replay.emplace_back(svc, std::move(recorded));
    }
    for (auto& [svc, recorded] : replay) sim.observe(*svc, std::move(recorded.observation), recorded.at_ms);
}

// Every event source and what it matches, for an event that reached none of them.
std::string event_sources_text(const PolicySet& policies) {
    std::string out;
    for (const auto& [name, service] : policies.services)
        for (const SourceSpec& source : service.watch.sources)
            if (source.kind == SourceKind::event)
                out += "\n      " + name + "/" + source.name + " matches " +
                       (source.event().match.empty() ? std::string("only events naming service ") + name : "{" + quoted_labels(source.event().match) + "}");
    return out.empty() ? " (no service has an event source)" : "; event sources:" + out;
}

// An Alertmanager webhook body ("alerts") or a generic event as POST /v1/events takes it, whole or
// one per line; each routed as the daemon routes it, then observed by the sources it reaches. All
// are read before the first is replayed.
void replay_events(Simulation& sim, const App& app, const PolicySet& policies, const std::string& file) {
    std::vector<RecordedEvents> replay;
    for (const RecordedEntry& entry : read_recording(read_text(file), file)) replay.push_back(read_recorded_events(entry));
    for (const RecordedEvents& recorded : replay) {
        const bool alertmanager = recorded.alertmanager;
        const std::int64_t at = recorded.at_ms;
        for (const IncomingEvent& event : recorded.events) {
            std::vector<EventRoute> routes = route_event(policies, event);
            const char* kind = alertmanager ? "alert" : "event";
            if (app.json) {
                nlohmann::json reached = nlohmann::json::array();
                for (const auto& r : routes) reached.push_back({{"service", r.service->name}, {"source", r.source->name}, {"triggers", r.triggers}});
                sim.add_json({{kind, event.name}, {"status", event.firing ? "firing" : "resolved"}, {"labels", event.labels}, {"reaches", reached}});
            } else {
                std::cout << kind << " " << event.name << " (" << (event.firing ? "firing" : "resolved") << ") "
                          << "{" << quoted_labels(event.labels) << "}" << "\n";
                if (routes.empty()) std::cout << "    reaches no event source" << event_sources_text(policies) << "\n";
                for (const auto& r : routes) {
                    std::string triggers;
                    for (const auto& t : r.triggers) triggers += (triggers.empty() ? "" : ", ") + t;
                    std::cout << "    reaches " << r.service->name << "/" << r.source->name
                              << (triggers.empty() ? " (no trigger reads it)" : " (triggers: " + triggers + ")") << "\n";
                }
            }
            for (const auto& r : routes) sim.observe(*r.service, event_observation(*r.source, event, 0), at);
        }
    }
}

}  // namespace

int run_simulate(App& app) {
    auto observations = app.args.value("--observations");
    auto events = app.args.value("--event");
    if (!observations == !events) throw UsageError{"simulate takes one of --observations FILE and --event FILE"};
    PolicyLoadResult loaded = app.load_policies();
    if (loaded.diagnostics.has_errors()) {
        std::cerr << loaded.diagnostics.to_text() << "not simulating: fix the policies first (backstop check)\n";
        return static_cast<int>(Exit::failed);
    }
    Simulation sim(app, loaded.policies);
    if (observations)
        replay_observations(sim, loaded.policies, *observations);
    else
        replay_events(sim, app, loaded.policies, *events);
    sim.finish();
    return 0;
}

}  // namespace backstop::cli
