// The guesses behind "did you mean …?": close typos and abbreviations, never wild ones.
#include <array>
#include <string_view>

#include <catch2/catch.hpp>

#include "core/did_you_mean.h"

using backstop::did_you_mean;
using backstop::edit_distance;

namespace {
constexpr std::array<std::string_view, 6> kHealth = {"url", "timeout", "interval", "attempts", "expect_status",
                                                     "expect_body"};
}

TEST_CASE("edit_distance", "[did_you_mean]") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("attempts", "attempts") == 0);
    CHECK(edit_distance("atempts", "attempts") == 1);
    CHECK(edit_distance("attemtps", "attempts") == 2);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("Attempts", "attempts") == 0);
}

TEST_CASE("did_you_mean picks the closest key within two edits", "[did_you_mean]") {
    CHECK(did_you_mean("atempts", kHealth) == "attempts");
    CHECK(did_you_mean("timout", kHealth) == "timeout");
    CHECK(did_you_mean("URL", kHealth) == "url");
    CHECK(did_you_mean("expect_stauts", kHealth) == "expect_status");
}

TEST_CASE("did_you_mean completes abbreviations and trims extra words", "[did_you_mean]") {
    CHECK(did_you_mean("expect", kHealth) == "expect_body");  // the shortest completion
    CHECK(did_you_mean("interval_ms", kHealth) == "interval");
    constexpr std::array<std::string_view, 3> rollback = {"max_attempts", "hook_timeout", "window"};
    CHECK(did_you_mean("attempts", rollback) == "max_attempts");  // the bare name of a qualified key
    CHECK(did_you_mean("timeout", rollback) == "hook_timeout");
    CHECK_FALSE(did_you_mean("empts", rollback));  // only whole words after `_`
}

TEST_CASE("did_you_mean stays quiet when nothing is close", "[did_you_mean]") {
    CHECK_FALSE(did_you_mean("zzz", kHealth));
    CHECK_FALSE(did_you_mean("ab", kHealth));  // two edits from `url`'s neighbours is no typo
    CHECK_FALSE(did_you_mean("", kHealth));
    CHECK_FALSE(did_you_mean("atempts", std::span<const std::string_view>{}));
}
