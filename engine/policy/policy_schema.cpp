// Each section of the key tables becomes a definition; a section with a discriminator (a source's
// `kind`, a channel's `type`, a service's `strategy`) gets one if/then per value, naming the keys
// that apply and those required there, as the compilers check them.
#include "policy/policy_schema.h"

#include <string>

#include "policy/policy_keys.h"
#include "policy/rule_library.h"

namespace backstop::policy {

namespace {

using nlohmann::json;

constexpr const char* kDurationPattern = "^([0-9]+(ms|s|m|h|d))+$";
constexpr const char* kActionPattern = "^(decide|page|none|rollback(:.+)?|hotfix(:([0-9]+(ms|s|m|h|d))+)?)$";

std::string definition_name(Section s) {
    switch (s) {
        case Section::top: return "top";
        case Section::service: return "service";
        case Section::health: return "health";
        case Section::rollback: return "rollback";
        case Section::points: return "points";
        case Section::source: return "source";
        case Section::trigger: return "trigger";
        case Section::rule: return "rules";
        case Section::decide: return "decide";
        case Section::schedule: return "schedule";
        case Section::notify: return "notify";
        case Section::environment: return "environment";
    }
    return "top";
}

json ref(Section s) { return {{"$ref", "#/definitions/" + definition_name(s)}}; }

json string_choices(const KeySpec& key) {
    json s = {{"type", "string"}};
    if (!key.choices.empty()) s["enum"] = json(std::vector<std::string>(key.choices.begin(), key.choices.end()));
    return s;
}

json rule_names() {
    std::vector<std::string> names;
    for (const auto& r : RuleLibrary::builtin().rules()) names.push_back(r.name);
    return {{"type", "array"}, {"items", {{"type", "string"}, {"enum", names}}}};
}

json type_schema(const KeySpec& key) {
    switch (key.type) {
        case KeyType::string: return string_choices(key);
        case KeyType::integer: {
            json s = {{"type", "integer"}};
            if (key.min < key.max) s.update({{"minimum", key.min}, {"maximum", key.max}});
            return s;
        }
        case KeyType::duration: return {{"type", "string"}, {"pattern", kDurationPattern}};
        case KeyType::path: return {{"type", "string"}, {"minLength", 1}};
        case KeyType::argv: return {{"type", "array"}, {"minItems", 1}, {"items", {{"type", "string"}}}};
        case KeyType::strings: return {{"type", "array"}, {"items", string_choices(key)}};
        case KeyType::status_codes:
            return {{"anyOf", json::array({{{"type", "integer"}}, {{"type", "array"}, {"items", {{"type", "integer"}}}}})}};
        case KeyType::string_table: return {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
        case KeyType::action: return {{"type", "string"}, {"pattern", kActionPattern}};
        case KeyType::rule_names: return rule_names();
        case KeyType::table: return ref(key.content);
        case KeyType::tables: return {{"type", "array"}, {"items", ref(key.content)}};
        case KeyType::named_tables: return {{"type", "object"}, {"additionalProperties", ref(key.content)}};
        case KeyType::environments:
            return {{"oneOf", json::array({{{"type", "string"}},
                                           {{"type", "object"},
                                            {"propertyNames", {{"pattern", "^[A-Za-z0-9_.-]+$"}}},
                                            {"additionalProperties", ref(key.content)}}})}};
    }
    return json::object();
}

json key_schema(const KeySpec& key) {
    json s = type_schema(key);
    std::string description(key.description);
    if (!key.default_note.empty()) description += " (default: " + std::string(key.default_note) + ")";
    if (!key.only_for.empty()) description += " [" + std::string(key.only_for) + "]";
    s["description"] = description;
    if (!key.default_value.empty()) s["default"] = json::parse(key.default_value);
    return s;
}

// One if/then per value of the discriminator: which keys apply, which are required.
json discriminated(const SectionSpec& s) {
    json all_of = json::array();
    for (std::string_view value : find_key(s.id, s.discriminator)->choices) {
        json then = json::object();
        const auto& names = key_names(s.id, value);
        if (names.size() != s.keys.size()) then["propertyNames"] = {{"enum", names}};
        std::vector<std::string_view> required;
        for (const KeySpec& k : s.keys) {
            std::string_view list = k.required_for;
            for (std::size_t at = 0; at < list.size();) {
                std::size_t end = std::min(list.find(' ', at), list.size());
                if (list.substr(at, end - at) == value) required.push_back(k.name);
                at = end + 1;
            }
        }
        json when = {{"properties", {{std::string(s.discriminator), {{"const", value}}}}}, {"required", {s.discriminator}}};
        if (!required.empty() && s.id == Section::service) {
            // A service with environments may hold a required key in each environment instead.
            json plain = when;
            plain["not"] = {{"properties", {{"env", {{"type", "object"}}}}}, {"required", {"env"}}};
            all_of.push_back({{"if", plain}, {"then", {{"required", required}}}});
        } else if (!required.empty()) {
            then["required"] = required;
        }
        if (then.empty()) continue;
        all_of.push_back({{"if", when}, {"then", then}});
    }
    return all_of;
}

json section_schema(const SectionSpec& s) {
    json properties = json::object();
    std::vector<std::string_view> required;
    for (const KeySpec& k : s.keys) {
        properties[std::string(k.name)] = key_schema(k);
        if (k.required) required.push_back(k.name);
    }
    json out = {{"type", "object"}, {"description", std::string(s.title) + ": " + std::string(s.description)},
                {"properties", properties}, {"additionalProperties", false}};
    if (!required.empty()) out["required"] = required;
    if (!s.discriminator.empty())
        if (json all_of = discriminated(s); !all_of.empty()) out["allOf"] = all_of;
    return out;
}

// [service.NAME.rules.RULE]: one table per built-in rule, holding the trigger keys but `name` and
// that rule's parameters.
json rules_schema() {
    json rules = json::object();
    for (const auto& rule : RuleLibrary::builtin().rules()) {
        json properties = json::object();
        for (std::string_view name : rule_tuning_key_names()) properties[std::string(name)] = key_schema(*find_key(Section::rule, name));
        for (const auto& [param, value] : rule.params)
            properties[param] = {{"type", "number"}, {"default", value}, {"description", "parameter of the rule " + rule.name}};
        rules[rule.name] = {{"type", "object"}, {"description", rule.description}, {"properties", properties},
                            {"additionalProperties", false}};
    }
    return {{"type", "object"}, {"description", std::string(section(Section::rule).title) + ": " +
                                                    std::string(section(Section::rule).description)},
            {"properties", rules}, {"additionalProperties", false}};
}

}  // namespace

json policy_schema() {
    json definitions = json::object();
    for (const SectionSpec& s : sections()) {
        if (s.id == Section::top) continue;
        definitions[definition_name(s.id)] = s.id == Section::rule ? rules_schema() : section_schema(s);
    }
    json root = section_schema(section(Section::top));
    root["properties"]["service"]["propertyNames"] = {{"pattern", "^[A-Za-z0-9_.-]+$"}};
    json out = {{"$schema", "http://json-schema.org/draft-07/schema#"},
                {"title", "backstop policy"}};
    out.update(root);
    out["description"] = "A backstop policy file (backstop.toml(5)): services, how they are watched and rolled back, "
                         "and notification channels.";
    out["definitions"] = definitions;
    return out;
}

}  // namespace backstop::policy
