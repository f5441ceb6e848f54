// What a service watches and how it decides (issue "triggers"): its sources, the triggers over
// their observations, the decision rules, the schedules and the level ladder. Part of the immutable
// policy model; expressions arrive compiled.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "core/cron_schedule.h"
#include "core/diagnostic.h"
#include "core/duration.h"
#include "core/observation.h"
#include "decide/expression.h"

namespace backstop {

enum class TriggerSeverity { info, warning, critical };

const char* to_string(TriggerSeverity s);

// The `then` of a trigger, decision rule or schedule: "decide", "rollback", "rollback:full",
// "hotfix", "hotfix:15m", "page", "none".
struct ActionSpec {
    enum class Kind { decide, rollback, hotfix, page, none };
    Kind kind = Kind::decide;
    std::string level;             // rollback (and hotfix's fallback): the ladder's first level when empty
    Duration deadline{900'000};    // hotfix: roll back when the trigger still holds after this

    std::string text() const;      // as written in policies
};

// nullopt, with *why, when `text` is not an action; `allow_decide` is false where "decide" would
// loop (in decision rules).
std::optional<ActionSpec> parse_action(std::string_view text, bool allow_decide, std::string* why);

const char* to_string(ActionSpec::Kind k);

// A compiled `when`: the expression with the schema it was compiled against and the constant
// values of its rule parameters (slot, value), filled in before each evaluation.
struct Condition {
    std::string text;
    SourcePosition at;
    std::shared_ptr<const ExpressionSchema> schema;
    std::shared_ptr<const Expression> expression;
    std::vector<std::pair<std::size_t, double>> params;
};

struct TriggerPolicy {
    std::string name;
    std::string rule;      // the built-in rule it comes from (`use`); empty for [[service.X.trigger]]
    std::string source;    // name of the service's source it reads
    Condition when;
    Duration hold{0};      // `for`: the condition must hold this long before the trigger fires
    Duration delay{0};     // after firing, re-check once after this before acting
    Duration window{300'000};     // for avg/p95/restarts_delta…
    Duration baseline{3'600'000}; // `baseline` is the average over this long before the window
    TriggerSeverity severity = TriggerSeverity::critical;
    ActionSpec then;
    Duration cooldown{0};  // 0: the service's `cooldown`
    SourcePosition defined_at;
};

struct DecisionRule {
    Condition when;
    ActionSpec then;
};

struct ScheduleSpec {
    std::string cron_text;
    CronSchedule cron;
    ActionSpec then;
    SourcePosition defined_at;
};

struct WatchSettings {
    std::vector<SourceSpec> sources;
    std::vector<TriggerPolicy> triggers;
    std::vector<DecisionRule> decide;  // empty: the runbook's decide(ctx), else the default tree
    std::vector<ScheduleSpec> schedules;
    Duration cooldown{600'000};        // per service and trigger, after an action

    const SourceSpec* source(const std::string& name) const {
        for (const auto& s : sources)
            if (s.name == name) return &s;
        return nullptr;
    }
};

}  // namespace backstop
