// `backstop history`, `backstop history stats` and `backstop history badge SERVICE`.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/service_key.h"
#include "cli/verbs.h"
#include "core/json_text.h"
#include "runtime/history_badge.h"
#include "runtime/history_stats.h"
#include "runtime/notifier.h"
#include "runtime/unfinished_runs.h"

namespace backstop::cli {

namespace {

std::string cut(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "~"; }

std::string col(const std::string& s, std::size_t n) {
    std::string c = cut(s, n);
    return c + std::string(n + 1 - c.size(), ' ');
}

int print_stats(App& app, const std::vector<RunRecord>& runs) {
    HistoryStats stats = compute_stats(runs);
    if (app.json) {
        std::cout << json_text(to_json(stats), 2) << "\n";
        return 0;
    }
    auto line = [](const std::string& who, const std::string& env, const RollbackStats& s) {
        char buf[320];
        std::snprintf(buf, sizeof buf, "%-20s %-10s %6d %9d %6d %8.1f%% %9.1fs %8d %8d %8d\n", who.c_str(), env.c_str(), s.total,
                      s.succeeded, s.failed, s.success_rate * 100.0, s.mttr_seconds, s.refused, s.dry_runs, s.manual_entries);
        return std::string(buf);
    };
    std::printf("%-20s %-10s %6s %9s %6s %9s %10s %8s %8s %8s\n", "SERVICE", "ENV", "TOTAL", "SUCCEEDED", "FAILED", "SUCCESS",
                "MTTR", "REFUSED", "DRY-RUNS", "BY-HAND");
    for (const auto& [key, s] : stats.per_environment) std::cout << line(key.first, key.second.empty() ? "-" : key.second, s);
    std::cout << line("(all)", "", stats.all);
    return 0;
}

// `history`, `history stats` and `history badge` read; the options of `history add` make no sense there.
void refuse_add_options(const Args& args, const std::string& form) {
    for (const char* option : {"--from", "--to", "--reason", "--outcome", "--actor", "--dry-run"})
        if (args.has(option)) throw UsageError{std::string(option) + " is for `history add`, not `" + form + "`"};
}

// The shields.io endpoint JSON of the service's newest telling run, as `serve` answers GET /v1/badge/SERVICE.json.
int print_badge(App& app, const std::string& service) {
    if (app.args.has("--limit") || app.args.has("--service"))
        throw UsageError{"history badge takes its service as an argument, and neither --service nor --limit"};
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(service, loaded);  // an unknown service is an error, not a grey badge
    std::cout << json_text(service_badge(svc->key, *app.history(), *app.locks())) << "\n";
    return 0;
}

}  // namespace

int run_history(App& app) {
    const auto& pos = app.args.positionals;
    // The verb table allows only `stats`, `add` or `badge` there, and a second operand.
    if (pos.size() >= 2 && pos[1] == "add") {
        if (pos.size() < 3) throw UsageError{"history add needs the SERVICE it records"};
        return run_history_add(app);
    }
    if (pos.size() >= 2 && pos[1] == "badge") {
        if (pos.size() < 3) throw UsageError{"history badge needs a SERVICE"};
        refuse_add_options(app.args, "history badge");
        return print_badge(app, pos[2]);
    }
    if (pos.size() == 3) throw UsageError{"unexpected argument `" + pos[2] + "`"};
    bool stats = pos.size() == 2;
    refuse_add_options(app.args, stats ? "history stats" : "history");
    if (stats && app.args.has("--limit")) throw UsageError{"history stats counts every run; --limit is for the list"};

    std::vector<RunRecord> runs = app.history()->load();
    auto locks = app.locks();
    mark_incomplete_runs(runs, *locks);
    // --service NAME keeps every environment of it (or NAME@ENV one); --env keeps one environment.
    if (auto s = app.args.value("--service"))
        std::erase_if(runs, [&](const RunRecord& r) { return r.service != *s && service_key(r.service, r.env) != *s; });
    if (auto env = app.args.value("--env")) std::erase_if(runs, [&](const RunRecord& r) { return r.env != *env; });
    if (stats) return print_stats(app, runs);

    std::stable_sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.started_ms > b.started_ms; });
    std::size_t limit = app.args.count("--limit").value_or(20);
    if (runs.size() > limit) runs.resize(limit);

    if (app.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& r : runs) list.push_back(to_json(r));
        std::cout << json_text(list, 2) << "\n";
        return 0;
    }
    if (runs.empty()) {
        std::cout << "No runs recorded in " << app.history_file().string() << "\n";
        return 0;
    }
    std::cout << col("STARTED", 20) << col("SERVICE", 12) << col("ENV", 8) << col("FROM -> TO", 22) << col("MODE", 9) << col("OUTCOME", 13)
              << col("TIME", 7) << col("ACTOR", 10) << col("TRIGGER", 12) << "REASON\n";
    for (const auto& r : runs) {
        char secs[16];
        std::snprintf(secs, sizeof secs, "%.1fs", static_cast<double>(r.duration_ms()) / 1000.0);
        std::string started = format_utc(r.started_ms).substr(0, 19);
        started[10] = ' ';
        std::cout << col(started, 20) << col(r.service, 12) << col(r.env.empty() ? "-" : r.env, 8) << col((r.from.empty() ? "?" : r.from) + " -> " + (r.to.empty() ? "?" : r.to), 22)
                  << col(r.manual_entry ? "by hand" : to_string(r.mode), 9) << col(to_string(r.outcome), 13) << col(secs, 7) << col(r.actor, 10)
                  << col(r.trigger, 12) << r.reason << "\n";
        if (r.outcome != Outcome::succeeded && r.outcome != Outcome::dry_run && !r.message.empty())
            std::cout << "    " << r.message << "\n";
        if (r.manual_entry) std::cout << "    manual entry: done by hand, recorded with `backstop history add`\n";
        if (!r.notifications.empty()) std::cout << "    notified: " << notifications_summary(r.notifications) << "\n";
    }
    return 0;
}

}  // namespace backstop::cli
