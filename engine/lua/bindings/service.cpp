// service: making a version live and restarting the service, through the host.
#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"

namespace backstop::lua::bindings {

namespace {

// service.restart()
// @return true, (string): the command succeeded; the summary ("exit 0")
// raises an error carrying the summary ("exit 3: <stderr tail>", "timed out after 30s") otherwise
int service_restart(lua_State* L) {
    RunbookHost& host = host_for(L, "service.restart");
    ProcessResult result;
    guarded(L, [&] {
        result = host.restart();
        return 0;
    });
    std::string summary;
    guarded(L, [&] {
        summary = result.summary();
        return 0;
    });
    if (!result.ok()) raise(L, "service.restart failed: " + summary);
    lua_pushboolean(L, 1);
    lua_pushlstring(L, summary.data(), summary.size());
    return 2;
}

// service.switch(version)
// @param 1 (string): the version to make live, by the service's strategy (a release name, a git
// revision); in a dry run only planned. Raises when it does not exist or the switch fails.
int service_switch(lua_State* L) {
    std::string to = luaL_checkstring(L, 1);
    RunbookHost& host = host_for(L, "service.switch");
    return guarded(L, [&] {
        host.switch_version(to);
        return 0;
    });
}

const luaL_Reg service_functions[] = {
    {"restart", service_restart},
    {"switch", service_switch},
    {nullptr, nullptr},
};

}  // namespace

int open_service(lua_State* L) { return push_function_table(L, service_functions); }

}  // namespace backstop::lua::bindings
