// Typed reads of one policy table's fields (strings, bounded integers, durations, absolute paths,
// argv lists) that report wrong-type, bad-value, bad-duration, missing-key and unknown-key.
#pragma once

#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.h"
#include "policy/raw_value.h"
#include "policy/report.h"

namespace backstop::policy {

class FieldReader {
public:
    // `label` names the table in messages, e.g. "service.web.health".
    FieldReader(const RawValue& table, std::string label, Report& report)
        : table_(table), label_(std::move(label)), report_(report) {}

    const std::string& label() const { return label_; }
    const RawValue& table() const { return table_; }

    // Each returns nullopt when the key is absent or its value was reported as wrong.
    std::optional<std::string> string(std::string_view key, bool allow_empty = true);
    std::optional<int> integer(std::string_view key, int min, int max = std::numeric_limits<int>::max());
    std::optional<Duration> duration(std::string_view key, Duration min = Duration{1});
    // Relative paths resolve against `base_dir`; the result is absolute and lexically normal.
    std::optional<std::filesystem::path> path(std::string_view key, const std::filesystem::path& base_dir);
    std::optional<std::vector<std::string>> argv(std::string_view key);
    // An array of strings, possibly empty; each non-string item is reported.
    std::optional<std::vector<std::string>> strings(std::string_view key);
    // A sub-table such as [service.web.health]; nullptr when absent or not a table.
    const RawValue* subtable(std::string_view key);

    // A "missing-key" error positioned at this table.
    void missing(std::string_view key);
    // A "bad-value" error at `key`'s value.
    void bad_value(std::string_view key, std::string message);

    // An "unknown-key" error for every member not in `known`. `elsewhere(key)` may name the table
    // a key belongs to when it was written in the wrong one ("belongs in [service.web.health]").
    void reject_unknown(std::span<const std::string_view> known,
                        const std::function<std::string(std::string_view)>& elsewhere = {});

private:
    const RawValue* typed(std::string_view key, RawValue::Kind kind, std::string_view wanted);

    const RawValue& table_;
    std::string label_;
    Report& report_;
};

// Absolute and lexically normal, without a trailing separator.
std::filesystem::path absolute_path(const std::filesystem::path& p, const std::filesystem::path& base_dir);

}  // namespace backstop::policy
