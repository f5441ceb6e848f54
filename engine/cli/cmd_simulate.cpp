// `backstop simulate --observations FILE`: replay recorded observations through triggers → guards
// → decision → plan, and print what would be done and why. Nothing is observed, acted on or
// recorded; pauses, hotfix announcements and history (for cooldowns) are read as they are now.
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

// One observation per JSON line (or a JSON array of them): {"service", "source", "at" (ms since the
// first observation, or a number of seconds with "at_s"), "status", "value", "latency_ms",
// "http_status", "state", "line", "event", "restarts", "detail"}.
std::vector<nlohmann::json> read_observations(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<nlohmann::json> out;
    auto whole = nlohmann::json::parse(text.str(), nullptr, false);
    if (whole.is_array()) {
        for (auto& j : whole) out.push_back(j);
        return out;
    }
    std::istringstream lines(text.str());
    int n = 0;
    for (std::string line; std::getline(lines, line);) {
        ++n;
        if (line.find_first_not_of(" \t\r") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) throw Error(path + ":" + std::to_string(n) + ": not a JSON object");
        j["__line"] = n;
        out.push_back(j);
    }
    return out;
}

}  // namespace

int run_simulate(App& app) {
    auto file = app.args.value("--observations");
    if (!file) throw UsageError{"usage: backstop simulate --observations FILE [--json]"};
    PolicyLoadResult loaded = app.load_policies();
    if (loaded.diagnostics.has_errors()) {
        std::cerr << loaded.diagnostics.to_text() << "not simulating: fix the policies first (backstop check)\n";
        return static_cast<int>(Exit::failed);
    }
    auto observations = read_observations(*file);

    auto processes = make_process_runner();
    auto http = make_curl_http_client();
    auto real_history = app.history();
    ReadOnlyHistory history(*real_history);
    auto locks = app.locks();
    PointStore points(app.points_dir(), *processes);
    RunDependencies deps{*processes, *http, history, *locks, this_host(), static_cast<long>(::getpid())};
    deps.points = &points;
    WatchOptions options{app.state_dir, true, "backstop simulate"};
    options.fresh = true;
    Watcher watcher(loaded.policies, deps, options);

    QuietReport quiet;
    TerminalReport terminal(std::cout);
    RunObserver& observer = app.json ? static_cast<RunObserver&>(quiet) : terminal;
    const std::int64_t start_ms = now_epoch_ms();
    nlohmann::json out = nlohmann::json::array();
    for (const auto& j : observations) {
        std::string where = *file + (j.contains("__line") ? ":" + std::to_string(j["__line"].get<int>()) : "");
        std::string service_name = j.value("service", "");
        const ServicePolicy* svc = loaded.policies.find(service_name);
        if (!svc) throw Error(where + ": no service `" + service_name + "` in the policies");
        Observation o;
        o.source = j.value("source", "");
        if (!svc->watch.source(o.source) && o.source.empty()) throw Error(where + ": `source` is required");
        std::int64_t at = j.contains("at_s") ? static_cast<std::int64_t>(j["at_s"].get<double>() * 1000) : j.value("at", std::int64_t{0});
        o.time_ms = start_ms + at;
        o.status = status_of(j.value("status", "ok"), where);
        o.value = number_or_unknown(j, "value");
        o.latency_ms = number_or_unknown(j, "latency_ms");
        o.restarts = number_or_unknown(j, "restarts");
        o.http_status = j.value("http_status", 0);
        o.state = j.value("state", "");
        o.matched_line = j.value("line", "");
        o.event = j.value("event", "");
        o.detail = j.value("detail", "simulated");
        if (const SourceSpec* spec = svc->watch.source(o.source)) o.kind = spec->kind;
        watcher.record(*svc, o);
        for (const TriggerReport& r : watcher.evaluate_triggers(*svc, o.time_ms, observer, o.source)) {
            std::string at_text = "+" + format_duration(Duration{at});
            if (app.json) {
                nlohmann::json e = {{"at", at_text}, {"service", r.service}, {"trigger", r.trigger}, {"step", to_string(r.step)},
                                    {"observed", r.observed}};
                if (!r.action.empty()) {
                    e["action"] = r.action;
                    e["rule"] = r.rule;
                    e["outcome"] = to_string(r.outcome);
                    e["message"] = r.message;
                }
                out.push_back(e);
                continue;
            }
            std::cout << at_text << "  " << r.service << "/" << r.trigger << ": " << to_string(r.step) << "  " << r.observed << "\n";
            if (!r.action.empty())
                std::cout << "    would " << r.action << " (" << r.rule << "): " << to_string(r.outcome) << ": " << r.message << "\n";
        }
    }
    if (app.json) std::cout << json_text(out, 2) << "\n";
    return 0;
}

}  // namespace backstop::cli
