// `backstop rules list`: the built-in trigger library (rules/*.toml) with its defaults.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "core/json_text.h"
#include "decide/expression.h"
#include "policy/rule_library.h"

namespace backstop::cli {

namespace {
std::string field(const policy::RuleDefinition& r, std::string_view key, const std::string& fallback = "") {
    const policy::RawValue* v = r.table->find(key);
    return v && v->is(policy::RawValue::Kind::string) ? v->text : fallback;
}
}  // namespace

int run_rules(App& app) {
    const auto& lib = policy::RuleLibrary::builtin();
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : lib.rules()) {
        nlohmann::json params = nlohmann::json::object();
        for (const auto& [name, value] : r.params) params[name] = value;
        out.push_back({{"name", r.name}, {"description", r.description}, {"file", r.file}, {"source", field(r, "source")},
                       {"when", field(r, "when")}, {"for", field(r, "for", "0s")}, {"severity", field(r, "severity", "critical")},
                       {"then", field(r, "then", "decide")}, {"params", params}});
    }
    if (app.json) {
        std::cout << json_text(out, 2) << "\n";
        return 0;
    }
    std::cout << "Built-in rules (enable with use = [\"NAME\"]; tune in [service.NAME.rules.RULE]):\n";
    for (const auto& r : out) {
        std::cout << "\n" << r["name"].get<std::string>() << "  (" << r["file"].get<std::string>() << ")\n"
                  << "  " << r["description"].get<std::string>() << "\n"
                  << "  source \"" << r["source"].get<std::string>() << "\"  when " << r["when"].get<std::string>()
                  << "  for " << r["for"].get<std::string>() << "  severity " << r["severity"].get<std::string>() << "  then "
                  << r["then"].get<std::string>() << "\n";
        std::string defaults;
        for (const auto& [k, v] : r["params"].items()) defaults += (defaults.empty() ? "" : ", ") + k + " = " + format_expression_number(v.get<double>());
        if (!defaults.empty()) std::cout << "  defaults: " << defaults << "\n";
    }
    return 0;
}

}  // namespace backstop::cli
