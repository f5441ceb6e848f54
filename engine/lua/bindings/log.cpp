// log: the run's log (the host decides where it goes; at load time, the process log). Lines are
// cut at 16 KiB.
#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"

namespace backstop::lua::bindings {

namespace {

int log_at(lua_State* L, LogLevel level) { return log_args(L, level, 1); }

// log.debug(...), log.info(...), log.warn(...), log.error(...)
// @param ... (any): values joined with spaces (tostring applied), like print
int log_debug(lua_State* L) { return log_at(L, LogLevel::debug); }
int log_info(lua_State* L) { return log_at(L, LogLevel::info); }
int log_warn(lua_State* L) { return log_at(L, LogLevel::warn); }
int log_error(lua_State* L) { return log_at(L, LogLevel::error); }

const luaL_Reg log_functions[] = {
    {"debug", log_debug},
    {"info", log_info},
    {"warn", log_warn},
    {"error", log_error},
    {nullptr, nullptr},
};

}  // namespace

int open_log(lua_State* L) { return push_function_table(L, log_functions); }

}  // namespace backstop::lua::bindings
