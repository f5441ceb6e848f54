// The `ctx` table a runbook hook receives, built from the policy and the run.
#pragma once

#include <nlohmann/json.hpp>

#include "core/run_record.h"
#include "policy/policy.h"

namespace backstop {

nlohmann::json service_to_json(const ServicePolicy& service);
nlohmann::json run_context(const ServicePolicy& service, const RunRecord& run);

}  // namespace backstop
