// A classic 5-field cron schedule (`MIN HOUR DOM MON DOW`, Vixie semantics), always evaluated in UTC
// so daylight-saving changes never skip or repeat a run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace backstop {

struct CronError {
    int column = 0;       // 1-based position in the text; 0 when not about one place
    std::string message;  // e.g. "minute 61 out of range 0-59"
};

class CronSchedule {
public:
    // What next_after returns when nothing ever matches. parse() refuses the schedules for which that
    // could happen (`0 0 30 2 *`), so only a default-constructed schedule returns it.
    static constexpr std::int64_t kNever = INT64_MAX;

    // Accepts `*`, numbers, ranges `1-5`, steps `*/15` and `10-50/10`, lists `1,15,30`, jan..dec and
    // sun..sat (any case), 7 for Sunday, and @hourly @daily @midnight @weekly @monthly @yearly
    // @annually. nullopt when `text` is not a schedule; `error` (optional) then says where and why.
    static std::optional<CronSchedule> parse(std::string_view text, CronError* error = nullptr);

    // Start (epoch seconds, UTC) of the first matching minute strictly after `epoch_seconds`.
    std::int64_t next_after(std::int64_t epoch_seconds) const;

    // The schedule as written, without surrounding blanks.
    std::string text() const { return text_; }

    // Bit i set = value i selected. Days of week: 0 = Sunday (7 is folded into 0).
    std::uint64_t minutes() const { return minutes_; }
    std::uint32_t hours() const { return hours_; }
    std::uint32_t days_of_month() const { return days_of_month_; }
    std::uint16_t months() const { return months_; }
    std::uint8_t days_of_week() const { return days_of_week_; }

private:
    bool day_matches(int day_of_month, int weekday) const;

    std::string text_;
    std::uint64_t minutes_ = 0;        // bits 0-59
    std::uint32_t hours_ = 0;          // bits 0-23
    std::uint32_t days_of_month_ = 0;  // bits 1-31
    std::uint16_t months_ = 0;         // bits 1-12
    std::uint8_t days_of_week_ = 0;    // bits 0-6
    // Vixie cron: a day field starting with `*` is "unrestricted". When neither day field is, a day
    // matches if EITHER matches (`0 0 1,15 * mon`: the 1st, the 15th and every Monday).
    bool any_day_of_month_ = true;
    bool any_day_of_week_ = true;
};

}  // namespace backstop
