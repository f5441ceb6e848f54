// A POSIX extended regular expression (the syntax of `grep -E`: `[0-9]`, not `\d`) searched in text.
// glibc's matcher is used rather than std::regex because it needs no stack in proportion to the text:
// a 1 MB log line cannot crash the daemon.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <regex.h>

namespace backstop {

class TextPattern {
public:
    // Throws Error with the compiler's reason when `pattern` is not a valid expression.
    explicit TextPattern(std::string pattern);
    ~TextPattern();
    TextPattern(const TextPattern&) = delete;
    TextPattern& operator=(const TextPattern&) = delete;

    // Whether the expression matches somewhere in `text` (which may hold NUL bytes).
    bool found_in(std::string_view text) const;
    const std::string& pattern() const { return pattern_; }

    // Empty when `pattern` compiles; otherwise why not ("Unmatched ( or \\(").
    static std::string problem(const std::string& pattern);

private:
    struct Compiled;
    std::string pattern_;
    // Shared by every TextPattern of the same pattern: a daemon's sources repeat a few patterns, and
    // each compiled form takes kilobytes. glibc's regexec may use one from several threads.
    std::shared_ptr<const Compiled> compiled_;
};

}  // namespace backstop
