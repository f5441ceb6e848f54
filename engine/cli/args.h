// Command-line parsing: global options anywhere, then a verb and its own options. Each option says
// what its value is, so a bad value is a usage error naming the option before any verb runs.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/duration.h"

namespace backstop::cli {

// What an option's value is: checked when the command line is read, and used by the completions.
enum class ValueKind {
    none,      // a flag
    text,      // anything
    service,   // a service name from the policies
    point,     // a rollback point id (rb-…) of those services
    file,      // a path to a file
    path,      // a file or a folder
    dir,       // a folder
    count,     // a whole number, at least 1
    duration,  // "30m", "1h30m"; more than zero
    choice,    // one of `choices`
};

struct OptionSpec {
    std::string name;        // "--to"
    ValueKind kind = ValueKind::none;
    std::string value_name;  // "NAME", as usage and help show the value
    std::string help;        // one line, for VERB --help, the man page and the completions
    std::string short_name;  // "-v", optional
    std::vector<std::string> choices;

    bool takes_value() const { return kind != ValueKind::none; }
};

struct Args {
    std::vector<std::string> positionals;
    std::map<std::string, std::string> values;  // options with values, by long name
    std::set<std::string> flags;                // options without values, by long name

    bool has(const std::string& name) const { return flags.count(name) || values.count(name); }
    std::optional<std::string> value(const std::string& name) const {
        auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
    // An option's value read as its kind; parse_args has already refused values that are not.
    std::optional<Duration> duration(const std::string& name) const;
    std::optional<std::size_t> count(const std::string& name) const;
};

struct UsageError {
    std::string message;
};

// Accepts "--name value" and "--name=value". Throws UsageError for unknown options, missing values
// and values that are not of the option's kind (`--limit -1`, `--for soon`).
Args parse_args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs);

// The same check parse_args makes of one value; throws UsageError naming the option.
void check_option_value(const OptionSpec& spec, const std::string& value);

}  // namespace backstop::cli
