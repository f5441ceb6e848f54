// http: requests through the host (which owns the client, its deadlines and dry-run behaviour).
#include <cctype>

#include "core/text.h"
#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"

namespace backstop::lua::bindings {

namespace {

// opts = { timeout = "1s" | seconds, headers = { ["name"] = "value" } }
void read_options(lua_State* L, int arg, HttpRequest& request) {
    if (lua_isnoneornil(L, arg)) return;
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, arg) != 0) {
        std::string key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (key == "timeout") {
            request.timeout = to_duration(L, -1, "http option `timeout`");
        } else if (key == "headers") {
            if (!lua_istable(L, -1)) luaL_argerror(L, arg, "option `headers` must be a table of name = value");
            int headers = lua_gettop(L);
            lua_pushnil(L);
            while (lua_next(L, headers) != 0) {
                if (lua_type(L, -2) != LUA_TSTRING || !lua_isstring(L, -1))
                    luaL_argerror(L, arg, "option `headers` must map names (strings) to strings");
                std::string value = luaL_tolstring(L, -1, nullptr);  // numbers too, without touching the key
                lua_pop(L, 1);
                request.headers[lua_tostring(L, -2)] = value;
                lua_pop(L, 1);
            }
        } else {
            luaL_argerror(L, arg, ("unknown option `" + key + "` (known: timeout, headers)").c_str());
        }
        lua_pop(L, 1);
    }
}

int send(lua_State* L, HttpRequest& request, const char* name) {
    RunbookHost& host = host_for(L, name);
    HttpResponse response;
    guarded(L, [&] {
        response = host.http(request);
        return 0;
    });
    check_deadline(L);
    if (!response.transport_ok()) {
        lua_pushnil(L);
        lua_pushlstring(L, response.error.data(), response.error.size());
        return 2;
    }
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, static_cast<lua_Integer>(response.status));
    lua_setfield(L, -2, "status");
    lua_pushlstring(L, response.body.data(), response.body.size());
    lua_setfield(L, -2, "body");
    lua_createtable(L, 0, static_cast<int>(response.headers.size()));
    for (const auto& [header, value] : response.headers) {
        lua_pushlstring(L, value.data(), value.size());
        lua_setfield(L, -2, header.c_str());
    }
    lua_setfield(L, -2, "headers");
    return 1;
}

// http.get(url [, opts])
// @param 1 (string): url
// @param 2 (table, optional): timeout = "1s" or seconds (default 5s); headers = { name = value }
// @return (table): { status = 200, body = "...", headers = { ["content-type"] = "..." } } for any
//         HTTP answer, 4xx and 5xx included (header names are lower-case)
// @return nil, (string): no HTTP answer ("connection refused", "timed out after 1s")
int http_get(lua_State* L) {
    HttpRequest request;
    request.method = "GET";
    request.url = luaL_checkstring(L, 1);
    read_options(L, 2, request);
    return send(L, request, "http.get");
}

// http.post(url, body [, opts])
// @param 1 (string): url
// @param 2 (string|table): the body; a table is sent as JSON (content-type application/json
//          unless opts.headers sets one)
// @param 3 (table, optional): as for http.get
// @return as for http.get
int http_post(lua_State* L) {
    HttpRequest request;
    request.method = "POST";
    request.url = luaL_checkstring(L, 1);
    bool json_body = false;
    if (lua_istable(L, 2)) {
        json_body = true;
        guarded(L, [&] {
            request.body = to_json(L, 2).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            return 0;
        });
    } else {
        std::size_t len = 0;
        const char* body = luaL_checklstring(L, 2, &len);
        request.body.assign(body, len);
    }
    read_options(L, 3, request);
    if (json_body) {
        bool has_type = false;
        for (const auto& [header, value] : request.headers) {
            if (equals_ignoring_case(header, "content-type")) has_type = true;
        }
        if (!has_type) request.headers["Content-Type"] = "application/json";
    }
    return send(L, request, "http.post");
}

const luaL_Reg http_functions[] = {
    {"get", http_get},
    {"post", http_post},
    {nullptr, nullptr},
};

}  // namespace

int open_http(lua_State* L) { return push_function_table(L, http_functions); }

}  // namespace backstop::lua::bindings
