// What a caller asks of a rollback run, whoever the caller is (CLI, a health check, later a trigger).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace backstop {

struct RunRequest {
    std::string service;
    std::optional<std::string> to;  // release name; default: newest release older than current
    std::string level;              // "" = the policy's default level
    bool dry_run = false;
    bool emergency = false;         // skip verification
    std::string reason;
    std::string actor;
    std::string trigger = "manual";
    nlohmann::json decision;  // why backstop acts by itself (trigger, observed values, rule); null by hand
    // When the run starts, epoch ms; 0: now. A replay (simulate, test) passes its own clock, so
    // max_attempts counts the replay's runs in the replay's time.
    std::int64_t started_ms = 0;
};

}  // namespace backstop
