// Lookups and type names for the reader's value tree.
#include "policy/raw_value.h"

#include <algorithm>

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

}  // namespace backstop::policy
