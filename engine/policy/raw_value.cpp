// Lookups and type names for the reader's value tree.
#include "policy/raw_value.h"

namespace backstop::policy {

const RawValue* RawValue::find(std::string_view key) const {
    // Members are in key order (see raw_value.h): the search can stop at the first larger key.
    for (const auto& m : members) {
        const int order = std::string_view(m.key).compare(key);
        if (order == 0) return &m.value;
        if (order > 0) break;
    }
    return nullptr;
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

}  // namespace backstop::policy
