#include "cli/args.h"

#include <algorithm>
#include <charconv>

namespace backstop::cli {

namespace {

constexpr std::size_t kLargestCount = 1'000'000'000;

std::optional<std::size_t> read_count(const std::string& text) {
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > kLargestCount) return std::nullopt;
    return n;
}

std::string choices_text(const std::vector<std::string>& choices) {
    std::string out;
    for (const auto& c : choices) out += (out.empty() ? "" : " or ") + c;
    return out;
}

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, const std::string& name) {
    for (const auto& s : specs)
        if (s.name == name || (!s.short_name.empty() && s.short_name == name)) return &s;
    return nullptr;
}

}  // namespace

void check_option_value(const OptionSpec& spec, const std::string& value) {
    const std::string shown = spec.name + " " + (spec.value_name.empty() ? "VALUE" : spec.value_name);
    switch (spec.kind) {
        case ValueKind::count:
            if (!read_count(value)) throw UsageError{shown + ": wants a whole number from 1, not `" + value + "`"};
            break;
        case ValueKind::duration: {
            std::string why;
            auto d = parse_duration(value, &why);
            if (!d) throw UsageError{shown + ": `" + value + "` is not a duration (" + why + ")"};
            if (d->count() <= 0) throw UsageError{shown + ": must be more than zero, not `" + value + "`"};
            break;
        }
        case ValueKind::choice:
            if (std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end())
                throw UsageError{shown + ": must be " + choices_text(spec.choices) + ", not `" + value + "`"};
            break;
        case ValueKind::service:
        case ValueKind::point:
        case ValueKind::file:
        case ValueKind::path:
        case ValueKind::dir:
            if (value.empty()) throw UsageError{shown + ": the value is empty"};
            break;
        case ValueKind::none:
        case ValueKind::text:
            break;
    }
}

std::optional<Duration> Args::duration(const std::string& name) const {
    auto text = value(name);
    if (!text) return std::nullopt;
    auto d = parse_duration(*text);
    if (!d) throw UsageError{name + ": `" + *text + "` is not a duration"};
    return d;
}

std::optional<std::size_t> Args::count(const std::string& name) const {
    auto text = value(name);
    if (!text) return std::nullopt;
    auto n = read_count(*text);
    if (!n) throw UsageError{name + ": wants a whole number from 1, not `" + *text + "`"};
    return n;
}

Args parse_args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs) {
    Args out;
    bool options_done = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (options_done || a.size() < 2 || a[0] != '-') {
            out.positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        std::string name = a, inline_value;
        bool has_inline = false;
        if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
            name = a.substr(0, eq);
            inline_value = a.substr(eq + 1);
            has_inline = true;
        }
        const OptionSpec* spec = find_spec(specs, name);
        if (!spec) throw UsageError{"unknown option " + name};
        if (!spec->takes_value()) {
            if (has_inline) throw UsageError{spec->name + " takes no value"};
            out.flags.insert(spec->name);
            continue;
        }
        if (!has_inline && i + 1 >= argv.size()) throw UsageError{spec->name + " needs a value (" + spec->value_name + ")"};
        std::string value = has_inline ? inline_value : argv[++i];
        check_option_value(*spec, value);
        out.values[spec->name] = std::move(value);
    }
    return out;
}

}  // namespace backstop::cli
