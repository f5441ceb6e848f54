// `backstop pause SERVICE [--for 30m] [--reason TEXT]` / `backstop resume SERVICE`: planned work
// during which triggers decide but do not act (each held-back action is recorded as suppressed).
// `backstop hotfix SERVICE --eta 10m | --clear`: a fix announced as on its way.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "core/duration.h"
#include "core/json_text.h"
#include "core/run_record.h"
#include "runtime/hotfix_notice.h"
#include "runtime/service_pause.h"

namespace backstop::cli {

namespace {

struct Moment {
    const char* name;
    std::int64_t ms;
};

// A pause or a hotfix notice now in force. Times as the other verbs' JSON has them: UTC text
// beside epoch milliseconds ("" and 0 for none).
nlohmann::json in_force_json(const std::string& service, const char* what, Moment from, Moment to, const std::string& actor,
                             const std::string& reason) {
    nlohmann::json j = {{"service", service}, {what, true}};
    for (const Moment& m : {from, to}) {
        j[m.name] = m.ms ? format_utc(m.ms) : "";
        j[std::string(m.name) + "_ms"] = m.ms;
    }
    j["actor"] = actor;
    j["reason"] = reason;
    return j;
}

void print_json(const nlohmann::json& j) { std::cout << json_text(j, 2) << "\n"; }

}  // namespace

int run_pause(App& app) {
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(app.args.positionals[1], loaded);
    ServicePause p;
    p.service = svc->key;
    p.since_ms = now_epoch_ms();
    p.actor = app.args.value("--actor").value_or(default_actor());
    p.reason = app.args.value("--reason").value_or("");
    if (auto d = app.args.duration("--for")) p.until_ms = p.since_ms + d->count();
    write_pause(app.state_dir, p);
    if (app.json) print_json(in_force_json(p.service, "paused", {"since", p.since_ms}, {"until", p.until_ms}, p.actor, p.reason));
    else std::cout << svc->key << " " << describe(p) << "\n";
    return 0;
}

int run_resume(App& app) {
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(app.args.positionals[1], loaded);
    bool was = clear_pause(app.state_dir, svc->key);
    if (app.json) print_json({{"service", svc->key}, {"paused", false}, {"was_paused", was}});
    else std::cout << svc->key << (was ? " resumed: triggers act again\n" : " was not paused\n");
    return 0;
}

int run_hotfix(App& app) {
    const bool clear = app.args.has("--clear");
    const auto eta = app.args.duration("--eta");
    if (clear && eta) throw UsageError{"--eta and --clear contradict each other"};
    if (!clear && !eta) throw UsageError{"hotfix needs --eta DURATION, or --clear"};
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(app.args.positionals[1], loaded);
    if (clear) {
        bool was = clear_hotfix_notice(app.state_dir, svc->key);
        if (app.json) print_json({{"service", svc->key}, {"hotfix", false}, {"was_announced", was}});
        else std::cout << svc->key << (was ? ": hotfix notice withdrawn\n" : ": no hotfix was announced\n");
        return 0;
    }
    HotfixNotice n;
    n.service = svc->key;
    n.declared_ms = now_epoch_ms();
    n.eta_ms = n.declared_ms + eta->count();
    n.actor = app.args.value("--actor").value_or(default_actor());
    n.reason = app.args.value("--reason").value_or("");
    write_hotfix_notice(app.state_dir, n);
    if (app.json) print_json(in_force_json(n.service, "hotfix", {"declared", n.declared_ms}, {"eta", n.eta_ms}, n.actor, n.reason));
    else std::cout << svc->key << ": hotfix expected by " << format_utc(n.eta_ms) << " (decision rules see hotfix_eta)\n";
    return 0;
}

}  // namespace backstop::cli
