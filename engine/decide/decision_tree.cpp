#include "decide/decision_tree.h"

#include "decide/trigger_schema.h"

namespace backstop {

std::optional<Decision> decide_by_rules(const std::vector<DecisionRule>& rules, const DecisionInput& in,
                                        std::string_view label) {
    namespace s = decision_slot;
    ExpressionValues values(decision_schema());
    values.set_string(s::trigger, in.trigger);
    values.set_string(s::severity, in.severity);
    values.set_string(s::source, in.source);
    values.set_number(s::value, in.value);
    values.set_boolean(s::down, in.down);
    values.set_number(s::consecutive_failures, in.consecutive_failures);
    values.set_number(s::hotfix_eta, in.hotfix_eta_s);
    values.set_string(s::event, in.event);
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const Expression& e = *rules[i].when.expression;
        if (!e.evaluate(values)) continue;
        return Decision{rules[i].then, std::string(label) + " #" + std::to_string(i + 1) + ": " + rules[i].when.text,
                        e.explain(values), ""};
    }
    return std::nullopt;
}

}  // namespace backstop
