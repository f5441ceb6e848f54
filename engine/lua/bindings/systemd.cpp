// systemd: units of the service's systemd manager (policy `scope`: system, or the user manager),
// through the host. Reads run even in a dry run; start/stop/restart/reload are planned there.
// Errors carry systemctl's exit code and the tail of its stderr.
#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"

namespace backstop::lua::bindings {

namespace {

int call(lua_State* L, const char* function, const char* action, const std::string& property = {}) {
    std::string unit = luaL_checkstring(L, 1);
    RunbookHost& host = host_for(L, function);
    std::string out;
    guarded(L, [&] {
        out = host.systemd(action, unit, property);
        return 0;
    });
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

int mutate(lua_State* L, const char* function, const char* action) {
    call(L, function, action);
    lua_pop(L, 1);
    return 0;
}

// systemd.start(unit)
// @param 1 (string): unit name, e.g. "web.service"; started (planned in a dry run). Raises when
// systemctl fails (the unit does not exist, its start job failed).
int systemd_start(lua_State* L) { return mutate(L, "systemd.start", "start"); }

// systemd.stop(unit)
// @param 1 (string): unit name; stopped (planned in a dry run)
int systemd_stop(lua_State* L) { return mutate(L, "systemd.stop", "stop"); }

// systemd.restart(unit)
// @param 1 (string): unit name; restarted, or started when it was not running (planned in a dry run)
int systemd_restart(lua_State* L) { return mutate(L, "systemd.restart", "restart"); }

// systemd.reload(unit)
// @param 1 (string): unit name; told to reload its configuration (planned in a dry run)
int systemd_reload(lua_State* L) { return mutate(L, "systemd.reload", "reload"); }

// systemd.is_active(unit)
// @param 1 (string): unit name
// @return (boolean): true when the unit is active; (string): its state word (active, inactive,
// failed, activating, deactivating, reloading…). A unit that does not exist is "inactive".
int systemd_is_active(lua_State* L) {
    call(L, "systemd.is_active", "is-active");
    lua_pushboolean(L, std::string(lua_tostring(L, -1)) == "active");
    lua_insert(L, -2);
    return 2;
}

// systemd.show(unit, property)
// @param 1 (string): unit name; @param 2 (string): property, e.g. "MainPID", "NRestarts", "SubState"
// @return (string): the property's value as systemctl shows it
int systemd_show(lua_State* L) {
    std::string property = luaL_checkstring(L, 2);
    return call(L, "systemd.show", "show", property);
}

const luaL_Reg systemd_functions[] = {
    {"start", systemd_start},         {"stop", systemd_stop}, {"restart", systemd_restart},
    {"reload", systemd_reload},       {"is_active", systemd_is_active},
    {"show", systemd_show},           {nullptr, nullptr},
};

}  // namespace

int open_systemd(lua_State* L) { return push_function_table(L, systemd_functions); }

}  // namespace backstop::lua::bindings
