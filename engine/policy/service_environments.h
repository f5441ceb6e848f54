// [service.NAME.env.ENV]: each environment of a service is the service's own table with the
// environment's table laid over it; the merged table is then compiled as any service is.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "policy/raw_value.h"
#include "policy/report.h"

namespace backstop::policy {

// Environments a service may have: each is compiled from a copy of the service's table.
inline constexpr std::size_t kMaxEnvironments = 32;

struct EnvironmentTable {
    std::string env;
    RawMember merged;  // the service's member as if written for this environment alone, without `env`
};

// The environments of `service`, in name order; empty when its `env` is not a table (a label, or
// absent). Reports what is wrong with the env tables themselves: an entry that is not a table, a
// name that is not one, `strategy` or `env` inside one, or an empty `env` table.
std::vector<EnvironmentTable> environment_tables(const RawMember& service, Report& report);

// Lays `over`'s members onto `base`: tables merge key by key, anything else (arrays of tables
// included) is replaced. Positions stay those of whichever table a value came from.
void lay_over(RawValue& base, const RawValue& over);

}  // namespace backstop::policy
