// The decision tree used when a service has no [[service.NAME.decide]] rules (after Pi Forge 002):
//   down                                          -> rollback (first level of the ladder)
//   severity == "critical" and hotfix_eta <= 15m  -> hotfix:15m (page; roll back if still firing)
//   severity == "critical"                        -> rollback
//   severity == "warning"                         -> page
//   otherwise                                     -> none
#pragma once

#include <vector>

#include "policy/watch_policy.h"

namespace backstop {

const std::vector<DecisionRule>& default_decision_rules();

}  // namespace backstop
