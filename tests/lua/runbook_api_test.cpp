// The runbook API table (lua/runbook_api.h), and the LuaLS stubs generated from it, against what
// the engine really registers in a sandboxed state: every module and function, no more, no less.
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>

#include "lua/bindings/bindings.h"
#include "lua/lua_stubs.h"
#include "lua/runbook_api.h"
#include "lua/sandbox.h"

using namespace backstop::lua;

namespace {

// "log.info", "sleep", ...: what a runbook can call, read from the globals of a real state.
std::set<std::string> registered_functions() {
    Sandbox sandbox{Limits{}};
    lua_State* L = sandbox.state();
    std::set<std::string> out;
    for (const auto& module : bindings::modules()) {
        lua_getglobal(L, module.name);
        if (lua_isfunction(L, -1)) {
            out.insert(module.name);
        } else if (lua_istable(L, -1)) {
            lua_pushnil(L);
            while (lua_next(L, -2) != 0) {
                if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1))
                    out.insert(std::string(module.name) + "." + lua_tostring(L, -2));
                lua_pop(L, 1);
            }
        } else {
            out.insert(std::string(module.name) + " (not a function or table)");
        }
        lua_pop(L, 1);
    }
    return out;
}

std::set<std::string> documented_functions() {
    std::set<std::string> out;
    for (const auto& m : runbook_modules())
        for (const auto& f : m.functions) out.insert(m.is_function ? std::string(f.name) : std::string(m.name) + "." + std::string(f.name));
    return out;
}

// Every `function NAME(` the stubs declare.
std::set<std::string> stubbed_functions() {
    std::string stubs = luals_stubs();
    std::set<std::string> out;
    std::regex declaration(R"(^function ([A-Za-z_][A-Za-z0-9_.]*)\()", std::regex::multiline);
    for (auto it = std::sregex_iterator(stubs.begin(), stubs.end(), declaration); it != std::sregex_iterator(); ++it)
        out.insert((*it)[1]);
    return out;
}

}  // namespace

TEST_CASE("the API table documents exactly the functions the bindings register") {
    auto registered = registered_functions();
    auto documented = documented_functions();
    REQUIRE(registered.size() > 40);
    std::set<std::string> undocumented, missing;
    for (const auto& f : registered)
        if (!documented.count(f)) undocumented.insert(f);
    for (const auto& f : documented)
        if (!registered.count(f)) missing.insert(f);
    INFO("registered but not in lua/runbook_api.cpp: " << Catch::Detail::stringify(undocumented));
    INFO("in lua/runbook_api.cpp but not registered: " << Catch::Detail::stringify(missing));
    CHECK(undocumented.empty());
    CHECK(missing.empty());
}

TEST_CASE("the LuaLS stubs declare exactly the registered functions under ---@meta") {
    std::string stubs = luals_stubs();
    CHECK(stubs.rfind("---@meta", 0) == 0);
    CHECK(stubbed_functions() == registered_functions());
    for (const auto& m : runbook_modules()) {
        if (m.is_function) continue;
        CHECK(stubs.find("\n" + std::string(m.name) + " = {}\n") != std::string::npos);
    }
    // The stubs are Lua that LuaLS parses: they must at least compile.
    lua_State* L = luaL_newstate();
    int status = luaL_loadbufferx(L, stubs.data(), stubs.size(), "=backstop.lua", "t");
    INFO((status == LUA_OK ? std::string() : std::string(lua_tostring(L, -1))));
    CHECK(status == LUA_OK);
    lua_close(L);
    CHECK(stubs.find("---@class backstop.Ctx") != std::string::npos);
    CHECK(stubs.find("---@class backstop.Runbook") != std::string::npos);
}
