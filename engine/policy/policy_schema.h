// The JSON Schema (draft-07) of a policy document, generated from the key tables of policy_keys.h
// and the built-in rule library: what taplo and editors' TOML extensions validate and complete with.
#pragma once

#include <nlohmann/json.hpp>

namespace backstop::policy {

nlohmann::json policy_schema();

}  // namespace backstop::policy
