// One [service.NAME] table → an immutable ServicePolicy: which keys a service has, which are
// required, their defaults and their bounds.
#pragma once

#include <optional>
#include <string>

#include "policy/compile_cache.h"
#include "policy/policy.h"
#include "policy/raw_value.h"
#include "policy/report.h"

namespace backstop::policy {

// Checks `service` (the member of [service]) and reports every problem. The caller keeps the
// result only when no error was reported, so a half-valid service never reaches the engine.
// `cache` shares what the services of one load have in common. `environment`: the member is one
// environment's merged table (see service_environments.h); empty for a service without them.
ServicePolicy compile_service(const RawMember& service, const PolicySource& source, Report& report,
                              CompileCache& cache, const std::string& environment = {});

// "service.web", or service."web.v2" when the name needs quoting in a TOML header.
std::string service_label(const std::string& name);

// The [service.NAME…] table a key belongs in when written somewhere else, for "belongs in" hints;
// empty when it is nobody's key.
std::string home_of_key(std::string_view key, const std::string& service_name);

}  // namespace backstop::policy
