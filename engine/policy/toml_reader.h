// TOML text → RawValue tree, through toml++ alone; syntax errors become "toml-syntax" diagnostics
// at FILE:LINE:COL here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "policy/raw_value.h"

namespace backstop::policy {

// The document's root table, or nullopt after adding one "toml-syntax" error to `out`. The tree's
// positions refer to `name`, which must outlive it.
std::optional<RawValue> read_toml(std::string_view text, const std::string& name, Diagnostics& out);

}  // namespace backstop::policy
