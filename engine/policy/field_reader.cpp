// Typed reads of one policy table's fields. Every check reports and carries on, so a single
// `check` run lists every broken value rather than the first one.
#include "policy/field_reader.h"

#include "core/did_you_mean.h"

namespace backstop::policy {

namespace {
// Not `quoted`: ADL would find std::quoted for std::string arguments.
std::string ticked(std::string_view key) { return "`" + std::string(key) + "`"; }
}  // namespace

namespace {

// True for "/a/b/c": absolute, with no empty, "." or ".." segment and no trailing separator, so
// lexically_normal would return it unchanged (the common case, decided without building a path).
bool already_normal(std::string_view p) {
    if (p.size() < 2 || p.front() != '/' || p.back() == '/') return false;
    for (std::size_t start = 1; start <= p.size();) {
        std::size_t end = p.find('/', start);
        if (end == std::string_view::npos) end = p.size();
        std::string_view segment = p.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") return false;
        start = end + 1;
    }
    return true;
}

}  // namespace

std::filesystem::path absolute_path(const std::filesystem::path& p, const std::filesystem::path& base_dir) {
    if (!p.is_absolute() && already_normal(base_dir.native()) && already_normal("/" + p.native()))
        return base_dir.native() + "/" + p.native();
    if (p.is_absolute() && already_normal(p.native())) return p;
    std::filesystem::path out = p.is_absolute() ? p : base_dir / p;
    // A relative base_dir would leave the policy's meaning to whatever directory the caller runs in
    // later; pin it now.
    if (!out.is_absolute()) out = std::filesystem::absolute(out);
    out = out.lexically_normal();
    // "/srv/web/current/" names the target of the symlink, not the link the engine swaps.
    if (!out.has_filename() && out.has_relative_path()) out = out.parent_path();
    return out;
}

const RawValue* FieldReader::typed(std::string_view key, RawValue::Kind kind, std::string_view wanted) {
    const RawValue* v = table_.find(key);
    if (!v) return nullptr;
    if (!v->is(kind)) {
        report_.error("wrong-type", v->at,
                      ticked(key) + " must be " + std::string(wanted) + ", got " + std::string(kind_name(v->kind)));
        return nullptr;
    }
    return v;
}

std::optional<std::string> FieldReader::string(std::string_view key, bool allow_empty) {
    const RawValue* v = typed(key, RawValue::Kind::string, "a string");
    if (!v) return std::nullopt;
    if (!allow_empty && v->text.empty()) {
        report_.error("bad-value", v->at, ticked(key) + " must not be empty");
        return std::nullopt;
    }
    return v->text;
}

std::optional<int> FieldReader::integer(std::string_view key, int min, int max) {
    const RawValue* v = typed(key, RawValue::Kind::integer, "an integer");
    if (!v) return std::nullopt;
    if (v->integer < min || v->integer > max) {
        std::string range = max == std::numeric_limits<int>::max()
                                ? "at least " + std::to_string(min)
                                : "between " + std::to_string(min) + " and " + std::to_string(max);
        report_.error("bad-value", v->at, ticked(key) + " must be " + range + ", got " + std::to_string(v->integer));
        return std::nullopt;
    }
    return static_cast<int>(v->integer);
}

std::optional<Duration> FieldReader::duration(std::string_view key, Duration min) {
    const RawValue* v = typed(key, RawValue::Kind::string, "a duration string such as \"500ms\" or \"10s\"");
    if (!v) return std::nullopt;
    std::string why;
    auto d = parse_duration(v->text, &why);
    if (!d) {
        report_.error("bad-duration", v->at, ticked(key) + " is not a duration: " + why);
        return std::nullopt;
    }
    if (*d < min) {
        report_.error("bad-value", v->at,
                      ticked(key) + " must be at least " + format_duration(min) + ", got \"" + v->text + "\"");
        return std::nullopt;
    }
    return d;
}

std::optional<std::filesystem::path> FieldReader::path(std::string_view key, const std::filesystem::path& base_dir) {
    auto text = string(key, false);
    if (!text) return std::nullopt;
    return absolute_path(*text, base_dir);
}

std::optional<std::vector<std::string>> FieldReader::argv(std::string_view key) {
    const RawValue* v = typed(key, RawValue::Kind::array, "an array of strings (argv), e.g. [\"systemctl\", \"restart\", \"web\"]");
    if (!v) return std::nullopt;
    if (v->items.empty()) {
        report_.error("bad-value", v->at, ticked(key) + " must name a program; leave it out to restart nothing");
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < v->items.size(); ++i) {
        const RawValue& item = v->items[i];
        std::string name = std::string(key) + "[" + std::to_string(i) + "]";
        if (!item.is(RawValue::Kind::string)) {
            report_.error("wrong-type", item.at,
                          ticked(name) + " must be a string, got " + std::string(kind_name(item.kind)));
            ok = false;
        } else if (i == 0 && item.text.empty()) {
            report_.error("bad-value", item.at, ticked(name) + " (the program) must not be empty");
            ok = false;
        } else {
            out.push_back(item.text);
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::vector<std::string>> FieldReader::strings(std::string_view key) {
    const RawValue* v = typed(key, RawValue::Kind::array, "an array of strings");
    if (!v) return std::nullopt;
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < v->items.size(); ++i) {
        const RawValue& item = v->items[i];
        if (!item.is(RawValue::Kind::string)) {
            report_.error("wrong-type", item.at,
                          ticked(std::string(key) + "[" + std::to_string(i) + "]") + " must be a string, got " +
                              std::string(kind_name(item.kind)));
            ok = false;
        } else {
            out.push_back(item.text);
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

const RawValue* FieldReader::subtable(std::string_view key) {
    return typed(key, RawValue::Kind::table, "a table ([" + label_ + "." + std::string(key) + "])");
}

void FieldReader::missing(std::string_view key) {
    report_.error("missing-key", table_.at, "[" + label_ + "] is missing the required key " + ticked(key));
}

void FieldReader::bad_value(std::string_view key, std::string message) {
    const RawValue* v = table_.find(key);
    report_.error("bad-value", v ? v->at : table_.at, std::move(message));
}

void FieldReader::reject_unknown(std::span<const std::string_view> known,
                                 const std::function<std::string(std::string_view)>& elsewhere) {
    for (const auto& m : table_.members) {
        bool is_known = false;
        for (auto k : known) is_known = is_known || k == m.key;
        if (is_known) continue;
        std::string message = "unknown key " + ticked(m.key) + " in [" + label_ + "]";
        std::string home = elsewhere ? elsewhere(m.key) : std::string();
        auto guess = did_you_mean(m.key, known);
        // Both can be right (`attempts` in [rollback] may mean `max_attempts`), so say both; a
        // mere typo distance to a key of this table (`url` and `use`) is not worth the doubt.
        bool related = guess && (guess->find(m.key) != std::string::npos || m.key.find(*guess) != std::string::npos);
        if (related && !home.empty()) {
            message += "; did you mean " + ticked(*guess) + "? (" + ticked(m.key) + " belongs in " + home + ")";
        } else if (!home.empty()) {
            message += "; it belongs in " + home;
        } else if (guess) {
            message += "; did you mean " + ticked(*guess) + "?";
        } else {
            message += " (known keys:";
            for (auto k : known) message += " " + std::string(k);
            message += ")";
        }
        report_.error("unknown-key", m.key_at, std::move(message));
    }
}

}  // namespace backstop::policy
