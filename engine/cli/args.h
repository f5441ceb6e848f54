// Command-line parsing: global options anywhere, then a verb and its own options.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace backstop::cli {

struct OptionSpec {
    std::string name;      // "--to"
    bool takes_value = false;
    std::string short_name;  // "-v", optional
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
};

struct UsageError {
    std::string message;
};

// Accepts "--name value" and "--name=value". Throws UsageError for unknown options or missing values.
Args parse_args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs);

}  // namespace backstop::cli
