// A compiled trigger and decision rule: the `when` expression with its schema and parameters, and
// what to do when it holds. The policy compiler builds them; decide/ evaluates them.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostic.h"
#include "core/duration.h"
#include "decide/action_spec.h"
#include "decide/expression.h"

namespace backstop {

enum class TriggerSeverity { info, warning, critical };

const char* to_string(TriggerSeverity s);

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

}  // namespace backstop
