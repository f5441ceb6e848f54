#include "core/text.h"

#include <cstdio>
#include <iterator>

namespace backstop {

std::string_view trim(std::string_view s, std::string_view blanks) {
    auto first = s.find_first_not_of(blanks);
    if (first == std::string_view::npos) return s.substr(s.size());
    return s.substr(first, s.find_last_not_of(blanks) + 1 - first);
}

std::string trim_right(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

std::string ascii_upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_upper(c);
    return out;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && starts_with_ignoring_case(a, b);
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (prefix.size() > text.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (ascii_lower(text[i]) != ascii_lower(prefix[i])) return false;
    return true;
}

std::string first_line(std::string_view text, std::size_t max) {
    std::string_view line = text.substr(0, text.find_first_of("\r\n"));
    if (line.size() > max) return std::string(line.substr(0, max)) + "...";
    return std::string(line);
}

std::string tail_lines(const std::string& text, int n) {
    std::string t = trim_right(text);
    std::size_t pos = t.size();
    for (int i = 0; i < n && pos != std::string::npos && pos > 0; ++i) pos = t.rfind('\n', pos - 1);
    return pos == std::string::npos || pos == 0 ? t : t.substr(pos + 1);
}

std::string quoted_labels(const std::map<std::string, std::string>& labels) {
    std::string out;
    for (const auto& [k, v] : labels) out += (out.empty() ? "" : ", ") + k + "=\"" + v + "\"";
    return out;
}

std::string human_bytes(std::uintmax_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    // 1023.95 KiB would print as "1024.0 KiB": move up once the rounded value reaches 1024.
    while (value >= 1023.95 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %s", value, kUnits[unit]);
    return buf;
}

}  // namespace backstop
