// The runbook API as data, documented from the script's side: every module and function the
// bindings register, the fields of `ctx` and of a runbook's table. The LuaLS stubs and
// backstop-lua(7) are generated from it; a test compares it with what a real state registers.
#pragma once

#include <string_view>
#include <vector>

namespace backstop::lua {

// A parameter, a return value or a field. `type` is written as LuaLS reads it ("string",
// "integer|string", "table<string, string>", "fun(ctx: backstop.Ctx)").
struct LuaValueDoc {
    std::string_view name;
    std::string_view type;
    std::string_view doc;
    bool optional = false;
};

struct LuaFunctionDoc {
    std::string_view name;  // "info" of log.info; the global's name for a global function
    std::string_view doc;
    std::vector<LuaValueDoc> params;
    std::vector<LuaValueDoc> returns;
};

// A global of every runbook (also require("backstop.NAME")): a table of functions, or one function
// (then `functions` holds it alone, under the module's name).
struct LuaModuleDoc {
    std::string_view name;
    std::string_view doc;
    bool is_function = false;
    std::vector<LuaFunctionDoc> functions;
};

const std::vector<LuaModuleDoc>& runbook_modules();

// A LuaLS class: `ctx`, its `service`, a runbook's returned table.
struct LuaClassDoc {
    std::string_view name;  // "backstop.Ctx"
    std::string_view doc;
    std::vector<LuaValueDoc> fields;
};

const std::vector<LuaClassDoc>& runbook_classes();

}  // namespace backstop::lua
