// JSON to text without throwing: runbooks and commands can produce invalid UTF-8, and a record
// or a report must still be written (bad bytes become U+FFFD).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace backstop {

inline std::string json_text(const nlohmann::json& j, int indent = -1) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace backstop
