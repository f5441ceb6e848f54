// When a [[service.X.schedule]] is due: the cron minutes (UTC) that came since the daemon last
// looked, those that passed while it was busy collapsed into one run. Pure: time comes in as a number.
#pragma once

#include <cstdint>

#include "core/cron_schedule.h"

namespace backstop {

class ScheduleTimer {
public:
    // First due at the first matching minute strictly after `start_epoch_seconds`: starting (or
    // reloading) in the middle of a matching minute does not run it.
    ScheduleTimer(const CronSchedule& cron, std::int64_t start_epoch_seconds);

    // Epoch seconds of the next due minute; CronSchedule::kNever when there is none.
    std::int64_t next_due() const { return next_due_; }

    // True when a due minute has come by `now_epoch_seconds`; the next due is then the first match
    // after `now`, so minutes missed while busy make one run, not a burst.
    bool take_due(std::int64_t now_epoch_seconds);

private:
    CronSchedule cron_;
    std::int64_t next_due_;
};

}  // namespace backstop
