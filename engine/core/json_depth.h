// How deeply JSON text nests, read without parsing it, so a limit holds before a parser builds a
// tree (a 1 MB body of '[' is a million levels to nlohmann::json and a lot of memory).
#pragma once

#include <string_view>

namespace backstop {

// The deepest nesting of arrays and objects in `text` (0 for a scalar), skipping what is inside
// strings. Malformed text still gets a number; the parser reports what is wrong with it.
int json_nesting_depth(std::string_view text);

}  // namespace backstop
