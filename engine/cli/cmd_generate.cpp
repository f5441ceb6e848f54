// `backstop __generate WHAT [FILE]`: the files generated from the engine's own tables, run by the
// build (engine/CMakeLists.txt) and hidden from help. WHAT: schema (the policy JSON Schema), man5
// (backstop.toml(5)), man7 (backstop-lua(7)), lua-stubs (LuaLS annotations). Without FILE, stdout.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/args.h"
#include "cli/editor_files.h"
#include "cli/man_pages.h"
#include "core/error.h"
#include "core/json_text.h"
#include "lua/lua_stubs.h"
#include "policy/policy_schema.h"

namespace backstop::cli {

void write_policy_schema(std::ostream& out) { out << json_text(policy::policy_schema(), 2) << "\n"; }
void write_lua_stubs(std::ostream& out) { out << lua::luals_stubs(); }
void write_policy_man_page(std::ostream& out) { out << policy_man_page(); }
void write_lua_man_page(std::ostream& out) { out << lua_man_page(); }

std::optional<std::string> generated_file(std::string_view what) {
    void (*write)(std::ostream&) = what == "schema"      ? write_policy_schema
                                   : what == "lua-stubs" ? write_lua_stubs
                                   : what == "man5"      ? write_policy_man_page
                                   : what == "man7"      ? write_lua_man_page
                                                         : nullptr;
    if (!write) return std::nullopt;
    std::ostringstream out;
    write(out);
    return out.str();
}

int run_generate(const std::vector<std::string>& positionals) {
    if (positionals.size() < 2 || positionals.size() > 3)
        throw UsageError{"usage: backstop __generate schema|man5|man7|lua-stubs [FILE]"};
    auto text = generated_file(positionals[1]);
    if (!text) throw UsageError{"__generate: unknown file `" + positionals[1] + "` (schema, man5, man7, lua-stubs)"};
    if (positionals.size() == 2) {
        std::cout << *text;
        return 0;
    }
    // Written beside and renamed over, so a build interrupted midway leaves no half file behind.
    const std::string& path = positionals[2];
    std::string partial = path + ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out << *text;
        if (!out.flush()) throw Error("cannot write " + partial);
    }
    if (std::rename(partial.c_str(), path.c_str()) != 0) throw Error("cannot rename " + partial + " to " + path);
    return 0;
}

}  // namespace backstop::cli
