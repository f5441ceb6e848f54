// The Lua modules backed by the RunbookHost. Each is a global in every runbook and also
// require("backstop.<name>"). One file per module; each lists its Lua functions in one table and
// documents them from the script's side.
#pragma once

#include <span>

#include "lua/lua_support.h"

namespace backstop::lua::bindings {

struct Module {
    const char* name;    // global name; the require name is "backstop." + name
    lua_CFunction open;  // pushes the module's value (a table; `sleep` is a function)
};

std::span<const Module> modules();

int open_log(lua_State* L);
int open_http(lua_State* L);
int open_sleep(lua_State* L);
int open_json(lua_State* L);
int open_releases(lua_State* L);
int open_service(lua_State* L);
int open_health(lua_State* L);
int open_git(lua_State* L);
int open_hash(lua_State* L);
int open_exec(lua_State* L);
int open_wait_http(lua_State* L);
int open_wait_tcp(lua_State* L);
int open_signal(lua_State* L);
int open_systemd(lua_State* L);
int open_docker(lua_State* L);
int open_nothing_to_do(lua_State* L);

// luaL_newlib for a table of functions ending with {nullptr, nullptr}.
int push_function_table(lua_State* L, const luaL_Reg* functions);

}  // namespace backstop::lua::bindings
