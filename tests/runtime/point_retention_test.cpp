// Which points `keep` and `max_age` let go: by count, by age, and never the newest.
#include <catch2/catch.hpp>

#include "runtime/point_retention.h"

using namespace backstop;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

// Points made `ages` days before kNow, newest first.
std::vector<RollbackPoint> points_aged(std::vector<int> ages) {
    std::vector<RollbackPoint> out;
    for (std::size_t i = 0; i < ages.size(); ++i) {
        RollbackPoint p;
        p.id = "p" + std::to_string(i);
        p.created_ms = kNow - ages[i] * kDayMs;
        out.push_back(p);
    }
    return out;
}

std::vector<std::string> ids(const std::vector<PrunedPoint>& pruned) {
    std::vector<std::string> out;
    for (const auto& p : pruned) out.push_back(p.point.id);
    return out;
}

}  // namespace

TEST_CASE("max_age lets old points go but never the newest, however old", "[retention]") {
    PointSettings retention;
    retention.max_age = Duration{30 * kDayMs};
    CHECK(ids(points_beyond_retention(points_aged({1, 29, 31, 90}), retention, kNow)) == std::vector<std::string>{"p2", "p3"});
    // A service that has not deployed for months keeps one point to roll back to.
    auto all_old = points_beyond_retention(points_aged({60, 90}), retention, kNow);
    CHECK(ids(all_old) == std::vector<std::string>{"p1"});
    CHECK(all_old[0].why == "older than max_age 30d");
    CHECK(points_beyond_retention(points_aged({400}), retention, kNow).empty());
}

TEST_CASE("keep and max_age together: a point goes when either lets it go", "[retention]") {
    PointSettings retention;
    retention.keep = 2;
    retention.max_age = Duration{30 * kDayMs};
    auto pruned = points_beyond_retention(points_aged({1, 40, 3}), retention, kNow);
    REQUIRE(ids(pruned) == std::vector<std::string>{"p1", "p2"});
    CHECK(pruned[0].why == "older than max_age 30d");
    CHECK(pruned[1].why == "beyond keep = 2");
    PointSettings keep_all;
    CHECK(points_beyond_retention(points_aged({1, 400, 900}), keep_all, kNow).empty());
}
