// Small text helpers for messages built from command output.
#pragma once

#include <string>

namespace backstop {

// Without trailing newlines and spaces.
inline std::string trim_right(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

// The last `n` lines of `text` (trimmed): the part of a tool's stderr that says what went wrong.
inline std::string tail_lines(const std::string& text, int n) {
    std::string t = trim_right(text);
    std::size_t pos = t.size();
    for (int i = 0; i < n && pos != std::string::npos && pos > 0; ++i) pos = t.rfind('\n', pos - 1);
    return pos == std::string::npos || pos == 0 ? t : t.substr(pos + 1);
}

}  // namespace backstop
