// When schedules are due, with the time injected: parsing through the policy's CronSchedule, the
// first due minute after a start (never the minute started in), one run per due minute, missed
// minutes collapsed into one run, and a clock that stands still or goes back.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "core/cron_schedule.h"
#include "serve/schedule_timer.h"

using namespace backstop;

namespace {

// "2024-03-10 02:59:30" (UTC) -> epoch seconds.
std::int64_t utc(const std::string& text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    REQUIRE(std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s) == 6);
    using namespace std::chrono;
    const sys_days date{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}};
    return std::int64_t{date.time_since_epoch().count()} * 86'400 + h * 3600 + mi * 60 + s;
}

CronSchedule cron(const std::string& text) {
    CronError error;
    auto parsed = CronSchedule::parse(text, &error);
    INFO(text << ": " << error.message);
    REQUIRE(parsed);
    return *parsed;
}

}  // namespace

TEST_CASE("a daily schedule is due once, at its minute, and then the next day", "[schedule]") {
    ScheduleTimer timer(cron("0 3 * * *"), utc("2024-03-10 01:15:00"));
    CHECK(timer.next_due() == utc("2024-03-10 03:00:00"));
    CHECK_FALSE(timer.take_due(utc("2024-03-10 02:59:59")));
    CHECK(timer.take_due(utc("2024-03-10 03:00:00")));
    CHECK_FALSE(timer.take_due(utc("2024-03-10 03:00:30")));  // the same minute runs once
    CHECK(timer.next_due() == utc("2024-03-11 03:00:00"));
    CHECK_FALSE(timer.take_due(utc("2024-03-11 02:59:00")));
    CHECK(timer.take_due(utc("2024-03-11 03:00:02")));
}

TEST_CASE("starting inside a matching minute does not run it", "[schedule]") {
    ScheduleTimer timer(cron("*/15 * * * *"), utc("2024-03-10 03:15:20"));
    CHECK(timer.next_due() == utc("2024-03-10 03:30:00"));
    CHECK_FALSE(timer.take_due(utc("2024-03-10 03:15:59")));
}

TEST_CASE("minutes missed while busy make one run, not a burst", "[schedule]") {
    ScheduleTimer timer(cron("* * * * *"), utc("2024-03-10 03:00:10"));
    CHECK(timer.next_due() == utc("2024-03-10 03:01:00"));
    // A rollback kept the worker busy for seven minutes.
    CHECK(timer.take_due(utc("2024-03-10 03:08:05")));
    CHECK_FALSE(timer.take_due(utc("2024-03-10 03:08:40")));
    CHECK(timer.next_due() == utc("2024-03-10 03:09:00"));
    CHECK(timer.take_due(utc("2024-03-10 03:09:00")));
}

TEST_CASE("a clock set back does not run a schedule again early", "[schedule]") {
    ScheduleTimer timer(cron("30 4 * * mon-fri"), utc("2024-03-08 04:00:00"));  // a Friday
    CHECK(timer.take_due(utc("2024-03-08 04:30:00")));
    CHECK(timer.next_due() == utc("2024-03-11 04:30:00"));  // Monday: the weekend is skipped
    CHECK_FALSE(timer.take_due(utc("2024-03-08 04:29:00")));
    CHECK_FALSE(timer.take_due(utc("2024-03-11 04:29:59")));
    CHECK(timer.take_due(utc("2024-03-11 04:31:00")));
}

TEST_CASE("a default schedule is never due", "[schedule]") {
    ScheduleTimer timer(CronSchedule{}, utc("2024-03-10 03:00:00"));
    CHECK(timer.next_due() == CronSchedule::kNever);
    CHECK_FALSE(timer.take_due(utc("2030-01-01 00:00:00")));
}
