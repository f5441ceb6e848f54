// The policy loader's entry point and collector: reads each source, hands every [service.NAME]
// table and every [[notify]] table to its compiler and merges the results, refusing a service or a
// channel defined twice.
#include <array>
#include <map>
#include <set>

#include "core/did_you_mean.h"
#include "policy/notify_compiler.h"
#include "policy/policy.h"
#include "policy/report.h"
#include "policy/service_compiler.h"
#include "policy/toml_reader.h"

namespace backstop {

namespace {

using policy::RawMember;
using policy::RawValue;

constexpr std::array<std::string_view, 2> kTopLevelKeys = {"service", "notify"};

void reject_unknown_top_level(const RawValue& root, policy::Report& report) {
    for (const RawMember& m : root.members) {
        if (m.key == "service" || m.key == "notify") continue;
        std::string message = "unknown top-level key `" + m.key + "`";
        if (!policy::home_of_key(m.key, "NAME").empty())
            message += "; it belongs in a [service.NAME] table";
        else if (auto guess = did_you_mean(m.key, kTopLevelKeys))
            message += "; did you mean `" + *guess + "`?";
        else
            message += "; policies are written as [service.NAME] tables";
        report.error("unknown-key", m.key_at, std::move(message));
    }
}

// The [[notify]] tables of one document: each compiled, names unique across every file, and the
// services they name checked against every service of every file.
void collect_channels(const RawValue& root, const std::set<std::string>& all_services,
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
        NotifyChannel channel = policy::compile_notify(table, report);
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

}  // namespace

PolicyLoadResult load_policies(const std::vector<PolicySource>& sources) {
    PolicyLoadResult result;
    // Where each service was first seen, valid or not: a broken first definition is still the
    // one a second definition collides with.
    std::map<std::string, SourcePosition> first_seen;
    std::map<std::string, SourcePosition> channels_seen;

    // Every document is read first: a channel may name a service another file defines.
    std::vector<std::optional<RawValue>> roots;
    std::vector<Diagnostics> syntax(sources.size());
    std::set<std::string> all_services;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        roots.push_back(policy::read_toml(sources[i].text, sources[i].name, syntax[i]));
        const RawValue* services = roots.back() ? roots.back()->find("service") : nullptr;
        if (services && services->is(RawValue::Kind::table))
            for (const RawMember& m : services->members) all_services.insert(m.key);
    }

    for (std::size_t i = 0; i < sources.size(); ++i) {
        const PolicySource& source = sources[i];
        Diagnostics& found = syntax[i];
        policy::Report report(source.text, found);
        if (const auto& root = roots[i]) {
            reject_unknown_top_level(*root, report);
            const RawValue* services = root->find("service");
            if (services && !services->is(RawValue::Kind::table)) {
                report.error("wrong-type", services->at,
                             "`service` must be a table of services ([service.NAME]), got " +
                                 std::string(policy::kind_name(services->kind)));
                services = nullptr;
            }
            static const std::vector<RawMember> kNone;
            for (const RawMember& service : services ? services->members : kNone) {
                if (!service.value.is(RawValue::Kind::table)) {
                    report.error("wrong-type", service.value.at,
                                 "service `" + service.key + "` must be a table ([" +
                                     policy::service_label(service.key) + "]), got " +
                                     std::string(policy::kind_name(service.value.kind)));
                    continue;
                }
                auto [first, is_new] = first_seen.emplace(service.key, service.value.at);
                if (!is_new) {
                    const SourcePosition& f = first->second;
                    report.error("duplicate-service", service.value.at,
                                 "service `" + service.key + "` is already defined at " + f.file + ":" +
                                     std::to_string(f.line) + "; each service belongs to one policy file");
                }
                // Compiled even when duplicated so its own problems show up in the same run.
                const std::size_t errors_before = report.error_count();
                ServicePolicy compiled = policy::compile_service(service, source, report);
                if (!compiled.rollback.runbook.empty())
                    result.runbooks.push_back({compiled.name, compiled.rollback.runbook, compiled.rollback.runbook_at});
                if (report.error_count() == errors_before && is_new)
                    result.policies.services.emplace(service.key, std::move(compiled));
            }
            collect_channels(*root, all_services, channels_seen, report, result);
        }
        // toml++ hands tables over in key order; the author reads the file top to bottom.
        found.sort();
        result.diagnostics.append(found);
    }
    return result;
}

}  // namespace backstop
