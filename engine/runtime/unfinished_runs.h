// A run whose record still says `running` is either in progress (its lock is held) or was cut off
// (the process died). History shows the second kind as `incomplete`.
#pragma once

#include <vector>

#include "core/run_record.h"
#include "core/service_lock.h"

namespace backstop {

void mark_incomplete_runs(std::vector<RunRecord>& runs, LockManager& locks);

}  // namespace backstop
