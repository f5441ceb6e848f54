// The policy loader's entry point and collector: reads each source, hands every [service.NAME]
// table and every [[notify]] table to its compiler and merges the results, refusing a service or a
// channel defined twice. Documents are compiled on several threads when there are many.
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "core/did_you_mean.h"
#include "core/parallel_for.h"
#include "policy/notify_compiler.h"
#include "policy/policy.h"
#include "policy/policy_keys.h"
#include "policy/report.h"
#include "policy/service_compiler.h"
#include "policy/service_environments.h"
#include "policy/toml_reader.h"

namespace backstop {

namespace {

using policy::RawMember;
using policy::RawValue;

void reject_unknown_top_level(const RawValue& root, policy::Report& report) {
    for (const RawMember& m : root.members) {
        if (policy::find_key(policy::Section::top, m.key)) continue;
        std::string message = "unknown top-level key `" + m.key + "`";
        if (!policy::home_of_key(m.key, "NAME").empty())
            message += "; it belongs in a [service.NAME] table";
        else if (auto guess = did_you_mean(m.key, policy::key_names(policy::Section::top)))
            message += "; did you mean `" + *guess + "`?";
        else
            message += "; policies are written as [service.NAME] tables";
        report.error("unknown-key", m.key_at, std::move(message));
    }
}

// The [[notify]] tables of one document: each compiled, names unique across every file, and the
// services they name checked against every service of every file.
void collect_channels(const RawValue& root, const std::filesystem::path& base_dir, const std::set<std::string>& all_services,
                      std::map<std::string, SourcePosition>& channels_seen, policy::Report& report,
                      PolicyLoadResult& result) {
    const RawValue* notify = root.find("notify");
    if (!notify) return;
    if (!notify->is(RawValue::Kind::array)) {
        report.error("wrong-type", notify->at,
                     "`notify` must be an array of tables (write each channel as [[notify]]), got " +
                         std::string(policy::kind_name(notify->kind)));
        return;
    }
    for (const RawValue& table : notify->items) {
        if (!table.is(RawValue::Kind::table)) {
            report.error("wrong-type", table.at,
                         "each `notify` entry must be a table ([[notify]]), got " + std::string(policy::kind_name(table.kind)));
            continue;
        }
        const std::size_t errors_before = report.error_count();
        NotifyChannel channel = policy::compile_notify(table, report, base_dir);
        bool is_new = true;
        if (!channel.name.empty()) {
            const RawValue* name = table.find("name");
            auto [first, fresh] = channels_seen.emplace(channel.name, name ? name->at : table.at);
            is_new = fresh;
            if (!fresh) {
                const SourcePosition& f = first->second;
                report.error("duplicate-notify", name ? name->at : table.at,
                             "notify channel `" + channel.name + "` is already defined at " + f.file + ":" +
                                 std::to_string(f.line) + "; channel names must be unique");
            }
        }
        if (const RawValue* services = table.find("services"); services && services->is(RawValue::Kind::array)) {
            std::vector<std::string_view> known(all_services.begin(), all_services.end());
            for (const RawValue& item : services->items) {
                if (!item.is(RawValue::Kind::string) || all_services.count(item.text)) continue;
                std::string message = "notify channel `" + channel.name + "` names service `" + item.text +
                                      "`, which no policy defines";
                if (auto guess = did_you_mean(item.text, known)) message += "; did you mean `" + *guess + "`?";
                report.warning("unknown-service", item.at, std::move(message));
            }
        }
        if (report.error_count() == errors_before && is_new) result.policies.channels.push_back(std::move(channel));
    }
}

// Every level the [service.NAME] table names — in `levels`, `level`, and the `rollback:LEVEL` of a
// trigger, a rule's tuning, a decision rule or a schedule — where it is written, for `check` to
// match against the service's runbook. Read from the document: the compiled policy keeps no
// positions it does not need.
void collect_level_references(const RawValue& service, std::vector<LevelReference>& out) {
    auto level = [&](const RawValue* v) {
        if (v && v->is(RawValue::Kind::string) && !v->text.empty()) out.push_back({v->text, v->at});
    };
    auto action = [&](const RawValue* then) {
        if (!then || !then->is(RawValue::Kind::string)) return;
        std::string why;
        if (auto a = parse_action(then->text, true, &why); a && !a->level.empty()) out.push_back({a->level, then->at});
    };
    if (const RawValue* rollback = service.find("rollback"); rollback && rollback->is(RawValue::Kind::table)) {
        if (const RawValue* levels = rollback->find("levels"); levels && levels->is(RawValue::Kind::array))
            for (const RawValue& item : levels->items) level(&item);
        level(rollback->find("level"));
    }
    for (const char* key : {"trigger", "decide", "schedule"})
        if (const RawValue* list = service.find(key); list && list->is(RawValue::Kind::array))
            for (const RawValue& item : list->items)
                if (item.is(RawValue::Kind::table)) action(item.find("then"));
    if (const RawValue* rules = service.find("rules"); rules && rules->is(RawValue::Kind::table))
        for (const RawMember& rule : rules->members)
            if (rule.value.is(RawValue::Kind::table)) action(rule.value.find("then"));
}

// One [service.NAME] table of a document, compiled: one policy, or one per environment.
struct CompiledService {
    std::string name;
    SourcePosition at;                    // of its table: where a second definition points to
    std::vector<ServicePolicy> policies;  // empty when it is not a table (the error says so)
    std::vector<std::vector<LevelReference>> levels;  // of each policy
    Diagnostics diagnostics;              // its own problems
    bool clean = false;                   // compiled without errors
};

// Each environment compiled on its own; a problem of a key the environments inherit is found in
// each, and reported once.
void compile_environments(const RawMember& service, const PolicySource& source, policy::Report& report,
                          policy::CompileCache& cache, CompiledService& out) {
    std::set<std::tuple<std::string, int, int, std::string>> seen;
    for (policy::EnvironmentTable& env : policy::environment_tables(service, report)) {
        Diagnostics own;
        policy::Report env_report(source.text, own);
        out.policies.push_back(policy::compile_service(env.merged, source, env_report, cache, env.env));
        collect_level_references(env.merged.value, out.levels.emplace_back());
        for (const Diagnostic& d : own.items())
            if (seen.emplace(d.code, d.where.line, d.where.column, d.where.file).second) out.diagnostics.add(d);
    }
}

void compile_service_table(const RawMember& service, const PolicySource& source, policy::CompileCache& cache,
                           CompiledService& out) {
    out.name = service.key;
    out.at = service.value.at;
    policy::Report report(source.text, out.diagnostics);
    if (!service.value.is(RawValue::Kind::table)) {
        report.error("wrong-type", service.value.at,
                     "service `" + service.key + "` must be a table ([" + policy::service_label(service.key) + "]), got " +
                         std::string(policy::kind_name(service.value.kind)));
        return;
    }
    if (const RawValue* env = service.value.find("env"); env && env->is(RawValue::Kind::table)) {
        compile_environments(service, source, report, cache, out);
    } else {
        out.policies.push_back(policy::compile_service(service, source, report, cache));
        collect_level_references(service.value, out.levels.emplace_back());
    }
    out.clean = report.error_count() == 0 && !out.policies.empty();
}

// One document, read and its services compiled; what is left for the merge, which goes in order.
struct CompiledDocument {
    Diagnostics head;  // TOML syntax and top-level problems
    std::vector<CompiledService> services;
    std::vector<std::string> service_names;  // every key of [service], tables or not
    std::optional<RawValue> root;            // kept only when it has [[notify]] tables
};

CompiledDocument compile_document(const PolicySource& source, policy::CompileCache& cache) {
    CompiledDocument doc;
    std::optional<RawValue> root = policy::read_toml(source.text, source.name, doc.head);
    if (!root) return doc;
    policy::Report head(source.text, doc.head);
    reject_unknown_top_level(*root, head);
    const RawValue* services = root->find("service");
    if (services && !services->is(RawValue::Kind::table)) {
        head.error("wrong-type", services->at,
                   "`service` must be a table of services ([service.NAME]), got " + std::string(policy::kind_name(services->kind)));
        services = nullptr;
    }
    if (services)
        for (const RawMember& m : services->members) doc.service_names.push_back(m.key);
    static const std::vector<RawMember> kNone;
    for (const RawMember& service : services ? services->members : kNone)
        compile_service_table(service, source, cache, doc.services.emplace_back());
    if (root->find("notify")) doc.root = std::move(root);
    return doc;
}

// The runbook `compiled` names and the levels written for it, for `check`. Environments sharing a
// runbook share its entry; a level they inherit from the service is listed once per runbook.
void add_references(const ServicePolicy& compiled, std::vector<LevelReference>& levels, PolicyLoadResult& result) {
    std::size_t runbook = LevelReference::kDefaultRunbook;
    if (!compiled.rollback.runbook.empty()) {
        auto same = std::find_if(result.runbooks.begin(), result.runbooks.end(),
                                 [&](const RunbookReference& r) { return r.file == compiled.rollback.runbook; });
        runbook = static_cast<std::size_t>(same - result.runbooks.begin());
        if (same == result.runbooks.end())
            result.runbooks.push_back({compiled.key, compiled.rollback.runbook, compiled.rollback.runbook_at});
    }
    for (LevelReference& level : levels) {
        level.runbook = runbook;
        bool listed = std::any_of(result.levels.begin(), result.levels.end(), [&](const LevelReference& l) {
            return l.runbook == runbook && l.at.line == level.at.line && l.at.column == level.at.column && l.at.file == level.at.file;
        });
        if (!listed) result.levels.push_back(std::move(level));
    }
}

}  // namespace

PolicyLoadResult load_policies(const std::vector<PolicySource>& sources) {
    // Documents are read and compiled independently (in parallel when there are many), each dropped
    // once compiled; the merge then goes in order, so which definition of a service counts as the
    // first, and the order of everything reported, do not depend on the threads.
    policy::CompileCache cache;
    std::vector<CompiledDocument> docs(sources.size());
    parallel_for(sources.size(), 16, 4, [&](std::size_t i) { docs[i] = compile_document(sources[i], cache); });

    PolicyLoadResult result;
    // Where each service was first seen, valid or not: a broken first definition is still the
    // one a second definition collides with.
    std::map<std::string, SourcePosition> first_seen;
    std::set<std::string> all_services;  // a channel may name a service another file defines
    for (CompiledDocument& doc : docs) {
        all_services.insert(doc.service_names.begin(), doc.service_names.end());
        Diagnostics found = std::move(doc.head);
        for (CompiledService& service : doc.services) {
            if (!service.policies.empty()) {
                auto [first, is_new] = first_seen.emplace(service.name, service.at);
                if (!is_new) {
                    const SourcePosition& f = first->second;
                    const PolicySource& source = sources[static_cast<std::size_t>(&doc - docs.data())];
                    found.error("duplicate-service", service.at,
                                "service `" + service.name + "` is already defined at " + f.file + ":" + std::to_string(f.line) +
                                    "; each service belongs to one policy file",
                                line_of(source.text, service.at.line));
                }
                // Compiled even when duplicated so its own problems show up in the same run.
                for (std::size_t i = 0; i < service.policies.size(); ++i) add_references(service.policies[i], service.levels[i], result);
                if (service.clean && is_new)
                    for (ServicePolicy& p : service.policies) result.policies.services.emplace(p.key, std::move(p));
            }
            found.append(service.diagnostics);
        }
        doc.head = std::move(found);
    }
    std::map<std::string, SourcePosition> channels_seen;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        Diagnostics& found = docs[i].head;
        if (docs[i].root) {
            policy::Report report(sources[i].text, found);
            collect_channels(*docs[i].root, sources[i].base_dir, all_services, channels_seen, report, result);
        }
        // toml++ hands tables over in key order; the author reads the file top to bottom.
        found.sort();
        result.diagnostics.append(found);
    }
    return result;
}

}  // namespace backstop
