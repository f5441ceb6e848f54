#include "core/duration.h"

#include <cctype>
#include <cstdio>
#include <cstdint>
#include <limits>

namespace backstop {

namespace {

struct Unit {
    std::string_view name;
    std::int64_t ms;
};

// Longest names first so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};

}  // namespace

std::optional<Duration> parse_duration(std::string_view text, std::string* why) {
    auto fail = [&](std::string msg) -> std::optional<Duration> {
        if (why) *why = std::move(msg);
        return std::nullopt;
    };
    if (text.empty()) return fail("empty duration; write e.g. \"500ms\", \"10s\", \"5m\", \"1h\"");
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i])))
            return fail("expected a number at \"" + std::string(text.substr(i)) +
                        "\"; write e.g. \"500ms\", \"10s\", \"5m\", \"1h\"");
        std::int64_t value = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            value = value * 10 + (text[i] - '0');
            if (value > std::numeric_limits<std::int32_t>::max()) return fail("duration is too large");
            ++i;
        }
        std::size_t unit_start = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        std::string_view unit = text.substr(unit_start, i - unit_start);
        if (unit.empty())
            return fail("missing unit after " + std::to_string(value) + " (use ms, s, m, h or d)");
        const Unit* found = nullptr;
        for (const auto& u : kUnits)
            if (u.name == unit) found = &u;
        if (!found) return fail("unknown unit \"" + std::string(unit) + "\" (use ms, s, m, h or d)");
        total += value * found->ms;
    }
    return Duration{total};
}

std::string format_duration(Duration d) {
    std::int64_t ms = d.count();
    if (ms == 0) return "0s";
    std::string out;
    if (ms < 0) {
        out = "-";
        ms = -ms;
    }
    for (const auto& u : {kUnits[4], kUnits[3], kUnits[2], kUnits[1], kUnits[0]}) {
        if (ms >= u.ms) {
            out += std::to_string(ms / u.ms) + std::string(u.name);
            ms %= u.ms;
        }
    }
    return out;
}

double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }

std::string format_elapsed(Duration d) {
    char buf[32];
    double s = to_seconds(d);
    std::snprintf(buf, sizeof buf, s < 10 ? "%.2fs" : "%.1fs", s);
    return buf;
}

}  // namespace backstop
