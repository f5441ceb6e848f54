// Lookups and type names for the reader's value tree.
#include "policy/raw_value.h"

#include <algorithm>
#include <cstdio>

namespace backstop::policy {

const RawValue* RawValue::find(std::string_view key) const {
    // Members are in key order (see raw_value.h).
    auto it = std::lower_bound(members.begin(), members.end(), key,
                               [](const RawMember& m, std::string_view k) { return std::string_view(m.key) < k; });
    return it != members.end() && it->key == key ? &it->value : nullptr;
}

std::string_view kind_name(RawValue::Kind kind) {
    switch (kind) {
        case RawValue::Kind::table: return "table";
        case RawValue::Kind::array: return "array";
        case RawValue::Kind::string: return "string";
        case RawValue::Kind::integer: return "integer";
        case RawValue::Kind::floating: return "float";
        case RawValue::Kind::boolean: return "boolean";
        case RawValue::Kind::date: return "date";
        case RawValue::Kind::time: return "time";
        case RawValue::Kind::date_time: return "date-time";
    }
    return "value";
}

namespace {

std::string position_text(const RawPosition& at) {
    return (at.file ? *at.file : std::string()) + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

void append_tree(const RawValue& v, const std::string& indent, std::string& out) {
    out += std::string(kind_name(v.kind)) + " @" + position_text(v.at);
    switch (v.kind) {
        case RawValue::Kind::string:
        case RawValue::Kind::date:
        case RawValue::Kind::time:
        case RawValue::Kind::date_time: out += " \"" + v.text + "\""; break;
        case RawValue::Kind::integer: out += " " + std::to_string(v.integer); break;
        case RawValue::Kind::floating: {
            char buffer[40];
            std::snprintf(buffer, sizeof buffer, " %.17g", v.floating);  // tells -0 from 0, every bit of the value
            out += buffer;
            break;
        }
        case RawValue::Kind::boolean: out += v.boolean ? " true" : " false"; break;
        case RawValue::Kind::table:
        case RawValue::Kind::array: break;
    }
    out += "\n";
    for (const RawMember& m : v.members) {
        out += indent + "  [" + m.key + "] key@" + position_text(m.key_at) + " ";
        append_tree(m.value, indent + "  ", out);
    }
    for (const RawValue& item : v.items) {
        out += indent + "  - ";
        append_tree(item, indent + "  ", out);
    }
}

}  // namespace

std::string tree_text(const RawValue& root) {
    std::string out;
    append_tree(root, "", out);
    return out;
}

}  // namespace backstop::policy
