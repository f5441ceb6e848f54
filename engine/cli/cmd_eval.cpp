// `backstop eval [SERVICE…] [--dry-run]`: evaluate every trigger once and act — for cron and CI.
// Windows, `for` timers and log positions carry over between runs in STATE/watch/.
#include <iostream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/terminal_report.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/json_text.h"
#include "core/run_record.h"
#include "prim/point_store.h"
#include "runtime/watcher.h"

namespace backstop::cli {

int run_eval(App& app) {
    PolicyLoadResult loaded = app.load_policies();
    if (loaded.diagnostics.has_errors()) {
        std::cerr << loaded.diagnostics.to_text() << "not evaluating: fix the policies first (backstop check)\n";
        return static_cast<int>(Exit::failed);
    }
    std::vector<const ServicePolicy*> services;
    // A service with environments is evaluated in each, or in the one --env names.
    const auto env = app.args.value("--env");
    for (std::size_t i = 1; i < app.args.positionals.size(); ++i) {
        const std::string& name = app.args.positionals[i];
        const std::size_t before = services.size();
        std::vector<std::string> envs = loaded.policies.environments(name);
        if (env) envs = {*env};
        for (const std::string& e : envs)
            if (const ServicePolicy* svc = loaded.policies.find(service_key(name, e))) services.push_back(svc);
        if (envs.empty())
            if (const ServicePolicy* svc = loaded.policies.find_named(name)) services.push_back(svc);
        if (services.size() == before)
            throw UsageError{"no service `" + name + "`" + (env ? " in environment `" + *env + "`" : "") + " in " +
                             app.policies_path.string()};
    }
    if (services.empty())
        for (const auto& [name, svc] : loaded.policies.services) services.push_back(&svc);

    auto processes = make_process_runner();
    auto http = make_http_client();
    auto history = app.history();
    auto locks = app.locks();
    PointStore points(app.points_dir(), *processes);
    RunDependencies deps{*processes, *http, *history, *locks, this_host(), static_cast<long>(::getpid())};
    deps.points = &points;
    bool dry = app.args.has("--dry-run");
    Watcher watcher(loaded.policies, deps, WatchOptions{app.state_dir, dry, app.args.value("--actor").value_or("backstop")});

    QuietReport quiet;
    TerminalReport terminal(std::cout);
    RunObserver& observer = app.json ? static_cast<RunObserver&>(quiet) : terminal;
    nlohmann::json out = nlohmann::json::array();
    bool acted_badly = false;
    bool unrecorded = false;  // an action's end could not be written to history
    std::size_t triggers = 0;
    for (const ServicePolicy* svc : services) {
        for (const TriggerReport& r : watcher.evaluate(*svc, now_epoch_ms(), observer)) {
            ++triggers;
            bool fired = !r.action.empty();
            if (fired && (r.outcome == Outcome::failed || r.outcome == Outcome::verify_failed || r.outcome == Outcome::refused))
                acted_badly = true;
            if (fired && !r.history_error.empty()) unrecorded = true;
            if (app.json) {
                nlohmann::json j = {{"service", r.service}, {"trigger", r.trigger}, {"step", to_string(r.step)}, {"observed", r.observed}};
                if (fired) {
                    j["action"] = r.action;
                    j["rule"] = r.rule;
                    j["outcome"] = to_string(r.outcome);
                    j["message"] = r.message;
                    j["run_id"] = r.run_id;
                    if (!r.history_error.empty()) j["history_error"] = r.history_error;
                } else if (!r.message.empty()) {
                    j["message"] = r.message;
                }
                out.push_back(j);
                continue;
            }
            std::cout << r.service << "/" << r.trigger << ": " << to_string(r.step) << "  " << r.observed << "\n";
            if (fired)
                std::cout << "  -> " << r.action << " (" << r.rule << "): " << to_string(r.outcome) << ": " << r.message << "\n";
            else if (!r.message.empty())
                std::cout << "  " << r.message << "\n";
        }
    }
    if (app.json) std::cout << json_text(out, 2) << "\n";
    else if (triggers == 0) std::cout << "no triggers defined; nothing to evaluate\n";
    return static_cast<int>(acted_badly ? Exit::failed : unrecorded ? Exit::unrecorded : Exit::ok);
}

}  // namespace backstop::cli
