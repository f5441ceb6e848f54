// A service's ordered [[service.NAME.decide]] rules: the first whose `when` holds gives the
// action. What the rules read about the fired trigger is a DecisionInput.
#pragma once

#include <string>
#include <vector>

#include "decide/expression_values.h"
#include "decide/trigger_policy.h"

namespace backstop {

struct DecisionInput {
    std::string trigger;
    std::string severity;
    std::string source;
    double value = kUnknownNumber;
    bool down = false;
    double consecutive_failures = 0;
    double hotfix_eta_s = kUnknownNumber;  // seconds until a declared hotfix; NaN: none declared
    std::string event;
};

struct Decision {
    ActionSpec action;
    std::string rule;         // "decide #2: severity == \"critical\"", "default tree: down", "trigger X then"
    std::string explanation;  // the values the rule read: `down=false severity="critical"`
    std::string error;        // a runbook's decide(ctx) failed and the default tree decided instead
};

// nullopt when no rule matched (the caller then does nothing and says so).
// `label` names the rule list in Decision::rule ("decide").
std::optional<Decision> decide_by_rules(const std::vector<DecisionRule>& rules, const DecisionInput& input,
                                        std::string_view label);

}  // namespace backstop
