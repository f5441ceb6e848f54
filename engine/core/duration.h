// Durations as written in policies: "250ms", "1s", "5m", "1h", "1h30m".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace backstop {

using Duration = std::chrono::milliseconds;

// Returns nullopt when `text` is not a duration; `why` then says what is wrong.
std::optional<Duration> parse_duration(std::string_view text, std::string* why = nullptr);

// Shortest exact spelling, e.g. 90000ms -> "1m30s"; 0 -> "0s".
std::string format_duration(Duration d);

double to_seconds(Duration d);

// A measured time for people: "0.35s", "2.94s", "61.2s".
std::string format_elapsed(Duration d);

}  // namespace backstop
