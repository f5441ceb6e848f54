#include "policy/rule_library.h"

#include "decide/trigger_schema.h"
#include "policy/builtin_rules.h"
#include "policy/toml_reader.h"

namespace backstop::policy {

const RuleLibrary& RuleLibrary::builtin() {
    static const RuleLibrary library = [] {
        RuleLibrary lib;
        auto files = builtin_rule_files();
        lib.roots_.reserve(files.size());  // rules point into roots_: no reallocation after this
        for (const auto& file : files) {
            const std::string& name = lib.files_.emplace_back(file.path);
            auto root = read_toml(file.source, name, lib.problems_);
            if (root) lib.roots_.push_back(std::move(*root));
            else continue;
            const RawValue* rules = lib.roots_.back().find("rule");
            if (!rules || !rules->is(RawValue::Kind::table)) continue;
            for (const RawMember& m : rules->members) {
                RuleDefinition def;
                def.name = m.key;
                def.file = std::string(file.path);
                def.text = file.source;
                def.table = &m.value;
                if (const RawValue* d = m.value.find("description"); d && d->is(RawValue::Kind::string)) def.description = d->text;
                if (const RawValue* params = m.value.find("params"); params && params->is(RawValue::Kind::table)) {
                    for (const RawMember& p : params->members) {
                        if (p.value.is(RawValue::Kind::integer)) def.params.emplace_back(p.key, static_cast<double>(p.value.integer));
                        else if (p.value.is(RawValue::Kind::floating)) def.params.emplace_back(p.key, p.value.floating);
                        else lib.problems_.error("wrong-type", p.value.at, "rule parameter `" + p.key + "` must be a number");
                    }
                }
                auto schema = std::make_shared<ExpressionSchema>(trigger_schema());
                for (const auto& [name, value] : def.params)
                    def.param_slots.push_back(schema->add(name, ValueType::number, "rule parameter"));
                def.schema = std::move(schema);
                lib.rules_.push_back(std::move(def));
            }
        }
        return lib;
    }();
    return library;
}

const RuleDefinition* RuleLibrary::find(std::string_view name) const {
    for (const auto& r : rules_)
        if (r.name == name) return &r;
    return nullptr;
}

std::vector<std::string_view> RuleLibrary::names() const {
    std::vector<std::string_view> out;
    for (const auto& r : rules_) out.push_back(r.name);
    return out;
}

}  // namespace backstop::policy
