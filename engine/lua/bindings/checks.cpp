// exec, wait_http, wait_tcp, signal: the hook and check primitives of runbooks (redis-cli SAVE
// before, an API's /health waited for after, a HUP to reload a config), through the host.
#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"
#include "prim/process_signal.h"

namespace backstop::lua::bindings {

namespace {

// Calls `on(key)` for each key of the options table at `arg`, with the value on top of the stack.
template <typename F>
void each_option(lua_State* L, int arg, const char* known, F on) {
    if (lua_isnoneornil(L, arg)) return;
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, arg) != 0) {
        std::string key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (!on(key)) luaL_argerror(L, arg, ("unknown option `" + key + "` (known: " + known + ")").c_str());
        lua_pop(L, 1);
    }
}

int push_health(lua_State* L, const HealthResult& r) {
    lua_pushboolean(L, r.ok);
    lua_pushlstring(L, r.message.data(), r.message.size());
    return 2;
}

// exec(argv [, opts])
// @param 1 (table): argv, e.g. {"redis-cli", "SAVE"}; argv[1] must be listed in rollback.exec_allow
// @param 2 (table, optional): timeout = "30s" (default); dry_run = true also runs it in dry runs
//          (for read-only commands)
// @return (table): {ok = exit 0, code = exit code, stdout =, stderr =, summary =}; raises when the
//         program is not allowed, cannot start or times out
int exec(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    std::vector<std::string> argv;
    for (lua_Integer i = 1, n = luaL_len(L, 1); i <= n; ++i) {
        lua_geti(L, 1, i);
        if (!lua_isstring(L, -1)) luaL_argerror(L, 1, "argv must be a list of strings");
        argv.emplace_back(lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    if (argv.empty()) luaL_argerror(L, 1, "argv is empty");
    Duration timeout{30'000};
    bool safe = false;
    each_option(L, 2, "timeout, dry_run", [&](const std::string& key) {
        if (key == "timeout") timeout = to_duration(L, -1, "exec option `timeout`");
        else if (key == "dry_run") safe = lua_toboolean(L, -1);
        else return false;
        return true;
    });
    RunbookHost& host = host_for(L, "exec");
    ProcessResult r;
    guarded(L, [&] {
        r = host.exec(argv, timeout, safe);
        return 0;
    });
    if (!r.started) raise(L, "exec: " + r.error);
    if (r.timed_out) raise(L, "exec `" + argv[0] + "` timed out after " + format_duration(timeout));
    std::string summary;
    guarded(L, [&] {
        summary = r.summary();
        return 0;
    });
    lua_createtable(L, 0, 5);
    lua_pushboolean(L, r.ok());
    lua_setfield(L, -2, "ok");
    lua_pushinteger(L, r.signal ? 128 + r.signal : r.exit_code);
    lua_setfield(L, -2, "code");
    lua_pushlstring(L, r.out.data(), r.out.size());
    lua_setfield(L, -2, "stdout");
    lua_pushlstring(L, r.err.data(), r.err.size());
    lua_setfield(L, -2, "stderr");
    lua_pushlstring(L, summary.data(), summary.size());
    lua_setfield(L, -2, "summary");
    return 1;
}

// wait_http(url [, opts])
// @param 2 (table, optional): status = 200 (default any 2xx), body = "substring",
//          deadline = "30s", interval = "500ms", timeout = "2s" (per request)
// @return ok (boolean), message (string)
int wait_http(lua_State* L) {
    HttpExpectation expect;
    expect.url = luaL_checkstring(L, 1);
    each_option(L, 2, "status, body, deadline, interval, timeout", [&](const std::string& key) {
        if (key == "status") expect.status = static_cast<int>(luaL_checkinteger(L, -1));
        else if (key == "body") expect.body = luaL_checkstring(L, -1);
        else if (key == "deadline") expect.deadline = to_duration(L, -1, "wait_http option `deadline`");
        else if (key == "interval") expect.interval = to_duration(L, -1, "wait_http option `interval`");
        else if (key == "timeout") expect.timeout = to_duration(L, -1, "wait_http option `timeout`");
        else return false;
        return true;
    });
    RunbookHost& host = host_for(L, "wait_http");
    HealthResult r;
    guarded(L, [&] {
        r = host.wait_http(expect);
        return 0;
    });
    return push_health(L, r);
}

// wait_tcp(host, port [, opts])
// @param 3 (table, optional): deadline = "30s", interval = "250ms"
// @return ok (boolean), message (string)
int wait_tcp(lua_State* L) {
    std::string address = luaL_checkstring(L, 1);
    lua_Integer port = luaL_checkinteger(L, 2);
    if (port < 1 || port > 65535) luaL_argerror(L, 2, "port must be 1..65535");
    Duration deadline{30'000}, interval{250};
    each_option(L, 3, "deadline, interval", [&](const std::string& key) {
        if (key == "deadline") deadline = to_duration(L, -1, "wait_tcp option `deadline`");
        else if (key == "interval") interval = to_duration(L, -1, "wait_tcp option `interval`");
        else return false;
        return true;
    });
    RunbookHost& host = host_for(L, "wait_tcp");
    HealthResult r;
    guarded(L, [&] {
        r = host.wait_tcp(address, static_cast<int>(port), deadline, interval);
        return 0;
    });
    return push_health(L, r);
}

// signal(target, name)
// @param 1 (string|integer): a pid, or a pid file (relative to the policy's folder)
// @param 2 (string): "HUP", "TERM", "USR1", … ; raises when it cannot be delivered
int signal(lua_State* L) {
    std::string target = luaL_checkstring(L, 1);
    std::string name = luaL_checkstring(L, 2);
    auto signo = signal_number(name);
    if (!signo) luaL_argerror(L, 2, ("unknown signal `" + name + "` (HUP, INT, QUIT, TERM, KILL, USR1, USR2, CONT, STOP)").c_str());
    RunbookHost& host = host_for(L, "signal");
    return guarded(L, [&] {
        host.signal(target, *signo, name);
        return 0;
    });
}

}  // namespace

int open_exec(lua_State* L) {
    lua_pushcfunction(L, exec);
    return 1;
}
int open_wait_http(lua_State* L) {
    lua_pushcfunction(L, wait_http);
    return 1;
}
int open_wait_tcp(lua_State* L) {
    lua_pushcfunction(L, wait_tcp);
    return 1;
}
int open_signal(lua_State* L) {
    lua_pushcfunction(L, signal);
    return 1;
}

}  // namespace backstop::lua::bindings
