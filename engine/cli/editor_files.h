// The hidden `__generate` verb's files for editors and man: the policy JSON Schema, the LuaLS
// stubs, backstop.toml(5) and backstop-lua(7). Each has a writer of the shape the CLI's table of
// generated files takes (`void(std::ostream&)`), so it joins that table as one row.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace backstop::cli {

void write_policy_schema(std::ostream& out);
void write_lua_stubs(std::ostream& out);
void write_policy_man_page(std::ostream& out);
void write_lua_man_page(std::ostream& out);

// The text of one generated file ("schema", "man5", "man7", "lua-stubs"), nullopt for another name.
std::optional<std::string> generated_file(std::string_view what);

// positionals: {"__generate", WHAT [, FILE]}. Throws UsageError for a WHAT it does not know.
int run_generate(const std::vector<std::string>& positionals);

}  // namespace backstop::cli
