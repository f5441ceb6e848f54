// Release names sort as humans number them: v9 before v10, timestamps by value.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/natural_order.h"

using backstop::natural_compare;
using backstop::natural_less;

TEST_CASE("digit runs compare by value", "[natural_order]") {
    CHECK(natural_less("v9", "v10"));
    CHECK_FALSE(natural_less("v10", "v9"));
    CHECK(natural_less("v2", "v10"));
    CHECK(natural_less("v10", "v100"));
    CHECK(natural_less("1.9.0", "1.10.0"));
}

TEST_CASE("timestamps order by time", "[natural_order]") {
    CHECK(natural_less("20241112_153045", "20241112_160000"));
    CHECK(natural_less("20241112_235959", "20241113_000000"));
    CHECK(natural_less("2026-01-02_0900", "2026-01-02_1000"));
}

TEST_CASE("equal names compare equal", "[natural_order]") {
    CHECK(natural_compare("v10", "v10") == 0);
    CHECK(natural_compare("", "") == 0);
    CHECK(natural_compare("release-2024", "release-2024") == 0);
}

TEST_CASE("a prefix sorts first", "[natural_order]") {
    CHECK(natural_compare("v1", "v1a") < 0);
    CHECK(natural_compare("v1a", "v1") > 0);
    CHECK(natural_compare("", "a") < 0);
    CHECK(natural_compare("release", "release-2") < 0);
}

TEST_CASE("leading zeros do not change the value but keep the order total", "[natural_order]") {
    CHECK(natural_less("v007", "v10"));
    CHECK(natural_less("v09", "v10"));
    // Same value: fewer zeros first, and never "equal" for different names.
    CHECK(natural_compare("v1", "v01") < 0);
    CHECK(natural_compare("v01", "v1") > 0);
    CHECK(natural_compare("v01", "v001") < 0);
}

TEST_CASE("non-digit characters compare bytewise", "[natural_order]") {
    CHECK(natural_compare("a", "b") < 0);
    CHECK(natural_compare("B", "a") < 0);
    CHECK(natural_compare("v1-a", "v1-b") < 0);
}

TEST_CASE("sorting a release folder listing", "[natural_order]") {
    std::vector<std::string> names = {"v10", "v2", "v1", "v100", "v9"};
    std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return natural_less(a, b); });
    CHECK(names == std::vector<std::string>{"v1", "v2", "v9", "v10", "v100"});
}
