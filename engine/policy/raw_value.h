// The parsed-but-unchecked form of a policy document: a tree of values, each with its position.
// It keeps toml++ out of everything but the reader, so the compiler can be tested on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"

namespace backstop::policy {

struct RawMember;

// Where a value or key is written: the file name by reference (a document has hundreds of values,
// each would otherwise copy it), becoming a SourcePosition where one is needed. The name must
// outlive the tree: read_toml's `name`.
struct RawPosition {
    const std::string* file = nullptr;
    int line = 0;
    int column = 0;

    operator SourcePosition() const { return {file ? *file : std::string(), line, column}; }
};

struct RawValue {
    enum class Kind { table, array, string, integer, floating, boolean, date, time, date_time };

    Kind kind = Kind::table;
    RawPosition at;
    std::string text;                // string values; dates and times in their TOML spelling
    std::int64_t integer = 0;
    double floating = 0;
    bool boolean = false;
    std::vector<RawValue> items;     // arrays
    std::vector<RawMember> members;  // tables, in key order

    bool is(Kind k) const { return kind == k; }
    // The member value called `key`, or nullptr.
    const RawValue* find(std::string_view key) const;
};

struct RawMember {
    std::string key;
    RawPosition key_at;     // where the key is spelled; for tables, in their header
    RawValue value;
};

// "string", "integer", "table"…, as a policy author would call the TOML type.
std::string_view kind_name(RawValue::Kind kind);

// The whole tree as text, one value per line with its kind, position, value and keys' positions:
// two readers agree on a document exactly when they give the same text (tests and fuzzing compare).
std::string tree_text(const RawValue& root);

}  // namespace backstop::policy
