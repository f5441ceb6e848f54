// Small text helpers shared across the engine: trimming, ASCII case, the first or last lines of
// command output or of a response body. The one home for them (STYLE.md: no helpers copied per file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace backstop {

// Characters std::isspace accepts in the "C" locale.
inline constexpr std::string_view kWhitespace = " \t\r\n\f\v";

// `s` without leading and trailing characters from `blanks` (HTTP's optional white space is " \t").
std::string_view trim(std::string_view s, std::string_view blanks = kWhitespace);

// Without trailing newlines and spaces.
std::string trim_right(std::string s);

// ASCII case mapping, byte by byte: header names, methods, signal names; never locale-dependent.
inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
inline char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
std::string ascii_lower(std::string_view s);
std::string ascii_upper(std::string_view s);
bool equals_ignoring_case(std::string_view a, std::string_view b);
bool starts_with_ignoring_case(std::string_view text, std::string_view prefix);

// Up to the first line break, cut to `max` bytes with "..." appended: a body quoted in a message.
std::string first_line(std::string_view text, std::size_t max);

// The last `n` lines of `text` (trimmed): the part of a tool's stderr that says what went wrong.
std::string tail_lines(const std::string& text, int n);

// A size for people, in powers of 1024 with one decimal: "512 B", "1.2 KiB", "3.4 MiB".
std::string human_bytes(std::uintmax_t bytes);

// a="1", b="2": an event's labels as a message quotes them ("" when there are none).
std::string quoted_labels(const std::map<std::string, std::string>& labels);

}  // namespace backstop
