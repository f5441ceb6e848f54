// One trigger's life between evaluations: how long its condition has held (`for`), the re-check
// after `delay`, and whether it has fired and not cleared since. Pure: time comes in as a number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "decide/trigger_policy.h"

namespace backstop {

enum class TriggerStep {
    quiet,     // the condition does not hold
    holding,   // it holds, but not yet for `for`
    delaying,  // it held long enough; acting after the `delay` re-check
    fire,      // act now
    active,    // it fired before and still holds: nothing new to do
    cleared,   // it fired before and no longer holds
};

const char* to_string(TriggerStep s);

struct TriggerState {
    std::optional<std::int64_t> holding_since_ms;
    std::optional<std::int64_t> recheck_at_ms;
    bool fired = false;
    std::int64_t fired_ms = 0;
    std::int64_t hotfix_deadline_ms = 0;  // a hotfix is awaited until then; 0: none
    std::string hotfix_level;             // where the rollback starts if the deadline passes

    // Advances by one evaluation whose condition was `holds` at `now_ms`. A trigger that stays
    // active fires again once `refire_after` has passed since it last fired (the guards then
    // decide whether acting again is allowed).
    TriggerStep advance(const TriggerPolicy& trigger, bool holds, std::int64_t now_ms, Duration refire_after);

    // When the trigger must be evaluated again though nothing new was observed: its `for` ends, its
    // `delay` re-check is due or an awaited hotfix's deadline passes. nullopt: only an observation
    // can change what it does.
    std::optional<std::int64_t> next_check_ms(const TriggerPolicy& trigger) const;

    nlohmann::json to_json() const;
    void load_json(const nlohmann::json& j);
};

}  // namespace backstop
