// The max_attempts guard: how many rollbacks of a service history shows within its window.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/run_record.h"
#include "policy/policy.h"

namespace backstop {

// Runs that count: real (not dry) runs that chose a target and were not refused.
int attempts_within_window(const std::vector<RunRecord>& history, const ServicePolicy& service, std::int64_t now_ms);

// Why a new run must be refused, or nullopt when it may go ahead.
std::optional<std::string> attempts_exhausted(const std::vector<RunRecord>& history, const ServicePolicy& service,
                                              std::int64_t now_ms);

}  // namespace backstop
