// `backstop pause SERVICE [--for 30m] [--reason TEXT]` / `backstop resume SERVICE`: planned work
// during which triggers decide but do not act (each held-back action is recorded as suppressed).
#include <iostream>

#include "cli/verbs.h"
#include "core/duration.h"
#include "core/run_record.h"
#include "runtime/hotfix_notice.h"
#include "runtime/service_pause.h"

namespace backstop::cli {

int run_pause(App& app) {
    if (app.args.positionals.size() != 2) throw UsageError{"usage: backstop pause SERVICE [--for DURATION] [--reason TEXT]"};
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(app.args.positionals[1], loaded);
    ServicePause p;
    p.service = svc->name;
    p.since_ms = now_epoch_ms();
    p.actor = app.args.value("--actor").value_or(default_actor());
    p.reason = app.args.value("--reason").value_or("");
    if (auto text = app.args.value("--for")) {
        std::string why;
        auto d = parse_duration(*text, &why);
        if (!d || d->count() <= 0) throw UsageError{"--for: " + (why.empty() ? std::string("must be positive") : why)};
        p.until_ms = p.since_ms + d->count();
    }
    write_pause(app.state_dir, p);
    std::cout << svc->name << " " << describe(p) << "\n";
    return 0;
}

int run_resume(App& app) {
    if (app.args.positionals.size() != 2) throw UsageError{"usage: backstop resume SERVICE"};
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(app.args.positionals[1], loaded);
    bool was = clear_pause(app.state_dir, svc->name);
    std::cout << svc->name << (was ? " resumed: triggers act again\n" : " was not paused\n");
    return 0;
}

int run_hotfix(App& app) {
    const char* usage = "usage: backstop hotfix SERVICE --eta DURATION [--reason TEXT] | hotfix SERVICE --clear";
    if (app.args.positionals.size() != 2) throw UsageError{usage};
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(app.args.positionals[1], loaded);
    if (app.args.has("--clear")) {
        bool was = clear_hotfix_notice(app.state_dir, svc->name);
        std::cout << svc->name << (was ? ": hotfix notice withdrawn\n" : ": no hotfix was announced\n");
        return 0;
    }
    auto text = app.args.value("--eta");
    if (!text) throw UsageError{usage};
    std::string why;
    auto d = parse_duration(*text, &why);
    if (!d || d->count() <= 0) throw UsageError{"--eta: " + (why.empty() ? std::string("must be positive") : why)};
    HotfixNotice n;
    n.service = svc->name;
    n.declared_ms = now_epoch_ms();
    n.eta_ms = n.declared_ms + d->count();
    n.actor = app.args.value("--actor").value_or(default_actor());
    n.reason = app.args.value("--reason").value_or("");
    write_hotfix_notice(app.state_dir, n);
    std::cout << svc->name << ": hotfix expected by " << format_utc(n.eta_ms) << " (decision rules see hotfix_eta)\n";
    return 0;
}

}  // namespace backstop::cli
