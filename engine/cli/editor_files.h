// The generated files for editors and man beyond the CLI's own: the policy JSON Schema, the LuaLS
// stubs, backstop.toml(5) and backstop-lua(7). Each writer has the shape of a row of the table of
// generated files (cli/generate.h).
#pragma once

#include <ostream>

namespace backstop::cli {

void write_policy_schema(std::ostream& out);
void write_lua_stubs(std::ostream& out);
void write_policy_man_page(std::ostream& out);
void write_lua_man_page(std::ostream& out);

}  // namespace backstop::cli
