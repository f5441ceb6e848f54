// "${env:NAME}" templates: one parser shared by the syntax check and the expansion, so a template
// the loader accepted always expands the same way.
#include "core/env_template.h"

#include <algorithm>
#include <cstdlib>

namespace backstop {

namespace {

constexpr std::string_view kOpen = "${";
constexpr std::string_view kPrefix = "env:";

bool valid_name(std::string_view name) {
    if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

struct Piece {
    std::string_view literal;  // text before the reference
    std::string_view name;     // empty after the last reference
};

// Splits `text` into literal runs and references; false with `error` set on a malformed one.
bool parse(std::string_view text, std::vector<Piece>& out, std::string* error) {
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t open = text.find(kOpen, pos);
        if (open == std::string_view::npos) {
            out.push_back({text.substr(pos), {}});
            return true;
        }
        std::size_t close = text.find('}', open);
        if (close == std::string_view::npos) {
            if (error) *error = "unterminated reference `" + std::string(text.substr(open)) + "`; write ${env:NAME}";
            return false;
        }
        std::string_view inner = text.substr(open + kOpen.size(), close - open - kOpen.size());
        std::string ref(text.substr(open, close + 1 - open));
        if (!inner.starts_with(kPrefix)) {
            if (error) *error = "`" + ref + "` is not a reference backstop knows; only ${env:NAME} is supported";
            return false;
        }
        std::string_view name = inner.substr(kPrefix.size());
        if (name.empty()) {
            if (error) *error = "`" + ref + "` names no environment variable";
            return false;
        }
        if (!valid_name(name)) {
            if (error)
                *error = "`" + ref + "`: `" + std::string(name) +
                         "` is not an environment variable name (letters, digits and _, not starting with a digit)";
            return false;
        }
        out.push_back({text.substr(pos, open - pos), name});
        pos = close + 1;
    }
    return true;
}

}  // namespace

EnvLookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v || !*v) return std::nullopt;
        return std::string(v);
    };
}

std::optional<std::string> env_template_error(std::string_view text) {
    std::vector<Piece> pieces;
    std::string error;
    if (parse(text, pieces, &error)) return std::nullopt;
    return error;
}

std::vector<std::string> env_names(std::string_view text) {
    std::vector<Piece> pieces;
    std::vector<std::string> names;
    if (!parse(text, pieces, nullptr)) return names;
    for (const Piece& p : pieces)
        if (!p.name.empty() && std::find(names.begin(), names.end(), p.name) == names.end()) names.emplace_back(p.name);
    return names;
}

ExpandedTemplate expand_env(std::string_view text, const EnvLookup& getenv) {
    ExpandedTemplate out;
    std::vector<Piece> pieces;
    if (!parse(text, pieces, &out.error)) return out;
    for (const Piece& p : pieces) {
        out.text += p.literal;
        if (p.name.empty()) continue;
        std::string name(p.name);
        std::optional<std::string> value = getenv ? getenv(name) : std::nullopt;
        if (!value || value->empty()) {
            if (out.error.empty()) out.error = "environment variable " + name + " is not set";
            continue;
        }
        out.text += *value;
        out.secrets.push_back({name, *value});
    }
    if (!out.ok()) out.text.clear();  // half a URL is no use and may hold part of a secret
    return out;
}

std::string scrub(std::string text, const std::vector<EnvSecret>& secrets) {
    // Longest first, so a secret containing another is replaced whole.
    std::vector<const EnvSecret*> order;
    for (const EnvSecret& s : secrets)
        if (!s.value.empty()) order.push_back(&s);
    std::stable_sort(order.begin(), order.end(),
                     [](const EnvSecret* a, const EnvSecret* b) { return a->value.size() > b->value.size(); });
    for (const EnvSecret* s : order) {
        const std::string ref = "${env:" + s->name + "}";
        for (std::size_t at = text.find(s->value); at != std::string::npos; at = text.find(s->value, at + ref.size()))
            text.replace(at, s->value.size(), ref);
    }
    return text;
}

}  // namespace backstop
