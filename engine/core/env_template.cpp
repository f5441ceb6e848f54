// "${env:NAME}" templates: one parser shared by the syntax check and the expansion, so a template
// the loader accepted always expands the same way.
#include "core/env_template.h"

#include <algorithm>
#include <cctype>
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

namespace {

// Shorter pieces are left alone: scrubbing "/" or "v1" would mangle every message.
constexpr std::size_t kMinFragment = 6;

std::string percent_decoded(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

void add_fragment(std::vector<std::string>& out, std::string_view piece) {
    if (piece.size() < kMinFragment) return;
    out.emplace_back(piece);
    std::string decoded = percent_decoded(piece);
    if (decoded != piece && decoded.size() >= kMinFragment) out.push_back(std::move(decoded));
}

// Every piece of `value` a receiver or a library may echo on its own: the whole value and, for a
// URL, its userinfo, password, path, each path segment, query and each query value. A webhook
// answering "no route for /services/T0/B0/XYZ" must not put the token into a record.
std::vector<std::string> secret_fragments(const std::string& value) {
    std::vector<std::string> out{value};
    auto scheme_end = value.find("://");
    if (scheme_end == std::string::npos) return out;
    std::string_view rest = std::string_view(value).substr(scheme_end + 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        add_fragment(out, userinfo);
        if (auto colon = userinfo.find(':'); colon != std::string_view::npos) add_fragment(out, userinfo.substr(colon + 1));
    }
    std::string_view tail = rest.substr(authority.size());
    std::string_view path = tail.substr(0, tail.find_first_of("?#"));
    add_fragment(out, path);
    for (std::size_t start = 0; start < path.size();) {
        std::size_t slash = path.find('/', start);
        std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        add_fragment(out, path.substr(start, end - start));
        start = end + 1;
    }
    if (auto q = tail.find('?'); q != std::string_view::npos) {
        std::string_view query = tail.substr(q + 1);
        query = query.substr(0, query.find('#'));
        add_fragment(out, query);
        for (std::size_t start = 0; start < query.size();) {
            std::size_t amp = query.find('&', start);
            std::string_view pair = query.substr(start, (amp == std::string_view::npos ? query.size() : amp) - start);
            if (auto eq = pair.find('='); eq != std::string_view::npos) add_fragment(out, pair.substr(eq + 1));
            add_fragment(out, pair);
            if (amp == std::string_view::npos) break;
            start = amp + 1;
        }
    }
    return out;
}

}  // namespace

std::string scrub(std::string text, const std::vector<EnvSecret>& secrets) {
    // Every fragment of every secret, longest first, so a piece containing another is replaced whole.
    std::vector<std::pair<std::string, std::string>> pieces;  // fragment, reference
    for (const EnvSecret& s : secrets) {
        if (s.value.empty()) continue;
        for (auto& f : secret_fragments(s.value)) pieces.emplace_back(std::move(f), "${env:" + s.name + "}");
    }
    std::stable_sort(pieces.begin(), pieces.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    for (const auto& [fragment, ref] : pieces)
        for (std::size_t at = text.find(fragment); at != std::string::npos; at = text.find(fragment, at + ref.size()))
            text.replace(at, fragment.size(), ref);
    return text;
}

}  // namespace backstop
