// Cron schedules: every syntax form, errors with columns, and next_after across calendar boundaries (UTC).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "core/cron_schedule.h"

using backstop::CronError;
using backstop::CronSchedule;

namespace {

// "2024-02-28 23:59" (UTC) -> epoch seconds.
std::int64_t utc(const std::string& text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    const int n = std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
    REQUIRE(n >= 5);
    using namespace std::chrono;
    const sys_days date{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}};
    return std::int64_t{date.time_since_epoch().count()} * 86'400 + h * 3600 + mi * 60 + s;
}

// Epoch seconds -> "2024-02-29 00:00 Thu" (UTC), so failures read like a calendar.
std::string show(std::int64_t epoch) {
    if (epoch == CronSchedule::kNever) return "never";
    using namespace std::chrono;
    const std::int64_t day_count = epoch >= 0 ? epoch / 86'400 : -((-epoch + 86'399) / 86'400);
    const sys_days date{days{day_count}};
    const year_month_day ymd{date};
    const std::int64_t second_of_day = epoch - day_count * 86'400;
    static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d %s", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day % 3600 / 60),
                  kDays[weekday{date}.c_encoding()]);
    return buf;
}

CronSchedule schedule(const std::string& text) {
    CronError error;
    auto s = CronSchedule::parse(text, &error);
    INFO(text << ": column " << error.column << ": " << error.message);
    REQUIRE(s);
    return *s;
}

// The next `count` runs after `from`, as calendar text.
std::vector<std::string> runs(const std::string& text, const std::string& from, int count) {
    CronSchedule s = schedule(text);
    std::vector<std::string> out;
    std::int64_t t = utc(from);
    for (int i = 0; i < count; ++i) {
        t = s.next_after(t);
        out.push_back(show(t));
    }
    return out;
}

CronError error_of(const std::string& text) {
    CronError error;
    auto s = CronSchedule::parse(text, &error);
    INFO(text);
    CHECK_FALSE(s);
    return error;
}

std::uint64_t bits(std::initializer_list<int> values) {
    std::uint64_t out = 0;
    for (int v : values) out |= std::uint64_t{1} << v;
    return out;
}

}  // namespace

TEST_CASE("cron fields: star, numbers, ranges, steps and lists", "[cron]") {
    CHECK(schedule("* * * * *").minutes() == (std::uint64_t{1} << 60) - 1);
    CHECK(schedule("* * * * *").hours() == (1u << 24) - 1);
    CHECK(schedule("* * * * *").days_of_month() == ((1u << 31) - 1) << 1);
    CHECK(schedule("* * * * *").months() == ((1u << 12) - 1) << 1);
    CHECK(schedule("* * * * *").days_of_week() == 0x7f);

    CHECK(schedule("7 * * * *").minutes() == bits({7}));
    CHECK(schedule("1-5 * * * *").minutes() == bits({1, 2, 3, 4, 5}));
    CHECK(schedule("*/15 * * * *").minutes() == bits({0, 15, 30, 45}));
    CHECK(schedule("10-50/10 * * * *").minutes() == bits({10, 20, 30, 40, 50}));
    CHECK(schedule("1,15,30 * * * *").minutes() == bits({1, 15, 30}));
    CHECK(schedule("0-4/2,30,50-59/5 * * * *").minutes() == bits({0, 2, 4, 30, 50, 55}));
    CHECK(schedule("0 */6 * * *").hours() == bits({0, 6, 12, 18}));
    CHECK(schedule("0 0 */10 * *").days_of_month() == bits({1, 11, 21, 31}));
    CHECK(schedule("0 0 * */3 *").months() == bits({1, 4, 7, 10}));
    CHECK(schedule("59 23 31 12 6").minutes() == bits({59}));
}

TEST_CASE("cron names: months and weekdays in any case, 7 is Sunday", "[cron]") {
    CHECK(schedule("0 0 1 jan *").months() == bits({1}));
    CHECK(schedule("0 0 1 JAN-Mar *").months() == bits({1, 2, 3}));
    CHECK(schedule("0 0 1 jun,Dec *").months() == bits({6, 12}));
    CHECK(schedule("0 0 1 jan-dec/6 *").months() == bits({1, 7}));
    CHECK(schedule("0 0 * * mon-fri").days_of_week() == bits({1, 2, 3, 4, 5}));
    CHECK(schedule("0 0 * * SUN,sat").days_of_week() == bits({0, 6}));
    CHECK(schedule("0 0 * * 7").days_of_week() == bits({0}));
    CHECK(schedule("0 0 * * 5-7").days_of_week() == bits({0, 5, 6}));
    CHECK(schedule("0 0 * * 0,7").days_of_week() == bits({0}));
    // As in Vixie cron, sun is 0, so a range cannot end on it; 7 can.
    CHECK(error_of("0 0 * * fri-sun").message ==
          "day-of-week range fri-sun goes backwards (write it as two ranges, e.g. 22-23,0-2)");
}

TEST_CASE("cron macros expand to their five fields", "[cron]") {
    auto same = [](const std::string& macro, const std::string& fields) {
        INFO(macro << " vs " << fields);
        CronSchedule a = schedule(macro), b = schedule(fields);
        CHECK(a.minutes() == b.minutes());
        CHECK(a.hours() == b.hours());
        CHECK(a.days_of_month() == b.days_of_month());
        CHECK(a.months() == b.months());
        CHECK(a.days_of_week() == b.days_of_week());
        CHECK(a.next_after(utc("2023-12-30 10:20")) == b.next_after(utc("2023-12-30 10:20")));
    };
    same("@hourly", "0 * * * *");
    same("@daily", "0 0 * * *");
    same("@midnight", "0 0 * * *");
    same("@weekly", "0 0 * * 0");
    same("@monthly", "0 0 1 * *");
    same("@yearly", "0 0 1 1 *");
    same("@annually", "0 0 1 1 *");
    same("@Daily", "0 0 * * *");
    CHECK(schedule("  @hourly ").text() == "@hourly");
    CHECK(runs("@weekly", "2024-05-01 12:00", 2) == std::vector<std::string>{"2024-05-05 00:00 Sun", "2024-05-12 00:00 Sun"});
}

TEST_CASE("cron text() is the schedule as written", "[cron]") {
    CHECK(schedule("*/5 * * * mon-fri").text() == "*/5 * * * mon-fri");
    CHECK(schedule("\t 0  0 * *  *  \n").text() == "0  0 * *  *");
}

TEST_CASE("cron errors say where and why", "[cron]") {
    struct Case {
        std::string text;
        int column;
        std::string message;
    };
    const Case cases[] = {
        {"61 * * * *", 1, "minute 61 out of range 0-59"},
        {"0 24 * * *", 3, "hour 24 out of range 0-23"},
        {"0 0 0 * *", 5, "day-of-month 0 out of range 1-31"},
        {"0 0 32 * *", 5, "day-of-month 32 out of range 1-31"},
        {"0 0 1 13 *", 7, "month 13 out of range 1-12"},
        {"0 0 * * 8", 9, "day-of-week 8 out of range 0-7"},
        {"0 0 * * 99999999", 9, "day-of-week 99999999 out of range 0-7"},
        {"1,2,99 * * * *", 5, "minute 99 out of range 0-59"},
        {"0-70 * * * *", 3, "minute 70 out of range 0-59"},
        {"*/0 * * * *", 3, "minute step 0 out of range 1-59"},
        {"*/60 * * * *", 3, "minute step 60 out of range 1-59"},
        {"0 22-2 * * *", 3, "hour range 22-2 goes backwards (write it as two ranges, e.g. 22-23,0-2)"},
        {"5/10 * * * *", 2, "minute: a step needs a range or *, e.g. 5-59/10"},
        {"*/ * * * *", 3, "minute: expected a step after /"},
        {"1,,2 * * * *", 3, "minute: empty item in list"},
        {"1, * * * *", 3, "minute: empty item in list"},
        {"0 0 1 janu *", 7, "unknown month \"janu\"; use jan..dec or 1-12"},
        {"0 0 * * monday", 9, "unknown day-of-week \"monday\"; use sun..sat or 0-7"},
        {"jan * * * *", 1, "minute: expected a number, found \"jan\""},
        {"0 0 * mon *", 7, "unknown month \"mon\"; use jan..dec or 1-12"},
        {"1x * * * *", 1, "minute: expected a number, found \"1x\""},
        {"1- * * * *", 3, "minute: expected a number after \"1-\""},
        {"-1 * * * *", 1, "minute: unexpected \"-\"; expected a number or *"},
        {"** * * * *", 2, "minute: unexpected \"*\""},
        {"*/5x * * * *", 4, "minute: unexpected \"x\""},
        {"0 0 * *", 8, "expected 5 fields (minute hour day-of-month month day-of-week), found 4"},
        {"0 0 * * * *", 11, "expected 5 fields (minute hour day-of-month month day-of-week), found 6"},
        {"  0 0 * * * /bin/true", 13, "expected 5 fields (minute hour day-of-month month day-of-week), found 6"},
        {"", 0, "empty schedule; write e.g. \"*/15 * * * *\" or \"@daily\""},
        {"   ", 0, "empty schedule; write e.g. \"*/15 * * * *\" or \"@daily\""},
        {"@reboot", 1,
         "unknown schedule @reboot; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually"},
        {" @daily 5", 9, "unexpected text after @daily"},
        {"0 0 30 2 *", 5, "day-of-month 30 never occurs in month 2, so the schedule would never run"},
        {"0 0 31 apr,jun,sep,nov *", 5,
         "day-of-month 31 never occurs in month apr,jun,sep,nov, so the schedule would never run"},
    };
    for (const auto& c : cases) {
        INFO("schedule: \"" << c.text << "\"");
        CronError e = error_of(c.text);
        CHECK(e.column == c.column);
        CHECK(e.message == c.message);
    }
    SECTION("the error is optional") { CHECK_FALSE(CronSchedule::parse("61 * * * *")); }
}

TEST_CASE("cron schedules that look impossible but are not", "[cron]") {
    // Feb 29 exists, the 31st exists in some selected month, and a weekday makes any day possible.
    CHECK(CronSchedule::parse("0 0 29 2 *"));
    CHECK(CronSchedule::parse("0 0 31 feb,mar *"));
    CHECK(CronSchedule::parse("0 0 30 2 mon"));
    CHECK(runs("0 0 30 2 mon", "2024-01-31 00:00", 2) ==
          std::vector<std::string>{"2024-02-05 00:00 Mon", "2024-02-12 00:00 Mon"});
}

TEST_CASE("next_after is strictly after, on whole minutes", "[cron]") {
    CronSchedule every_minute = schedule("* * * * *");
    CHECK(every_minute.next_after(utc("2024-03-10 10:00")) == utc("2024-03-10 10:01"));
    CHECK(every_minute.next_after(utc("2024-03-10 10:00:01")) == utc("2024-03-10 10:01"));
    CHECK(every_minute.next_after(utc("2024-03-10 10:00:59")) == utc("2024-03-10 10:01"));
    CHECK(every_minute.next_after(utc("2024-03-10 09:59:59")) == utc("2024-03-10 10:00"));
    CHECK(schedule("30 * * * *").next_after(utc("2024-03-10 10:30")) == utc("2024-03-10 11:30"));
    CHECK(schedule("30 * * * *").next_after(utc("2024-03-10 10:29:59")) == utc("2024-03-10 10:30"));
}

TEST_CASE("next_after crosses minute, hour, day, month and year boundaries", "[cron]") {
    CHECK(runs("*/15 * * * *", "2024-03-10 10:50", 3) ==
          std::vector<std::string>{"2024-03-10 11:00 Sun", "2024-03-10 11:15 Sun", "2024-03-10 11:30 Sun"});
    CHECK(runs("0 */6 * * *", "2024-12-31 13:00", 4) ==
          std::vector<std::string>{"2024-12-31 18:00 Tue", "2025-01-01 00:00 Wed", "2025-01-01 06:00 Wed",
                                   "2025-01-01 12:00 Wed"});
    CHECK(runs("0 */6 * * *", "2024-01-01 00:00", 1) == std::vector<std::string>{"2024-01-01 06:00 Mon"});
    CHECK(runs("45 23 * * *", "2024-01-31 23:45", 2) ==
          std::vector<std::string>{"2024-02-01 23:45 Thu", "2024-02-02 23:45 Fri"});
    CHECK(runs("0 0 31 * *", "2024-01-31 00:00", 3) ==
          std::vector<std::string>{"2024-03-31 00:00 Sun", "2024-05-31 00:00 Fri", "2024-07-31 00:00 Wed"});
    CHECK(runs("0 12 1 */4 *", "2024-10-15 00:00", 3) ==
          std::vector<std::string>{"2025-01-01 12:00 Wed", "2025-05-01 12:00 Thu", "2025-09-01 12:00 Mon"});
    CHECK(runs("@yearly", "2023-12-31 23:59:59", 2) ==
          std::vector<std::string>{"2024-01-01 00:00 Mon", "2025-01-01 00:00 Wed"});
    CHECK(runs("59 23 31 12 *", "2024-06-01 00:00", 2) ==
          std::vector<std::string>{"2024-12-31 23:59 Tue", "2025-12-31 23:59 Wed"});
    CHECK(runs("0 9-17/4 * * mon-fri", "2024-06-07 16:00", 4) ==
          std::vector<std::string>{"2024-06-07 17:00 Fri", "2024-06-10 09:00 Mon", "2024-06-10 13:00 Mon",
                                   "2024-06-10 17:00 Mon"});
}

TEST_CASE("next_after knows February 29 and leap years", "[cron]") {
    CHECK(runs("0 0 29 2 *", "2023-03-01 00:00", 4) ==
          std::vector<std::string>{"2024-02-29 00:00 Thu", "2028-02-29 00:00 Tue", "2032-02-29 00:00 Sun",
                                   "2036-02-29 00:00 Fri"});
    // 2100 is not a leap year; 2000 was.
    CHECK(runs("0 0 29 2 *", "2096-03-01 00:00", 1) == std::vector<std::string>{"2104-02-29 00:00 Fri"});
    CHECK(runs("0 0 29 2 *", "1999-01-01 00:00", 1) == std::vector<std::string>{"2000-02-29 00:00 Tue"});
    CHECK(runs("0 0 * 2 *", "2024-02-28 12:00", 2) ==
          std::vector<std::string>{"2024-02-29 00:00 Thu", "2025-02-01 00:00 Sat"});
    CHECK(runs("0 0 * 2 *", "2023-02-28 12:00", 1) == std::vector<std::string>{"2024-02-01 00:00 Thu"});
    // `*/7` (= Sunday) is a `*`-style weekday field, so both fields must match: a Feb 29 that is a Sunday.
    CHECK(runs("0 0 29 2 */7", "2024-01-01 00:00", 2) ==
          std::vector<std::string>{"2032-02-29 00:00 Sun", "2060-02-29 00:00 Sun"});
}

TEST_CASE("day-of-month OR day-of-week when both are restricted (Vixie)", "[cron]") {
    // The 1st and 15th of each month, and every Friday.
    CHECK(runs("0 8 1,15 * fri", "2024-03-01 09:00", 6) ==
          std::vector<std::string>{"2024-03-08 08:00 Fri", "2024-03-15 08:00 Fri", "2024-03-22 08:00 Fri",
                                   "2024-03-29 08:00 Fri", "2024-04-01 08:00 Mon", "2024-04-05 08:00 Fri"});
    // The 13th, or any Friday.
    CHECK(runs("0 0 13 * 5", "2024-09-01 00:00", 3) ==
          std::vector<std::string>{"2024-09-06 00:00 Fri", "2024-09-13 00:00 Fri", "2024-09-20 00:00 Fri"});
    // A `*`-style day field means AND: Mondays, every other day of the month counted from the 1st.
    CHECK(runs("0 0 */2 * mon", "2024-04-01 00:00", 3) ==
          std::vector<std::string>{"2024-04-15 00:00 Mon", "2024-04-29 00:00 Mon", "2024-05-13 00:00 Mon"});
    // Only the weekday restricted: Mondays only.
    CHECK(runs("0 0 * * mon", "2024-04-01 00:00", 2) ==
          std::vector<std::string>{"2024-04-08 00:00 Mon", "2024-04-15 00:00 Mon"});
    // Only the day of month restricted: the 10th only.
    CHECK(runs("0 0 10 * *", "2024-04-01 00:00", 2) ==
          std::vector<std::string>{"2024-04-10 00:00 Wed", "2024-05-10 00:00 Fri"});
}

TEST_CASE("next_after handles times before 1970 and far ahead, and never for an empty schedule", "[cron]") {
    CHECK(runs("0 0 1 1 *", "1969-12-31 23:59", 1) == std::vector<std::string>{"1970-01-01 00:00 Thu"});
    CHECK(runs("30 6 * * *", "1960-06-15 07:00", 1) == std::vector<std::string>{"1960-06-16 06:30 Thu"});
    CHECK(schedule("* * * * *").next_after(-1) == 0);
    CHECK(runs("@hourly", "9999-12-31 22:10", 1) == std::vector<std::string>{"9999-12-31 23:00 Fri"});
    CHECK(CronSchedule().next_after(utc("2024-01-01 00:00")) == CronSchedule::kNever);
    CHECK(schedule("* * * * *").next_after(CronSchedule::kNever) == CronSchedule::kNever);
}

TEST_CASE("next_after is fast even for rare schedules", "[cron]") {
    // 10,000 searches for Feb 29 on a Sunday each scan decades of months; a minute-by-minute scan
    // would take hours, so this finishing at all (no time assertion) shows the search skips ahead.
    CronSchedule rare = schedule("0 0 29 2 */7");
    std::int64_t t = utc("2000-01-01 00:00");
    for (int i = 0; i < 10'000; ++i) {
        std::int64_t next = rare.next_after(t + i * 3600);
        REQUIRE(next > t + i * 3600);
    }
}

namespace {

// An independent, slow oracle: walk minute by minute with gmtime_r and test the fields directly.
bool naive_matches(const CronSchedule& s, std::int64_t t, bool dom_star, bool dow_star) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    const bool dom = s.days_of_month() >> tm.tm_mday & 1;
    const bool dow = s.days_of_week() >> tm.tm_wday & 1;
    const bool day = (dom_star || dow_star) ? (dom && dow) : (dom || dow);
    return (s.minutes() >> tm.tm_min & 1) && (s.hours() >> tm.tm_hour & 1) && (s.months() >> (tm.tm_mon + 1) & 1) && day;
}

}  // namespace

TEST_CASE("next_after agrees with a minute-by-minute scan", "[cron]") {
    const char* const schedules[] = {
        "* * * * *",        "*/7 * * * *",        "59 * * * *",          "0 */6 * * *",       "30 2 * * *",
        "15 10 * * mon-fri", "0 0 1,15 * fri",    "0 12 */10 * *",       "5 4 * * 7",          "0 0 31 * *",
        "0 0 29 2 *",       "0 0 * feb *",        "*/20 9-17 * * 1-5",   "0 0 13 * 5",         "1-3 22-23 28-31 * *",
        "@weekly",          "@monthly",           "0 0 */2 * mon",       "10-50/20 */5 * jan,jul sun",
    };
    const char* const starts[] = {"2023-02-27 23:58:30", "2024-02-28 23:59", "2024-12-31 23:59", "2025-06-30 12:00"};
    for (const char* text : schedules) {
        CronSchedule s = schedule(text);
        std::string spaced = std::string(text)[0] == '@' ? "" : text;
        // Which day fields start with `*` (macros: @weekly restricts only the weekday, @monthly only the day).
        bool dom_star = true, dow_star = true;
        if (!spaced.empty()) {
            std::vector<std::string> fields;
            std::size_t pos = 0;
            while (pos < spaced.size()) {
                auto end = spaced.find(' ', pos);
                fields.push_back(spaced.substr(pos, end - pos));
                pos = end == std::string::npos ? spaced.size() : end + 1;
            }
            dom_star = fields[2][0] == '*';
            dow_star = fields[4][0] == '*';
        } else {
            dom_star = std::string(text) == "@weekly";
            dow_star = true;
        }
        for (const char* from : starts) {
            std::int64_t t = utc(from);
            std::int64_t expected = (t / 60 + 1) * 60;
            int steps = 0;
            while (!naive_matches(s, expected, dom_star, dow_star) && steps < 6 * 366 * 24 * 60) {
                expected += 60;
                ++steps;
            }
            INFO(text << " after " << from);
            CHECK(show(s.next_after(t)) == show(expected));
        }
    }
}
