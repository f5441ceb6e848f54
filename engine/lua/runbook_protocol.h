// What backstop and its runbook process say to each other about a runbook (requests, load
// results, hook outcomes), as the messages of runbook_channel.h. Primitive calls are remote_host.h.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/diagnostic.h"
#include "lua/runbook_types.h"

namespace backstop::lua {

// What a loaded runbook offers, as the runbook process reports it after each load.
struct RunbookState {
    std::set<std::string> hooks;
    std::set<std::string> user_hooks;
    std::vector<std::string> levels;
    Diagnostics warnings;
};

nlohmann::json encode(const RunbookState& state);
RunbookState decode_state(const nlohmann::json& j);

nlohmann::json encode(const HookOutcome& outcome);
HookOutcome decode_outcome(const nlohmann::json& j);

nlohmann::json encode(const RunbookLoadError& error);
RunbookLoadError decode_load_error(const nlohmann::json& j);

}  // namespace backstop::lua
