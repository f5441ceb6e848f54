// A fast reader for the TOML policies are written in: the same RawValue tree toml++ gives, in one
// pass over the text, for documents within its subset — comments, bare/quoted/dotted keys, [tables],
// [[arrays of tables]], single-line strings, decimal integers and floats, booleans, arrays and
// inline tables. Anything else (multi-line strings, dates and times, hex/octal/binary numbers,
// inf/nan) and every error is left to toml++, which reads all of TOML and words the errors: a
// fleet's policies load several times faster, and nothing about the format changes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policy/raw_value.h"

namespace backstop::policy {

// The root table, as toml++ would give it (members in key order, positions in code points), or
// nullopt when the document is outside the subset above or not valid TOML. Its positions refer to
// `name`, which must outlive it.
std::optional<RawValue> read_toml_fast(std::string_view text, const std::string& name);

}  // namespace backstop::policy
