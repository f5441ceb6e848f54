// Durations as policy authors write them, and back.
#include <catch2/catch.hpp>

#include "core/duration.h"

using backstop::Duration;
using backstop::format_duration;
using backstop::parse_duration;

TEST_CASE("parse_duration reads single and compound units", "[duration]") {
    CHECK(parse_duration("100ms") == Duration{100});
    CHECK(parse_duration("1s") == Duration{1000});
    CHECK(parse_duration("5m") == Duration{300'000});
    CHECK(parse_duration("1h") == Duration{3'600'000});
    CHECK(parse_duration("2d") == Duration{172'800'000});
    CHECK(parse_duration("1h30m") == Duration{5'400'000});
    CHECK(parse_duration("1m500ms") == Duration{60'500});
    CHECK(parse_duration("0s") == Duration{0});
}

TEST_CASE("parse_duration refuses what is not a duration and says why", "[duration]") {
    std::string why;
    SECTION("empty") {
        CHECK_FALSE(parse_duration("", &why));
        CHECK_THAT(why, Catch::Contains("empty duration"));
    }
    SECTION("number without unit") {
        CHECK_FALSE(parse_duration("10", &why));
        CHECK_THAT(why, Catch::Contains("missing unit after 10"));
    }
    SECTION("unknown unit") {
        CHECK_FALSE(parse_duration("5x", &why));
        CHECK_THAT(why, Catch::Contains("unknown unit \"x\""));
    }
    SECTION("unit without number") {
        CHECK_FALSE(parse_duration("ms", &why));
        CHECK_THAT(why, Catch::Contains("expected a number at \"ms\""));
    }
    SECTION("spaces and signs") {
        CHECK_FALSE(parse_duration("1 s", &why));
        CHECK_FALSE(parse_duration("-1s", &why));
    }
    SECTION("too large") {
        CHECK_FALSE(parse_duration("99999999999s", &why));
        CHECK_THAT(why, Catch::Contains("too large"));
    }
    SECTION("why is optional") { CHECK_FALSE(parse_duration("5x")); }
}

TEST_CASE("format_duration writes the shortest exact spelling", "[duration]") {
    CHECK(format_duration(Duration{0}) == "0s");
    CHECK(format_duration(Duration{100}) == "100ms");
    CHECK(format_duration(Duration{1000}) == "1s");
    CHECK(format_duration(Duration{90'000}) == "1m30s");
    CHECK(format_duration(Duration{5'400'000}) == "1h30m");
    CHECK(format_duration(Duration{86'400'000 + 1}) == "1d1ms");
    CHECK(format_duration(Duration{-1500}) == "-1s500ms");
}

TEST_CASE("format_duration round-trips through parse_duration", "[duration]") {
    for (long ms : {1L, 999L, 1000L, 61'001L, 3'600'000L, 93'784'005L})
        CHECK(parse_duration(format_duration(Duration{ms})) == Duration{ms});
}

TEST_CASE("to_seconds", "[duration]") { CHECK(backstop::to_seconds(Duration{1500}) == Approx(1.5)); }
