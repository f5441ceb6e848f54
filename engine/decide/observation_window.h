// The recent observations of one source, and the values triggers derive from them: the latest
// observation, runs of failures, and statistics over a trigger's window and baseline period.
#pragma once

#include <bitset>
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/duration.h"
#include "core/observation.h"
#include "decide/expression.h"
#include "decide/trigger_schema.h"

namespace backstop {

// Which trigger slots an expression reads: only those are computed (percentiles sort).
using TriggerSlots = std::bitset<trigger_slot::count>;

class ObservationWindow {
public:
    // Observations older than `keep` are dropped as new ones arrive.
    explicit ObservationWindow(Duration keep = Duration{3'900'000}) : keep_(keep) {}

    void add(const Observation& o);
    bool empty() const { return head_ == samples_.size(); }
    const Observation& latest() const { return latest_; }
    int consecutive_failures() const { return failures_; }

    // Fills the trigger slots in `wanted` at time `now_ms`. Strings point into this window: keep it
    // unchanged until the values are no longer read.
    void fill(ExpressionValues& values, const TriggerSlots& wanted, Duration window, Duration baseline,
              std::int64_t now_ms) const;

    // For `backstop eval` run by cron: the window survives between runs in the state folder.
    nlohmann::json to_json() const;
    void load_json(const nlohmann::json& j);  // ignores what it does not understand

private:
    struct Sample {
        std::int64_t time_ms;
        ObservationStatus status;
        double value;
        double restarts;
    };
    // Oldest first from head_: dropping old samples moves head_, and the dropped room is reclaimed
    // once it is half the vector (a deque's fixed 512-byte blocks cost a fleet megabytes).
    std::vector<Sample> samples_;
    std::size_t head_ = 0;
    std::span<const Sample> live() const { return {samples_.data() + head_, samples_.size() - head_}; }
    Observation latest_;
    int failures_ = 0, successes_ = 0, unknowns_ = 0;
    Duration keep_;
};

// The slots `expression` reads (names beyond the trigger schema, i.e. rule parameters, are skipped).
TriggerSlots slots_read(const Expression& expression);

// Whether `slots` include a statistic over a window (samples, avg, p95, baseline, restarts_delta…):
// only those need the window's history; the others read the latest look and its runs.
bool reads_statistics(const TriggerSlots& slots);

}  // namespace backstop
