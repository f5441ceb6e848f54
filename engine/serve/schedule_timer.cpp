#include "serve/schedule_timer.h"

namespace backstop {

ScheduleTimer::ScheduleTimer(const CronSchedule& cron, std::int64_t start_epoch_seconds)
    : cron_(cron), next_due_(cron.next_after(start_epoch_seconds)) {}

bool ScheduleTimer::take_due(std::int64_t now_epoch_seconds) {
    if (next_due_ == CronSchedule::kNever || now_epoch_seconds < next_due_) return false;
    next_due_ = cron_.next_after(now_epoch_seconds);
    return true;
}

}  // namespace backstop
