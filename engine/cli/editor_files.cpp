// The writers of the editor files and the policy and Lua man pages, from the engine's own tables.
#include "cli/editor_files.h"

#include "cli/man_pages.h"
#include "core/json_text.h"
#include "lua/lua_stubs.h"
#include "policy/policy_schema.h"

namespace backstop::cli {

void write_policy_schema(std::ostream& out) { out << json_text(policy::policy_schema(), 2) << "\n"; }
void write_lua_stubs(std::ostream& out) { out << lua::luals_stubs(); }
void write_policy_man_page(std::ostream& out) { out << policy_man_page(); }
void write_lua_man_page(std::ostream& out) { out << lua_man_page(); }

}  // namespace backstop::cli
