// TOML text → RawValue tree. The only place that knows about toml++; syntax errors become
// "toml-syntax" diagnostics here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "policy/raw_value.h"

namespace backstop::policy {

// The document's root table, or nullopt after adding a "toml-syntax" error to `out`.
// `name` is the file name positions carry.
std::optional<RawValue> read_toml(std::string_view text, const std::string& name, Diagnostics& out);

}  // namespace backstop::policy
