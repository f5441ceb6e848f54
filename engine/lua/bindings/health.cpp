// health: the policy's health check, through the host (which knows the URL, attempts and interval).
#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"

namespace backstop::lua::bindings {

namespace {

int push_result(lua_State* L, const HealthResult& result) {
    lua_pushboolean(L, result.ok ? 1 : 0);
    lua_pushlstring(L, result.message.data(), result.message.size());
    return 2;
}

// health.probe()
// @return (boolean), (string): one probe's verdict and what it saw ("200 OK in 12ms")
int health_probe(lua_State* L) {
    RunbookHost& host = host_for(L, "health.probe");
    HealthResult result;
    guarded(L, [&] {
        result = host.probe_health();
        return 0;
    });
    check_deadline(L);
    return push_result(L, result);
}

// health.wait()
// @return (boolean), (string): probes until healthy or the attempts are used up
//         ("200 OK after 3 probes (1.2s)"); shaped for `return health.wait()` in verify
int health_wait(lua_State* L) {
    RunbookHost& host = host_for(L, "health.wait");
    HealthResult result;
    guarded(L, [&] {
        result = host.wait_healthy();
        return 0;
    });
    check_deadline(L);
    return push_result(L, result);
}

const luaL_Reg health_functions[] = {
    {"probe", health_probe},
    {"wait", health_wait},
    {nullptr, nullptr},
};

}  // namespace

int open_health(lua_State* L) { return push_function_table(L, health_functions); }

}  // namespace backstop::lua::bindings
