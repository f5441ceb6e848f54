// service: restarting the service with the policy's restart command, through the host.
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

const luaL_Reg functions[] = {
    {"restart", service_restart},
    {nullptr, nullptr},
};

}  // namespace

int open_service(lua_State* L) { return push_function_table(L, functions); }

}  // namespace backstop::lua::bindings
