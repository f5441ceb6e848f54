#include "runtime/attempt_guard.h"

namespace backstop {

namespace {
bool counts(const RunRecord& r, const ServicePolicy& service, std::int64_t since_ms) {
    return service_key(r.service, r.env) == service.key && r.mode != RunMode::dry_run && r.outcome != Outcome::refused &&
           r.outcome != Outcome::nothing_to_do && r.outcome != Outcome::verified && r.outcome != Outcome::unhealthy &&
           !r.to.empty() && r.started_ms >= since_ms;
}
}  // namespace

int attempts_within_window(const std::vector<RunRecord>& history, const ServicePolicy& service, std::int64_t now_ms) {
    std::int64_t since = now_ms - service.rollback.window.count();
    int n = 0;
    for (const auto& r : history)
        if (counts(r, service, since)) ++n;
    return n;
}

std::optional<std::string> attempts_exhausted(const std::vector<RunRecord>& history, const ServicePolicy& service,
                                              std::int64_t now_ms) {
    int n = attempts_within_window(history, service, now_ms);
    if (n < service.rollback.max_attempts) return std::nullopt;
    std::int64_t since = now_ms - service.rollback.window.count();
    const RunRecord* oldest = nullptr;
    for (const auto& r : history)
        if (counts(r, service, since) && (!oldest || r.started_ms < oldest->started_ms)) oldest = &r;
    std::string msg = "max_attempts reached: " + std::to_string(n) + " rollbacks of " + service.key + " in the last " +
                      format_duration(service.rollback.window) + " (limit " + std::to_string(service.rollback.max_attempts) + ")";
    if (oldest) {
        std::int64_t free_at = oldest->started_ms + service.rollback.window.count();
        msg += "; the next is allowed at " + format_utc(free_at);
    }
    msg += ". Investigate before trying again, or raise rollback.max_attempts";
    return msg;
}

}  // namespace backstop
