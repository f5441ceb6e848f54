// Environments are merged on the raw tree, before compiling, so every key keeps its own position:
// an error in a value an environment inherits points at the service's line, one in an override at
// the environment's.
#include "policy/service_environments.h"

#include <algorithm>
#include <cctype>

#include "policy/service_compiler.h"

namespace backstop::policy {

namespace {

bool valid_environment_name(const std::string& name) {
    if (name.empty()) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
    return true;
}

// Problems of one [service.NAME.env.ENV] table; false when it is not a table at all.
bool check_environment(const RawMember& env, const std::string& service, Report& report) {
    if (!env.value.is(RawValue::Kind::table)) {
        report.error("wrong-type", env.value.at,
                     "environment `" + env.key + "` must be a table ([" + service + ".env." + env.key + "]), got " +
                         std::string(kind_name(env.value.kind)));
        return false;
    }
    if (!valid_environment_name(env.key))
        report.error("bad-value", env.key_at,
                     "environment name \"" + env.key + "\" may only use letters, digits, '_', '-' and '.'");
    if (const RawValue* v = env.value.find("strategy"))
        report.error("unknown-key", v->at, "`strategy` cannot be set per environment; environments share the service's, in [" + service + "]");
    if (const RawValue* v = env.value.find("env"))
        report.error("unknown-key", v->at, "environments do not nest: `env` cannot be set in [" + service + ".env." + env.key + "]");
    return true;
}

}  // namespace

void lay_over(RawValue& base, const RawValue& over) {
    for (const RawMember& m : over.members) {
        auto it = std::lower_bound(base.members.begin(), base.members.end(), m.key,
                                   [](const RawMember& a, const std::string& k) { return a.key < k; });
        if (it == base.members.end() || it->key != m.key)
            base.members.insert(it, m);
        else if (it->value.is(RawValue::Kind::table) && m.value.is(RawValue::Kind::table))
            lay_over(it->value, m.value);
        else
            *it = m;
    }
}

std::vector<EnvironmentTable> environment_tables(const RawMember& service, Report& report) {
    std::vector<EnvironmentTable> out;
    const RawValue* envs = service.value.find("env");
    if (!envs || !envs->is(RawValue::Kind::table)) return out;
    const std::string label = service_label(service.key);
    if (envs->members.empty())
        report.error("bad-value", envs->at, "[" + label + ".env] names no environment; add [" + label + ".env.NAME] tables");
    // Each environment is a copy of the service's table: the bound keeps a policy file's memory
    // and compile time a small multiple of its size, whatever it holds.
    if (envs->members.size() > kMaxEnvironments) {
        report.error("bad-value", envs->at,
                     "[" + label + ".env] has " + std::to_string(envs->members.size()) + " environments; at most " +
                         std::to_string(kMaxEnvironments) + " are allowed");
        return out;
    }
    RawMember base = service;
    std::erase_if(base.value.members, [](const RawMember& m) { return m.key == "env"; });
    for (const RawMember& env : envs->members) {
        if (!check_environment(env, label, report)) continue;
        EnvironmentTable& t = out.emplace_back();
        t.env = env.key;
        t.merged = base;
        RawValue own = env.value;  // without what check_environment refused, so the rest is still checked
        std::erase_if(own.members, [](const RawMember& m) { return m.key == "strategy" || m.key == "env"; });
        lay_over(t.merged.value, own);
        t.merged.value.at = env.value.at;  // a key missing from both is reported at the environment
    }
    return out;
}

}  // namespace backstop::policy
