#include "decide/expression_schema.h"

#include <algorithm>

#include "core/error.h"

namespace backstop {

namespace {
bool name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
}  // namespace

std::string_view type_name(ValueType type) {
    switch (type) {
        case ValueType::number: return "number";
        case ValueType::boolean: return "boolean";
        case ValueType::string: return "string";
    }
    return "?";
}

bool is_expression_name(std::string_view text) {
    bool segment_start = true;
    for (char c : text) {
        if (c == '.') {
            if (segment_start) return false;
            segment_start = true;
        } else if (segment_start ? name_start(c) : name_char(c)) {
            segment_start = false;
        } else {
            return false;
        }
    }
    return !segment_start;
}

bool is_expression_keyword(std::string_view word) {
    for (std::string_view k : {"and", "or", "not", "in", "true", "false"})
        if (word == k) return true;
    return false;
}

std::size_t ExpressionSchema::add(std::string name, ValueType type, std::string description) {
    if (!is_expression_name(name))
        throw Error("expression name \"" + name + "\" is not letters, digits and _ (dots between words)");
    if (is_expression_keyword(name)) throw Error("expression name \"" + name + "\" is a keyword");
    if (slot(name)) throw Error("expression name \"" + name + "\" is registered twice");
    names_.push_back({std::move(name), type, std::move(description)});
    return names_.size() - 1;
}

std::optional<std::size_t> ExpressionSchema::slot(std::string_view name) const {
    auto it = std::find_if(names_.begin(), names_.end(), [&](const SchemaName& n) { return n.name == name; });
    if (it == names_.end()) return std::nullopt;
    return static_cast<std::size_t>(it - names_.begin());
}

}  // namespace backstop
