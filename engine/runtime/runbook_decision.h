// decide(ctx) in a runbook: what a fired trigger with `then = "decide"` does when the service has no
// [[service.NAME.decide]] rules. The user runbook's decide wins; otherwise the default runbook's,
// which is the default tree of stdlib backstop.decide.
#pragma once

#include "decide/decision_tree.h"
#include "policy/policy.h"

namespace backstop {

// Always decides. When the user runbook does not load, its decide raises, exceeds its budget or
// returns something that is not an action, the default tree decides instead and
// Decision::error says why (the caller records it).
Decision decide_by_runbook(const ServicePolicy& service, const DecisionInput& input);

// The ctx table decide(ctx) receives.
nlohmann::json decision_context(const ServicePolicy& service, const DecisionInput& input);

}  // namespace backstop
