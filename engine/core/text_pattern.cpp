#include "core/text_pattern.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "core/error.h"

namespace backstop {

namespace {

constexpr int flags = REG_EXTENDED | REG_NOSUB | REG_NEWLINE;

std::string compile_error(int rc, const regex_t* re) {
    char buf[256];
    ::regerror(rc, re, buf, sizeof buf);
    return buf;
}

// regcomp copies what a repetition repeats (`x{2,5}`: five copies, `x+`: two) and builds tables
// quadratic in the result, so stacked or nested repetition is exponential: `a+++…` with 28 `+` took
// 2.3 GB. Patterns are refused above this many nodes, counted from above before regcomp sees them;
// a log or `~` pattern written by hand has tens.
constexpr double kMaxPatternNodes = 2000;

// Past the `]` that ends the bracket expression opening at `open`, or the end of `p`.
std::size_t after_bracket(std::string_view p, std::size_t open) {
    std::size_t i = open + 1;
    if (i < p.size() && p[i] == '^') ++i;
    if (i < p.size() && p[i] == ']') ++i;  // a leading `]` is a member
    while (i < p.size() && p[i] != ']') {
        // [:alpha:], [=a=], [.a.]: their `]` does not end the expression
        if (p[i] == '[' && i + 1 < p.size() && (p[i + 1] == ':' || p[i + 1] == '=' || p[i + 1] == '.')) {
            std::size_t close = p.find(std::string{p[i + 1], ']'}, i + 2);
            i = close == std::string_view::npos ? p.size() : close + 2;
        } else {
            ++i;
        }
    }
    return std::min(i + 1, p.size());
}

// The upper bound of `{n}`, `{n,}` or `{n,m}` at `open` and where it ends; nullopt when it is not one
// (then regcomp reads `{` as itself or refuses the pattern).
struct Bound {
    double copies;
    std::size_t end;
};
std::optional<Bound> bound_at(std::string_view p, std::size_t open) {
    std::size_t close = p.find('}', open);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view inside = p.substr(open + 1, close - open - 1);
    if (inside.empty() || inside.find_first_not_of("0123456789,") != std::string_view::npos) return std::nullopt;
    std::size_t comma = inside.find(',');
    std::string_view low = inside.substr(0, comma);
    std::string_view high = comma == std::string_view::npos ? low : inside.substr(comma + 1);
    // `{n,}` is n copies and a star; digits past RE_DUP_MAX make regcomp refuse the pattern anyway.
    std::string_view counted = high.empty() ? low : high;
    double copies = counted.size() > 6 ? 1e6 : std::atof(std::string(counted).c_str()) + (high.empty() ? 1 : 0);
    return Bound{std::max(copies, 1.0), close + 1};
}

// The nodes regcomp may build for `p`, from above.
double pattern_nodes(std::string_view p) {
    struct Group {
        double done = 0;    // alternatives already closed by `|`
        double branch = 0;  // the alternative being read
        double last = 0;    // its last atom, which a repetition applies to
    };
    std::vector<Group> groups(1);
    auto atom = [&](double size) {
        groups.back().branch += size;
        groups.back().last = size;
    };
    auto repeat = [&](double copies) {
        Group& g = groups.back();
        g.branch += g.last * (copies - 1);
        g.last *= copies;
    };
    auto close_group = [&] {
        Group g = groups.back();
        groups.pop_back();
        atom(g.done + g.branch + 1);
    };
    for (std::size_t i = 0; i < p.size(); ++i) {
        switch (p[i]) {
            case '\\': ++i, atom(1); break;
            case '[': i = after_bracket(p, i) - 1, atom(1); break;
            case '(': groups.emplace_back(); break;
            case ')': groups.size() > 1 ? close_group() : atom(1); break;
            case '|': groups.back().done += groups.back().branch + 1, groups.back().branch = groups.back().last = 0; break;
            case '*':
            case '?': repeat(1.5); break;
            case '+': repeat(2); break;
            case '{':
                if (auto b = bound_at(p, i)) repeat(b->copies + 1), i = b->end - 1;
                else atom(1);
                break;
            default: atom(1);
        }
    }
    while (groups.size() > 1) close_group();
    return groups.back().done + groups.back().branch;
}

// Why `pattern` is refused before regcomp sees it; empty when it may be compiled.
std::string pattern_limits_problem(const std::string& pattern) {
    if (pattern.find('\0') != std::string::npos) return "a pattern cannot hold a NUL byte";
    if (pattern_nodes(pattern) > kMaxPatternNodes)
        return "pattern too complex: its repetitions (`+`, `*`, `{n,m}`, nested or stacked) expand to more than " +
               std::to_string(static_cast<int>(kMaxPatternNodes)) + " states; simplify it";
    return {};
}

}  // namespace

struct TextPattern::Compiled {
    regex_t re{};
    ~Compiled() { ::regfree(&re); }
};

TextPattern::TextPattern(std::string pattern) : pattern_(std::move(pattern)) {
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<const Compiled>> live;
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = live.find(pattern_); it != live.end() && (compiled_ = it->second.lock())) return;
    if (std::string why = pattern_limits_problem(pattern_); !why.empty()) throw Error("bad pattern `" + pattern_ + "`: " + why);
    regex_t re{};
    if (int rc = ::regcomp(&re, pattern_.c_str(), flags); rc != 0) {
        std::string why = compile_error(rc, &re);
        throw Error("bad pattern `" + pattern_ + "`: " + why);
    }
    auto compiled = std::make_shared<Compiled>();
    compiled->re = re;
    std::erase_if(live, [](const auto& entry) { return entry.second.expired(); });
    live[pattern_] = compiled;
    compiled_ = std::move(compiled);
}

TextPattern::~TextPattern() = default;

bool TextPattern::found_in(std::string_view text) const {
    // REG_STARTEND (a BSD and glibc extension) bounds the text by offsets instead of a NUL.
    regmatch_t bounds{0, static_cast<regoff_t>(text.size())};
    const char* data = text.empty() ? "" : text.data();
    return ::regexec(&compiled_->re, data, 1, &bounds, REG_STARTEND) == 0;
}

std::string TextPattern::problem(const std::string& pattern) {
    if (std::string why = pattern_limits_problem(pattern); !why.empty()) return why;
    regex_t re{};
    int rc = ::regcomp(&re, pattern.c_str(), flags);
    if (rc != 0) return compile_error(rc, &re);
    ::regfree(&re);
    return {};
}

}  // namespace backstop
