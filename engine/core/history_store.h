// Where run records are kept. The runtime records through this; prim/ has the durable file.
#pragma once

#include <vector>

#include "core/run_record.h"

namespace backstop {

class HistoryStore {
public:
    virtual ~HistoryStore() = default;
    // Durable when it returns: a crash afterwards keeps the record. Recording the same run_id
    // again (start, then end) supersedes the earlier record. Throws backstop::Error.
    virtual void record(const RunRecord& r) = 0;
    // Every run, oldest first, one record per run_id (the latest written).
    virtual std::vector<RunRecord> load() = 0;
    // False for a store that only pretends to record (previews, simulations), so plans say so.
    virtual bool keeps_records() const { return true; }
};

// Reads the real history, records nothing: for previews and simulations, which plan but must not
// leave records behind.
class ReadOnlyHistory final : public HistoryStore {
public:
    explicit ReadOnlyHistory(HistoryStore& real) : real_(real) {}
    void record(const RunRecord&) override {}
    std::vector<RunRecord> load() override { return real_.load(); }
    bool keeps_records() const override { return false; }

private:
    HistoryStore& real_;
};

}  // namespace backstop
