// `backstop simulate --observations FILE | --event FILE`: replay recorded observations, or a
// recorded alert or event, through triggers → guards → decision → plan, and print what would be
// done and why. Nothing is observed, acted on or recorded; pauses, hotfix announcements and history
// (for cooldowns) are read as they are now.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/terminal_report.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/json_text.h"
#include "core/run_record.h"
#include "prim/point_store.h"
#include "runtime/watcher.h"
#include "serve/alertmanager_payload.h"
#include "serve/event_routing.h"
#include "serve/incoming_event.h"

namespace backstop::cli {

namespace {

ObservationStatus status_of(const std::string& s, const std::string& where) {
    if (s == "ok") return ObservationStatus::ok;
    if (s == "failed") return ObservationStatus::failed;
    if (s == "unknown") return ObservationStatus::unknown;
    throw Error(where + ": status must be \"ok\", \"failed\" or \"unknown\", got \"" + s + "\"");
}

double number_or_unknown(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? j[key].get<double>() : Observation::none;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A recording: one JSON value for the whole file (an array is its entries), else one JSON object per
// line (blank lines and # comments skipped). Each entry remembers its place as "FILE:LINE".
struct Entry {
    nlohmann::json value;
    std::string text;   // as written, for parsers that take text
    std::string where;
};

std::vector<Entry> read_entries(const std::string& path) {
    const std::string text = read_text(path);
    std::vector<Entry> out;
    auto whole = nlohmann::json::parse(text, nullptr, false);
    if (whole.is_array()) {
        for (std::size_t i = 0; i < whole.size(); ++i) out.push_back({whole[i], whole[i].dump(), path + ": entry " + std::to_string(i + 1)});
        return out;
    }
    if (whole.is_object()) return {{whole, text, path}};
    std::istringstream lines(text);
    int n = 0;
    for (std::string line; std::getline(lines, line);) {
        ++n;
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        std::string where = path + ":" + std::to_string(n);
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) throw Error(where + ": not a JSON object");
        out.push_back({j, line, where});
    }
    if (out.empty()) throw Error(path + ": no JSON found");
    return out;
}

// "at" (ms) or "at_s" (seconds) after the start of the replay; 0 when neither.
std::int64_t offset_ms(const nlohmann::json& j) {
    if (j.contains("at_s") && j["at_s"].is_number()) return static_cast<std::int64_t>(j["at_s"].get<double>() * 1000);
    if (j.contains("at") && j["at"].is_number()) return j["at"].get<std::int64_t>();
    return 0;
}

std::string labels_text(const std::map<std::string, std::string>& labels) {
    std::string out;
    for (const auto& [k, v] : labels) out += (out.empty() ? "" : ", ") + k + "=\"" + v + "\"";
    return "{" + out + "}";
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

// One observation per entry: {"service", "source", "at" (ms from the start) or "at_s" (seconds),
// "status", "value", "latency_ms", "http_status", "state", "line", "event", "restarts", "detail"}.
void replay_observations(Simulation& sim, const PolicySet& policies, const std::string& file) {
    for (const Entry& entry : read_entries(file)) {
        const nlohmann::json& j = entry.value;
        std::string service_name = j.value("service", "");
        const ServicePolicy* svc = policies.find(service_name);
        if (!svc) throw Error(entry.where + ": no service `" + service_name + "` in the policies");
        Observation o;
        o.source = j.value("source", "");
        if (o.source.empty()) throw Error(entry.where + ": `source` is required");
        o.status = status_of(j.value("status", "ok"), entry.where);
        o.value = number_or_unknown(j, "value");
        o.latency_ms = number_or_unknown(j, "latency_ms");
        o.restarts = number_or_unknown(j, "restarts");
        o.http_status = j.value("http_status", 0);
        o.state = j.value("state", "");
        o.matched_line = j.value("line", "");
        o.event = j.value("event", "");
        o.detail = j.value("detail", "simulated");
        if (const SourceSpec* spec = svc->watch.source(o.source)) o.kind = spec->kind;
        sim.observe(*svc, std::move(o), offset_ms(j));
    }
}

// Every event source and what it matches, for an event that reached none of them.
std::string event_sources_text(const PolicySet& policies) {
    std::string out;
    for (const auto& [name, service] : policies.services)
        for (const SourceSpec& source : service.watch.sources)
            if (source.kind == SourceKind::event)
                out += "\n      " + name + "/" + source.name + " matches " +
                       (source.event().match.empty() ? std::string("only events naming service ") + name : labels_text(source.event().match));
    return out.empty() ? " (no service has an event source)" : "; event sources:" + out;
}

// An Alertmanager webhook body ("alerts") or a generic event as POST /v1/events takes it, whole or
// one per line; each routed as the daemon routes it, then observed by the sources it reaches.
void replay_events(Simulation& sim, const App& app, const PolicySet& policies, const std::string& file) {
    for (const Entry& entry : read_entries(file)) {
        bool alertmanager = entry.value.contains("alerts");
        EventParse parsed = alertmanager ? parse_alertmanager_payload(entry.text) : parse_generic_event(entry.text);
        if (!parsed.ok()) throw Error(entry.where + ": " + parsed.error);
        std::int64_t at = offset_ms(entry.value);
        for (const IncomingEvent& event : parsed.events) {
            std::vector<EventRoute> routes = route_event(policies, event);
            const char* kind = alertmanager ? "alert" : "event";
            if (app.json) {
                nlohmann::json reached = nlohmann::json::array();
                for (const auto& r : routes) reached.push_back({{"service", r.service->name}, {"source", r.source->name}, {"triggers", r.triggers}});
                sim.add_json({{kind, event.name}, {"status", event.firing ? "firing" : "resolved"}, {"labels", event.labels}, {"reaches", reached}});
            } else {
                std::cout << kind << " " << event.name << " (" << (event.firing ? "firing" : "resolved") << ") "
                          << labels_text(event.labels) << "\n";
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
    if (!observations == !events) throw UsageError{"usage: backstop simulate --observations FILE | --event FILE [--json]"};
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
