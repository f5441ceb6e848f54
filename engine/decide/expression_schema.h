// The names a `when` expression may use: each with its type, a one-line description for
// `backstop check` and the docs, and the slot its value occupies in ExpressionValues.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backstop {

enum class ValueType : std::uint8_t { number, boolean, string };

// "number", "boolean", "string": the words error messages use.
std::string_view type_name(ValueType type);

struct SchemaName {
    std::string name;  // "consecutive_failures", "labels.severity"
    ValueType type = ValueType::number;
    std::string description;
};

class ExpressionSchema {
public:
    // Registers `name` and returns its slot (0, 1, 2… in registration order). Throws Error when the
    // name is taken, is a keyword (and, or, not, in, true, false) or is not a (dotted) identifier.
    std::size_t add(std::string name, ValueType type, std::string description = {});

    std::optional<std::size_t> slot(std::string_view name) const;
    const SchemaName& at(std::size_t slot) const { return names_.at(slot); }
    const std::vector<SchemaName>& names() const { return names_; }
    std::size_t size() const { return names_.size(); }

private:
    std::vector<SchemaName> names_;
};

// True for `value`, `labels.severity`: [A-Za-z_][A-Za-z0-9_]* segments joined by dots.
bool is_expression_name(std::string_view text);

// The words the language reserves; none of them can be a name.
bool is_expression_keyword(std::string_view word);

}  // namespace backstop
