#include "core/service_key.h"
#include "runtime/history_stats.h"

namespace backstop {

namespace {

struct Accumulator {
    RollbackStats stats;
    double recovery_ms = 0;
    int timed = 0;  // succeeded runs whose duration is known

    void add(const RunRecord& r) {
        // A dry run changed nothing, whatever it found: never a rollback, never part of MTTR.
        if (r.mode == RunMode::dry_run) {
            ++stats.dry_runs;
            return;
        }
        if (r.manual_entry) ++stats.manual_entries;
        switch (r.outcome) {
            case Outcome::dry_run: ++stats.dry_runs; return;
            case Outcome::refused: ++stats.refused; return;
            case Outcome::running: return;  // still going: no verdict yet
            case Outcome::suppressed:
            case Outcome::paged:
            case Outcome::awaiting_hotfix:
            case Outcome::no_action:
            case Outcome::nothing_to_do:
            case Outcome::verified:
            case Outcome::unhealthy: return;  // runs that changed nothing are not rollbacks
            case Outcome::succeeded:
                ++stats.total;
                ++stats.succeeded;
                // A rollback done by hand has no recorded duration: it counts, but not in MTTR.
                if (!r.manual_entry) {
                    recovery_ms += static_cast<double>(r.duration_ms());
                    ++timed;
                }
                return;
            case Outcome::verify_failed: ++stats.verify_failed; [[fallthrough]];
            case Outcome::failed:
            case Outcome::manual:
            case Outcome::incomplete:
            case Outcome::unrecorded:
                ++stats.total;
                ++stats.failed;
                return;
        }
    }

    RollbackStats done() const {
        RollbackStats s = stats;
        if (s.total) s.success_rate = static_cast<double>(s.succeeded) / s.total;
        if (timed) s.mttr_seconds = recovery_ms / timed / 1000.0;
        return s;
    }
};

}  // namespace

HistoryStats compute_stats(const std::vector<RunRecord>& runs) {
    Accumulator all;
    std::map<std::string, Accumulator> per;
    std::map<std::pair<std::string, std::string>, Accumulator> per_env;
    for (const auto& r : runs) {
        all.add(r);
        per[r.service].add(r);
        per_env[{r.service, r.env}].add(r);
    }
    HistoryStats out;
    out.all = all.done();
    for (const auto& [name, acc] : per) out.per_service[name] = acc.done();
    for (const auto& [key, acc] : per_env) out.per_environment[key] = acc.done();
    return out;
}

nlohmann::json to_json(const RollbackStats& s) {
    return {{"total", s.total},           {"succeeded", s.succeeded},       {"failed", s.failed},
            {"verify_failed", s.verify_failed}, {"refused", s.refused},     {"dry_runs", s.dry_runs}, {"manual_entries", s.manual_entries},
            {"success_rate", s.success_rate},   {"mttr_seconds", s.mttr_seconds}};
}

nlohmann::json to_json(const HistoryStats& s) {
    nlohmann::json j = to_json(s.all);
    nlohmann::json per = nlohmann::json::object();
    for (const auto& [name, st] : s.per_service) per[name] = to_json(st);
    j["per_service"] = per;
    nlohmann::json per_env = nlohmann::json::object();
    for (const auto& [key, st] : s.per_environment)
        if (!key.second.empty()) per_env[service_key(key.first, key.second)] = to_json(st);
    j["per_environment"] = per_env;
    return j;
}

}  // namespace backstop
