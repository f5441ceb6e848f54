// The policy format as data: every table of a policy document with its keys, their types, allowed
// values, defaults and one-line descriptions. The compilers take their known-key lists from here,
// and the JSON Schema and backstop.toml(5) are generated from it, so the three cannot drift.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace backstop::policy {

// Each table a policy document can hold.
enum class Section { top, service, health, rollback, points, source, trigger, rule, decide, schedule, notify, environment };

enum class KeyType {
    string,
    integer,
    duration,      // a string such as "500ms" or "1h30m"
    path,          // a string; relative paths resolve against the policy file's folder
    argv,          // a non-empty array of strings whose first item is not empty
    strings,       // an array of strings, possibly empty
    status_codes,  // an integer or an array of integers
    string_table,  // a table of strings under names the policy chooses
    action,        // "decide", "rollback", "rollback:LEVEL", "hotfix", "hotfix:DURATION", "page", "none"
    rule_names,    // an array of built-in rule names
    table,         // a sub-table: the keys of `content`
    tables,        // an array of tables ([[…]]), each with the keys of `content`
    named_tables,  // tables under names the policy chooses ([service.NAME], [….source.NAME])
    environments,  // a label string, or named tables ([service.NAME.env.ENV]) each holding keys of `content`
};

struct KeySpec {
    std::string_view name;
    KeyType type = KeyType::string;
    std::string_view description;
    std::string_view default_value = {};  // a TOML literal that is also JSON ("\"60s\"", "3"); empty: none
    std::string_view default_note = {};   // a default no literal can say ("any 2xx"); shown when set
    bool required = false;
    std::string_view required_for = {};   // values of the table's discriminator that require it, space-separated
    std::string_view only_for = {};       // values of the discriminator it applies to, space-separated; empty: all
    std::span<const std::string_view> choices = {};  // allowed string values (of each item, for arrays)
    std::int64_t min = 0;                 // integer bounds, when min < max
    std::int64_t max = 0;
    Section content = Section::top;       // table, tables, named_tables: what each table holds
};

struct SectionSpec {
    Section id;
    std::string_view title;          // as written in a policy: "[service.NAME.health]"
    std::string_view description;
    std::string_view discriminator;  // the key whose value decides which keys apply ("kind", "type"); may be empty
    std::span<const KeySpec> keys;
};

std::span<const SectionSpec> sections();
const SectionSpec& section(Section id);

// The spec of `key` in `s`, or nullptr.
const KeySpec* find_key(Section s, std::string_view key);

// The names of the keys of `s` that apply when its discriminator is `value` (every key when empty):
// the known keys a compiler accepts.
const std::vector<std::string_view>& key_names(Section s, std::string_view value = {});

// Whether `value` is one of `choices` (a KeySpec's).
bool is_choice(std::span<const std::string_view> choices, std::string_view value);

// Whether `key` applies when the discriminator is `value` (`only_for` lists it or is empty).
bool applies(const KeySpec& key, std::string_view value);

// The keys of a rule's per-service tuning table [service.NAME.rules.RULE] besides the rule's
// parameters: the trigger keys but `name`.
const std::vector<std::string_view>& rule_tuning_key_names();

// Announced by a [[notify]] channel without `events`: the first `kDefaultNotifyEvents` of its choices.
inline constexpr std::size_t kDefaultNotifyEvents = 7;

}  // namespace backstop::policy
