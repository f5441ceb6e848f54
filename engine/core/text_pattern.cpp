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

// regcomp copies what a repetition repeats (`x{2,5}`: five copies, `x+`: two) and its closures grow
// with every repetition around another, so stacked or nested repetition is exponential: `a+++…`
// with 28 `+` took 2.3 GB, `a*` and ten `+` 2.3 s. Patterns are refused above these, counted before
// regcomp sees them; patterns written by hand have tens of nodes and a depth of one or two.
constexpr double kMaxPatternNodes = 2000;
constexpr int kMaxRepetitionDepth = 2;  // `([0-9]+\.){3}` is two, as is `a+?` (stacked: undefined in POSIX)

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

// The copies `{n}`, `{n,}` or `{n,m}` at `open` makes and where it ends; nullopt when it is not one
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

// What regcomp may build for a pattern, from above: nodes after copying, and how many repetitions
// apply to one atom at most, stacked (`a+*`) or through groups (`((a+)b)*`).
struct PatternCost {
    double nodes = 0;
    int depth = 0;
};

PatternCost pattern_cost(std::string_view p) {
    struct Group {
        double done = 0;     // alternatives already closed by `|`
        double branch = 0;   // the alternative being read
        double last = 0;     // its last atom, which a repetition applies to
        int last_depth = 0;  // repetitions around that atom
        int depth = 0;       // the deepest inside the group
    };
    std::vector<Group> groups(1);
    auto atom = [&](double size, int depth) {
        Group& g = groups.back();
        g.branch += size;
        g.last = size;
        g.last_depth = depth;
        g.depth = std::max(g.depth, depth);
    };
    auto repeat = [&](double copies) {
        Group& g = groups.back();
        g.branch += g.last * (copies - 1);
        g.last *= copies;
        g.depth = std::max(g.depth, ++g.last_depth);
    };
    auto close_group = [&] {
        Group g = groups.back();
        groups.pop_back();
        atom(g.done + g.branch + 1, g.depth);
    };
    for (std::size_t i = 0; i < p.size(); ++i) {
        switch (p[i]) {
            case '\\': ++i, atom(1, 0); break;
            case '[': i = after_bracket(p, i) - 1, atom(1, 0); break;
            case '(': groups.emplace_back(); break;
            case ')': groups.size() > 1 ? close_group() : atom(1, 0); break;
            case '|': {
                Group& g = groups.back();
                g.done += g.branch + 1;
                g.branch = g.last = 0;
                g.last_depth = 0;
                break;
            }
            case '*':
            case '?': repeat(1.5); break;
            case '+': repeat(2); break;
            case '{':
                if (auto b = bound_at(p, i)) repeat(b->copies + 1), i = b->end - 1;
                else atom(1, 0);
                break;
            default: atom(1, 0);
        }
    }
    while (groups.size() > 1) close_group();
    return {groups.back().done + groups.back().branch, groups.back().depth};
}

// Why `pattern` is refused before regcomp sees it; empty when it may be compiled.
std::string pattern_limits_problem(const std::string& pattern) {
    if (pattern.find('\0') != std::string::npos) return "a pattern cannot hold a NUL byte";
    const PatternCost cost = pattern_cost(pattern);
    if (cost.depth > kMaxRepetitionDepth)
        return "pattern too complex: more than " + std::to_string(kMaxRepetitionDepth) +
               " repetitions (`+`, `*`, `?`, `{n,m}`) apply to one part, stacked or around groups; simplify it";
    if (cost.nodes > kMaxPatternNodes)
        return "pattern too complex: its repetitions (`+`, `*`, `?`, `{n,m}`) expand to more than " +
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
