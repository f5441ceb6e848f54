#include "decide/default_decisions.h"

#include "core/error.h"
#include "decide/trigger_schema.h"

namespace backstop {

const std::vector<DecisionRule>& default_decision_rules() {
    static const std::vector<DecisionRule> rules = [] {
        const std::pair<const char*, const char*> tree[] = {
            {"down", "rollback"},
            {"severity == \"critical\" and hotfix_eta <= 15m", "hotfix:15m"},
            {"severity == \"critical\"", "rollback"},
            {"severity == \"warning\"", "page"},
            {"true", "none"},
        };
        auto schema = std::shared_ptr<const ExpressionSchema>(&decision_schema(), [](const ExpressionSchema*) {});
        std::vector<DecisionRule> out;
        for (const auto& [when, then] : tree) {
            auto compiled = compile_expression(when, *schema);
            std::string why;
            auto action = parse_action(then, false, &why);
            if (!compiled.ok() || !action) throw Error(std::string("built-in decision rule does not compile: ") + when);
            DecisionRule r;
            r.when.text = when;
            r.when.at = {"built-in decision tree", 0, 0};
            r.when.schema = schema;
            r.when.expression = std::make_shared<const Expression>(std::move(*compiled.expression));
            r.then = *action;
            out.push_back(std::move(r));
        }
        return out;
    }();
    return rules;
}

}  // namespace backstop
