// The policy loader's entry point and collector: reads each source, hands every [service.NAME]
// table to the compiler and merges the results, refusing a service defined in two files.
#include <array>
#include <map>

#include "core/did_you_mean.h"
#include "policy/policy.h"
#include "policy/report.h"
#include "policy/service_compiler.h"
#include "policy/toml_reader.h"

namespace backstop {

namespace {

using policy::RawMember;
using policy::RawValue;

constexpr std::array<std::string_view, 1> kTopLevelKeys = {"service"};

void reject_unknown_top_level(const RawValue& root, policy::Report& report) {
    for (const RawMember& m : root.members) {
        if (m.key == "service") continue;
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

}  // namespace

PolicyLoadResult load_policies(const std::vector<PolicySource>& sources) {
    PolicyLoadResult result;
    // Where each service was first seen, valid or not: a broken first definition is still the
    // one a second definition collides with.
    std::map<std::string, SourcePosition> first_seen;

    for (const PolicySource& source : sources) {
        Diagnostics found;
        policy::Report report(source.text, found);
        if (auto root = policy::read_toml(source.text, source.name, found)) {
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
        }
        // toml++ hands tables over in key order; the author reads the file top to bottom.
        found.sort();
        result.diagnostics.append(found);
    }
    return result;
}

}  // namespace backstop
