// `backstop simulate --observations FILE | --event FILE`: replay recorded observations, or a
// recorded alert or event, through triggers → guards → decision → plan, and print what would be
// done and why. Nothing is observed, acted on or recorded; pauses, hotfix announcements and history
// (for cooldowns) are read as they are now.
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/simulate_input.h"
#include "cli/simulation.h"
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

// A planned run's steps for --json: names in order, with what each would do and how it ended.
nlohmann::json plan_json(const std::vector<StepRecord>& steps) {
    nlohmann::json out = nlohmann::json::array();
    for (const StepRecord& s : steps) out.push_back({{"name", s.name}, {"detail", s.detail}, {"status", to_string(s.status)}});
    return out;
}

// Prints what the simulation did (or gathers it for --json).
class Printer {
public:
    explicit Printer(bool json) : json_(json) {}

    void steps(const std::vector<SimulatedStep>& steps) {
        for (const SimulatedStep& s : steps) {
            const TriggerReport& r = s.report;
            std::string at_text = "+" + format_duration(Duration{s.at_ms});
            if (json_) {
                nlohmann::json e = {{"at", at_text}, {"service", r.service}, {"trigger", r.trigger}, {"step", to_string(r.step)},
                                    {"observed", r.observed}};
                if (!r.action.empty()) {
                    e["action"] = r.action;
                    e["rule"] = r.rule;
                    e["outcome"] = to_string(r.outcome);
                    e["message"] = r.message;
                }
                if (!r.guard.empty()) e["guard"] = r.guard;
                if (r.rolled_back) {
                    e["to"] = r.to;
                    e["plan"] = plan_json(s.plan_steps);
                }
                out_.push_back(e);
                continue;
            }
            std::cout << at_text << "  " << r.service << "/" << r.trigger << ": " << to_string(r.step) << "  " << r.observed << "\n";
            if (r.action.empty()) continue;
            std::cout << "    would " << r.action << " (" << r.rule << "): " << to_string(r.outcome) << ": " << r.message << "\n";
            std::istringstream lines(s.plan);
            for (std::string line; std::getline(lines, line);) std::cout << "    " << line << "\n";
        }
    }
    bool json() const { return json_; }
    void add_json(nlohmann::json entry) { out_.push_back(std::move(entry)); }
    void finish() {
        if (json_) std::cout << json_text(out_, 2) << "\n";
    }

private:
    bool json_;
    nlohmann::json out_ = nlohmann::json::array();
};

// One observation per entry (simulate_input.h says which members it reads); every entry is read and
// checked before the first is replayed, so a mistake on line 900 prints nothing but the mistake.
void replay_observations(Simulation& sim, Printer& print, const PolicySet& policies, const std::string& file) {
    for (ReplayedObservation& o : read_replay_observations(policies, read_recording_file(file), file))
        print.steps(sim.observe(*o.service, std::move(o.observation), o.at_ms));
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
void replay_events(Simulation& sim, Printer& print, const PolicySet& policies, const std::string& file) {
    for (const ReplayedEvent& e : read_replay_events(policies, read_recording_file(file), file)) {
        const char* kind = e.alertmanager ? "alert" : "event";
        const IncomingEvent& event = e.event;
        if (print.json()) {
            nlohmann::json reached = nlohmann::json::array();
            for (const auto& r : e.routes) reached.push_back({{"service", r.service->key}, {"source", r.source->name}, {"triggers", r.triggers}});
            print.add_json({{kind, event.name}, {"status", event.firing ? "firing" : "resolved"}, {"labels", event.labels}, {"reaches", reached}});
        } else {
            std::cout << kind << " " << event.name << " (" << (event.firing ? "firing" : "resolved") << ") "
                      << "{" << quoted_labels(event.labels) << "}" << "\n";
            if (e.routes.empty()) std::cout << "    reaches no event source" << event_sources_text(policies) << "\n";
            for (const auto& r : e.routes) {
                std::string triggers;
                for (const auto& t : r.triggers) triggers += (triggers.empty() ? "" : ", ") + t;
                std::cout << "    reaches " << r.service->key << "/" << r.source->name
                          << (triggers.empty() ? " (no trigger reads it)" : " (triggers: " + triggers + ")") << "\n";
            }
        }
        print.steps(sim.observe(e));
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
    Simulation sim(app, loaded.policies, !app.json);
    Printer print(app.json);
    if (observations)
        replay_observations(sim, print, loaded.policies, *observations);
    else
        replay_events(sim, print, loaded.policies, *events);
    print.finish();
    return 0;
}

}  // namespace backstop::cli
