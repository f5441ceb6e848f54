// nothing_to_do: how a pre hook ends a run that has nothing to roll back (the artifact is intact,
// the bad version is already gone). The run is recorded as `nothing_to_do`: not a failure, not
// counted against max_attempts or the success rate, not announced unless a channel asks for it.
#include "lua/bindings/bindings.h"

namespace backstop::lua::bindings {

namespace {

// nothing_to_do(reason)
// @param 1 (string): why there is nothing to do, for the record and the terminal
// @return (table): { nothing_to_do = reason }; `return nothing_to_do("…")` from pre ends the run
int nothing_to_do(lua_State* L) {
    const char* reason = luaL_checkstring(L, 1);
    lua_createtable(L, 0, 1);
    lua_pushstring(L, reason);
    lua_setfield(L, -2, "nothing_to_do");
    return 1;
}

}  // namespace

int open_nothing_to_do(lua_State* L) {
    lua_pushcfunction(L, nothing_to_do);
    return 1;
}

}  // namespace backstop::lua::bindings
