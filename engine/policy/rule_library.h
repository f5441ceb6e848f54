// The built-in trigger library (rules/*.toml): named trigger templates with tunable parameters that
// a service enables with `use = ["service_down"]` and tunes in [service.NAME.rules.RULE].
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostic.h"
#include "decide/expression_schema.h"
#include "policy/raw_value.h"

namespace backstop::policy {

struct RuleDefinition {
    std::string name;         // "service_down"
    std::string description;
    std::string file;         // "rules/availability.toml"
    std::string_view text;    // that file's text, for quoting lines in diagnostics
    const RawValue* table = nullptr;  // [rule.NAME]: source, when, for, severity, then…
    std::vector<std::pair<std::string, double>> params;  // [rule.NAME.params], defaults in file order
    // The names its `when` (and a service's override of it) may read: the trigger names and the
    // parameters, whose slots are param_slots[i]. One schema for every service using the rule.
    std::shared_ptr<const ExpressionSchema> schema;
    std::vector<std::size_t> param_slots;
};

class RuleLibrary {
public:
    // rules/*.toml as compiled into the binary; read once.
    static const RuleLibrary& builtin();

    const RuleDefinition* find(std::string_view name) const;
    const std::vector<RuleDefinition>& rules() const { return rules_; }
    std::vector<std::string_view> names() const;
    // Problems of the library itself (a broken rules/ file): empty in a good build.
    const Diagnostics& problems() const { return problems_; }

private:
    std::deque<std::string> files_;  // the names the trees' positions point to; a deque never moves them
    std::vector<RawValue> roots_;
    std::vector<RuleDefinition> rules_;
    Diagnostics problems_;
};

}  // namespace backstop::policy
