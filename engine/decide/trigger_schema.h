// The names a trigger's `when` can read — the latest observation of its source and values derived
// from the source's recent history — and the names a decision rule can read about the trigger
// that fired. Slots are fixed, so filling them costs no lookups.
#pragma once

#include <cstddef>

#include "decide/expression_schema.h"

namespace backstop {

namespace trigger_slot {
enum : std::size_t {
    value,
    ok,
    failed,
    unknown,
    latency_ms,
    http_status,
    state,
    line,
    event,
    restarts,
    consecutive_failures,
    consecutive_successes,
    consecutive_unknown,
    samples,
    avg,
    min,
    max,
    p50,
    p95,
    p99,
    baseline,
    restarts_delta,
    count
};
}  // namespace trigger_slot

// A fresh copy of the trigger names, in slot order; rule parameters are added after them.
ExpressionSchema trigger_schema();

namespace decision_slot {
enum : std::size_t { trigger, severity, source, value, down, consecutive_failures, hotfix_eta, event, count };
}  // namespace decision_slot

const ExpressionSchema& decision_schema();

}  // namespace backstop
