// The history a replay (simulate, test) reads: the real records, plus the actions the replay itself
// took, as if they had been done, so cooldowns and max_attempts hold back what they would hold back
// under `backstop serve`. Nothing is ever written.
#pragma once

#include <vector>

#include "core/history_store.h"
#include "runtime/watcher.h"

namespace backstop::cli {

class ReplayHistory final : public HistoryStore {
public:
    explicit ReplayHistory(HistoryStore& real) : real_(real) {}
    void record(const RunRecord&) override {}
    std::vector<RunRecord> load() override;
    bool keeps_records() const override { return false; }

    // Counts what `report` did at `at_ms` (replay clock) as done: a planned rollback as one that
    // succeeded, a page as paged. Reports that acted on nothing are left out.
    void add_replayed(const ServicePolicy& service, const TriggerReport& report, std::int64_t at_ms);

private:
    HistoryStore& real_;
    std::vector<RunRecord> replayed_;
};

}  // namespace backstop::cli
