// releases: the service's release folders and the `current` pointer, through the host.
#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"

namespace backstop::lua::bindings {

namespace {

// releases.list()
// @return (table): release names, oldest first ({"v1", "v2", "v10"})
int releases_list(lua_State* L) {
    RunbookHost& host = host_for(L, "releases.list");
    std::vector<std::string> names;
    guarded(L, [&] {
        names = host.list_releases();
        return 0;
    });
    lua_createtable(L, static_cast<int>(names.size()), 0);
    lua_Integer i = 0;
    for (const auto& name : names) {
        lua_pushlstring(L, name.data(), name.size());
        lua_rawseti(L, -2, ++i);
    }
    return 1;
}

// releases.current()
// @return (string|nil): the release `current` points to; nil when there is none
int releases_current(lua_State* L) {
    RunbookHost& host = host_for(L, "releases.current");
    std::string name;
    guarded(L, [&] {
        name = host.current_release();
        return 0;
    });
    if (name.empty())
        lua_pushnil(L);
    else
        lua_pushlstring(L, name.data(), name.size());
    return 1;
}

// releases.switch(name)
// @param 1 (string): release to point `current` at (atomically); raises when it does not exist
int releases_switch(lua_State* L) {
    std::string name = luaL_checkstring(L, 1);
    RunbookHost& host = host_for(L, "releases.switch");
    return guarded(L, [&] {
        host.switch_release(name);
        return 0;
    });
}

const luaL_Reg releases_functions[] = {
    {"list", releases_list},
    {"current", releases_current},
    {"switch", releases_switch},
    {nullptr, nullptr},
};

}  // namespace

int open_releases(lua_State* L) { return push_function_table(L, releases_functions); }

}  // namespace backstop::lua::bindings
