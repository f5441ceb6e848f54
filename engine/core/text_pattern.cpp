#include "core/text_pattern.h"

#include <map>
#include <mutex>

#include "core/error.h"

namespace backstop {

namespace {

constexpr int flags = REG_EXTENDED | REG_NOSUB | REG_NEWLINE;

std::string compile_error(int rc, const regex_t* re) {
    char buf[256];
    ::regerror(rc, re, buf, sizeof buf);
    return buf;
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
    regex_t re{};
    int rc = ::regcomp(&re, pattern.c_str(), flags);
    if (rc != 0) return compile_error(rc, &re);
    ::regfree(&re);
    return {};
}

}  // namespace backstop
