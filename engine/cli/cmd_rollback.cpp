// `backstop rollback` and `backstop verify [--rollback]`.
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>

#include "cli/terminal_report.h"
#include "core/json_text.h"
#include "cli/verbs.h"
#include "core/error.h"
#include "core/rollback_point.h"
#include "core/run_record.h"
#include "prim/http_client.h"
#include "prim/process_runner.h"
#include "runtime/rollback_runner.h"
#include "runtime/service_verification.h"

namespace backstop::cli {

namespace {

// What is about to be restored, when the target is a rollback point: the person confirming must see
// which point (id, what it was taken for, when and by whom), not only the version it holds.
void print_point(std::ostream& out, const RollbackPoint& p) {
    out << "Rollback point " << p.id << ": " << (p.description.empty() ? "(no description)" : p.description) << "\n"
        << "  created " << format_utc(p.created_ms) << (p.actor.empty() ? "" : " by " + p.actor)
        << (p.host.empty() ? "" : " on " + p.host) << "\n"
        << "  version " << p.version << (p.version_id.empty() || p.version_id == p.version ? "" : " (" + p.version_id + ")")
        << "; " << p.configs.size() << " config file(s), " << p.volumes.size() << " volume(s)\n";
}

bool confirm(const RunRecord& preview, const RollbackPoint* point) {
    print_plan(std::cout, preview);
    if (point) print_point(std::cout, *point);
    std::cout << "Roll back " << preview.service << " from " << preview.from << " to " << preview.to
              << (point ? " (point " + point->id + ")" : "") << "? [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes";
}

int execute(App& app, const PolicySet& policies, const RunRequest& request, bool ask) {
    auto processes = make_process_runner();
    auto http = make_http_client();
    auto history = app.history();
    auto locks = app.locks();
    RunDependencies deps{*processes, *http, *history, *locks, this_host(), static_cast<long>(::getpid())};
    PointStore points(app.points_dir(), *processes);
    deps.points = &points;

    if (ask) {
        ReadOnlyHistory preview_history(*history);
        RunDependencies preview_deps{deps.processes, deps.http, preview_history, deps.locks, deps.host, deps.pid,
                                     deps.getenv, deps.points};
        RunRequest dry = request;
        dry.dry_run = true;
        RunObserver silent;
        RunRecord preview = RollbackRunner(policies, preview_deps).run(dry, silent);
        if (preview.outcome != Outcome::dry_run) {
            print_verdict(std::cout, preview);
            return exit_code_for(preview);
        }
        std::optional<RollbackPoint> point;
        if (request.to && names_point(*request.to)) point = points.find_of(request.service, *request.to);
        if (!confirm(preview, point ? &*point : nullptr)) {
            std::cout << "Not confirmed; nothing changed.\n";
            return static_cast<int>(Exit::failed);
        }
    }

    RunRecord run;
    if (app.json) {
        QuietReport quiet;
        run = RollbackRunner(policies, deps).run(request, quiet);
        std::cout << json_text(to_json(run), 2) << std::endl;
    } else {
        std::cout << (request.dry_run ? "Dry run (nothing will change): " : "Rolling back ") << request.service
                  << (request.emergency ? " [EMERGENCY: verification will be skipped]" : "") << std::endl;
        TerminalReport report(std::cout);
        run = RollbackRunner(policies, deps).run(request, report);
        print_verdict(std::cout, run);
    }
    return exit_code_for(run);
}

RunRequest request_from(const App& app, const std::string& service) {
    RunRequest r;
    r.service = service;
    r.to = app.args.value("--to");
    r.level = app.args.value("--level").value_or("");
    r.dry_run = app.args.has("--dry-run");
    r.emergency = app.args.has("--emergency");
    r.reason = app.args.value("--reason").value_or("");
    r.actor = app.args.value("--actor").value_or(default_actor());
    return r;
}

// A verification not followed by a rollback: recorded (verified or unhealthy) and announced on the
// channels listing its outcome. Exit 0 healthy, 1 unhealthy, 4 healthy but not written to history.
int finish_verification(App& app, const PolicySet& policies, const ServicePolicy& svc, const Verification& v,
                        RunDependencies deps, RunObserver& observer) {
    const RunRequest asked = request_from(app, svc.key);
    RunRecord rec = record_verification(v, svc, policies.channels, deps, {asked.actor, asked.reason}, observer);
    if (app.json) {
        nlohmann::json out = {{"service", svc.key}, {"release", v.release},   {"healthy", v.healthy},
                              {"message", v.message}, {"run_id", rec.run_id}, {"outcome", to_string(rec.outcome)}};
        out["notifications"] = to_json(rec)["notifications"];
        std::cout << json_text(out, 2) << std::endl;
    } else if (rec.history_error.empty()) {
        std::cout << "Recorded as run " << rec.run_id << " (" << to_string(rec.outcome) << ")" << std::endl;
    }
    if (!rec.history_error.empty())
        std::cerr << "backstop: the verification was not written to history: " << rec.history_error << std::endl;
    if (!v.healthy) return static_cast<int>(Exit::failed);
    return static_cast<int>(rec.history_error.empty() ? Exit::ok : Exit::unrecorded);
}

}  // namespace

int run_rollback(App& app) {
    const std::string& name = app.args.positionals[1];
    PolicyLoadResult loaded;
    RunRequest request = request_from(app, app.service(name, loaded)->key);
    bool ask = !request.dry_run && !app.args.has("--yes") && !app.json && ::isatty(STDIN_FILENO);
    return execute(app, loaded.policies, request, ask);
}

int run_verify(App& app) {
    const std::string& name = app.args.positionals[1];
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(name, loaded);
    auto processes = make_process_runner();
    auto http = make_http_client();
    auto history = app.history();
    auto locks = app.locks();
    RunDependencies deps{*processes, *http, *history, *locks, this_host(), static_cast<long>(::getpid())};

    QuietReport quiet;
    TerminalReport report(std::cout);
    RunObserver& observer = app.json ? static_cast<RunObserver&>(quiet) : report;
    if (!app.json) std::cout << "Verifying " << name << std::endl;
    Verification v = verify_service(*svc, deps, observer);
    if (!app.json)
        std::cout << (v.healthy ? "HEALTHY: " : "UNHEALTHY: ") << name << " on " << (v.release.empty() ? "(no release)" : v.release)
                  << ": " << v.message << std::endl;
    if (v.healthy || !app.args.has("--rollback")) return finish_verification(app, loaded.policies, *svc, v, deps, observer);

    RunRequest request = request_from(app, name);
    request.trigger = "health_check";
    std::string why = "verification failed on " + (v.release.empty() ? std::string("(no release)") : v.release) + ": " + v.message;
    request.reason = request.reason.empty() ? why : request.reason + " (" + why + ")";
    return execute(app, loaded.policies, request, false);
}

}  // namespace backstop::cli
