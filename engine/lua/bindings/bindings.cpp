#include "lua/bindings/bindings.h"

namespace backstop::lua::bindings {

std::span<const Module> modules() {
    static const Module all[] = {
        {"log", open_log},         {"http", open_http},       {"sleep", open_sleep},   {"json", open_json},
        {"releases", open_releases}, {"service", open_service}, {"health", open_health}, {"git", open_git},
        {"hash", open_hash},       {"exec", open_exec},       {"wait_http", open_wait_http}, {"wait_tcp", open_wait_tcp},
        {"signal", open_signal},   {"systemd", open_systemd}, {"docker", open_docker},
        {"nothing_to_do", open_nothing_to_do},
    };
    return all;
}

int push_function_table(lua_State* L, const luaL_Reg* functions) {
    int n = 0;
    for (const luaL_Reg* f = functions; f->name != nullptr; ++f) ++n;
    lua_createtable(L, 0, n);
    luaL_setfuncs(L, functions, 0);
    return 1;
}

}  // namespace backstop::lua::bindings
