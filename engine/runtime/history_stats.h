// Summary figures over history: how often rollbacks work and how long recovery takes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/run_record.h"

namespace backstop {

struct RollbackStats {
    int total = 0;          // real runs that reached an end: succeeded + failed
    int succeeded = 0;
    int failed = 0;         // failed, verify_failed, incomplete and unrecorded
    int verify_failed = 0;
    int refused = 0;        // counted apart: nothing was attempted
    int dry_runs = 0;
    int manual_entries = 0;   // rollbacks done by hand (`history add`), counted in the figures above
    double success_rate = 0;  // succeeded / total, 0 when total is 0
    double mttr_seconds = 0;  // mean duration of succeeded runs backstop made: from start to verified
};

struct HistoryStats {
    RollbackStats all;
    std::map<std::string, RollbackStats> per_service;  // by service name, its environments together
    // By (service, env), env empty for runs without one: the rows `history stats` prints.
    std::map<std::pair<std::string, std::string>, RollbackStats> per_environment;
};

HistoryStats compute_stats(const std::vector<RunRecord>& runs);
nlohmann::json to_json(const RollbackStats& s);
nlohmann::json to_json(const HistoryStats& s);

}  // namespace backstop
