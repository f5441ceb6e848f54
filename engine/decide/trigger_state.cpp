#include "decide/trigger_state.h"

#include <nlohmann/json.hpp>

namespace backstop {

const char* to_string(TriggerStep s) {
    switch (s) {
        case TriggerStep::quiet: return "quiet";
        case TriggerStep::holding: return "holding";
        case TriggerStep::delaying: return "delaying";
        case TriggerStep::fire: return "fire";
        case TriggerStep::active: return "active";
        case TriggerStep::cleared: return "cleared";
    }
    return "quiet";
}

TriggerStep TriggerState::advance(const TriggerPolicy& trigger, bool holds, std::int64_t now_ms, Duration refire_after) {
    if (!holds) {
        holding_since_ms.reset();
        recheck_at_ms.reset();
        if (fired) {
            fired = false;
            hotfix_deadline_ms = 0;
            hotfix_level.clear();
            return TriggerStep::cleared;
        }
        return TriggerStep::quiet;
    }
    if (!holding_since_ms) holding_since_ms = now_ms;
    if (now_ms - *holding_since_ms < trigger.hold.count()) return TriggerStep::holding;
    if (fired && now_ms - fired_ms < refire_after.count()) return TriggerStep::active;
    if (trigger.delay.count() > 0) {
        if (!recheck_at_ms) {
            recheck_at_ms = now_ms + trigger.delay.count();
            return TriggerStep::delaying;
        }
        if (now_ms < *recheck_at_ms) return TriggerStep::delaying;
    }
    recheck_at_ms.reset();
    fired = true;
    fired_ms = now_ms;
    return TriggerStep::fire;
}

std::optional<std::int64_t> TriggerState::next_check_ms(const TriggerPolicy& trigger) const {
    if (fired) return hotfix_deadline_ms ? std::optional<std::int64_t>(hotfix_deadline_ms) : std::nullopt;
    if (recheck_at_ms) return recheck_at_ms;
    if (holding_since_ms) return *holding_since_ms + trigger.hold.count();
    return std::nullopt;
}

nlohmann::json TriggerState::to_json() const {
    nlohmann::json j = {{"fired", fired}, {"fired_ms", fired_ms}};
    if (hotfix_deadline_ms) j["hotfix"] = {{"deadline_ms", hotfix_deadline_ms}, {"level", hotfix_level}};
    if (holding_since_ms) j["holding_since_ms"] = *holding_since_ms;
    if (recheck_at_ms) j["recheck_at_ms"] = *recheck_at_ms;
    return j;
}

void TriggerState::load_json(const nlohmann::json& j) {
    if (!j.is_object()) return;
    fired = j.value("fired", false);
    fired_ms = j.value("fired_ms", std::int64_t{0});
    holding_since_ms.reset();
    recheck_at_ms.reset();
    hotfix_deadline_ms = 0;
    hotfix_level.clear();
    if (const auto& h = j.value("hotfix", nlohmann::json::object()); h.is_object() && !h.empty()) {
        hotfix_deadline_ms = h.value("deadline_ms", std::int64_t{0});
        hotfix_level = h.value("level", "");
    }
    if (j.contains("holding_since_ms") && j["holding_since_ms"].is_number_integer()) holding_since_ms = j["holding_since_ms"].get<std::int64_t>();
    if (j.contains("recheck_at_ms") && j["recheck_at_ms"].is_number_integer()) recheck_at_ms = j["recheck_at_ms"].get<std::int64_t>();
}

}  // namespace backstop
