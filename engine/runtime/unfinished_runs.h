// A run whose record still says `running` is either in progress (its lock is held) or was cut off:
// its process died, or history could not take its end record (disk full). History shows the second
// kind as `incomplete` until the next run of the service, holding the lock, records it as
// `unrecorded` with what it found.
#pragma once

#include <string>
#include <vector>

#include "core/run_record.h"
#include "core/service_lock.h"

namespace backstop {

void mark_incomplete_runs(std::vector<RunRecord>& runs, LockManager& locks);

// The runs of the service whose key (service_key) is `service`, other than `except_run_id` that recorded a start but no end. Only
// meaningful to a caller holding the service's lock: then none of them is still going.
std::vector<RunRecord> unfinished_runs(const std::vector<RunRecord>& runs, const std::string& service,
                                       const std::string& except_run_id);

// `run`'s end record as a later run writes it: outcome `unrecorded`, ended now, and a message with
// the version the later run found the service on (`found_on`, empty when it could not tell).
RunRecord reconciled_run(RunRecord run, const std::string& found_on, const std::string& found_by, std::int64_t now_ms);

}  // namespace backstop
