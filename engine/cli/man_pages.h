// The man pages generated from the engine's own tables: backstop.toml(5) from the policy key
// tables, backstop-lua(7) from the runbook API table.
#pragma once

#include <string>

namespace backstop::cli {

std::string policy_man_page();
std::string lua_man_page();

}  // namespace backstop::cli
