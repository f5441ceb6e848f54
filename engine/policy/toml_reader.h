// TOML text → RawValue tree. The only place that knows about toml++ (behind the fast reader of
// toml_fast_reader.h); syntax errors become "toml-syntax" diagnostics here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "policy/raw_value.h"

namespace backstop::policy {

// The document's root table, or nullopt after adding a "toml-syntax" error to `out`.
// `name` is the file name positions carry.
// read_toml_fast when the document is within its subset, else toml++. The tree's positions refer
// to `name`, which must outlive it.
std::optional<RawValue> read_toml(std::string_view text, const std::string& name, Diagnostics& out);

// toml++ alone: what read_toml falls back to, and what tests compare the fast reader with.
std::optional<RawValue> read_toml_with_tomlplusplus(std::string_view text, const std::string& name, Diagnostics& out);

}  // namespace backstop::policy
