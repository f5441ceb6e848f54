// docker: containers and images of the service's Docker engine (policy `docker_host`, else
// DOCKER_HOST), through the host. Reads run even in a dry run; tag/run/stop/start/rm are planned
// there. Errors carry docker's exit code and the tail of its stderr.
#include <sstream>

#include "core/error.h"
#include "core/text.h"
#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"

namespace backstop::lua::bindings {

namespace {

std::string call(lua_State* L, const char* function, const std::vector<std::string>& args, bool mutating) {
    RunbookHost& host = host_for(L, function);
    std::string out;
    guarded(L, [&] {
        out = host.docker(args, mutating);
        return 0;
    });
    return out;
}

int push_string(lua_State* L, const std::string& s) {
    std::string t = trim_right(s);
    lua_pushlstring(L, t.data(), t.size());
    return 1;
}

// docker.inspect(container)
// @param 1 (string): container name or id
// @return (table): what `docker container inspect` reports (Id, Name, Config, HostConfig, State…)
int docker_inspect(lua_State* L) {
    std::string name = luaL_checkstring(L, 1);
    std::string out = call(L, "docker.inspect", {"container", "inspect", "--", name}, false);
    nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
    if (!j.is_array() || j.empty()) return luaL_error(L, "docker.inspect: no container %s", name.c_str());
    push_json(L, j[0]);
    return 1;
}

// docker.ps()
// @return (table): every container, running or not: {{id=, name=, image=, state=, status=}, …}
int docker_ps(lua_State* L) {
    std::string out = call(L, "docker.ps", {"ps", "-a", "--no-trunc", "--format", "{{json .}}"}, false);
    lua_newtable(L);
    std::istringstream in(out);
    lua_Integer i = 0;
    for (std::string line; std::getline(in, line);) {
        nlohmann::json c = nlohmann::json::parse(line, nullptr, false);
        if (!c.is_object()) continue;
        lua_createtable(L, 0, 5);
        for (auto [field, key] : {std::pair{"id", "ID"}, {"name", "Names"}, {"image", "Image"}, {"state", "State"},
                                  {"status", "Status"}}) {
            std::string v = c.value(key, std::string());
            lua_pushlstring(L, v.data(), v.size());
            lua_setfield(L, -2, field);
        }
        lua_rawseti(L, -2, ++i);
    }
    return 1;
}

// docker.image_exists(ref)
// @param 1 (string): image reference (repo:tag) or id
// @return (boolean): true when the engine has that image
int docker_image_exists(lua_State* L) {
    std::string ref = luaL_checkstring(L, 1);
    RunbookHost& host = host_for(L, "docker.image_exists");
    bool exists = true;
    guarded(L, [&] {
        try {
            host.docker({"image", "inspect", "--format", "{{.Id}}", "--", ref}, false);
        } catch (const Error& e) {
            if (std::string(e.what()).find("No such image") == std::string::npos) throw;
            exists = false;
        }
        return 0;
    });
    lua_pushboolean(L, exists);
    return 1;
}

// docker.tag(source, target)
// @param 1 (string): existing image; @param 2 (string): new reference for it (planned in a dry run)
int docker_tag(lua_State* L) {
    std::string src = luaL_checkstring(L, 1);
    std::string dst = luaL_checkstring(L, 2);
    call(L, "docker.tag", {"tag", src, dst}, true);
    return 0;
}

// docker.run(args...)
// @param (strings): arguments of `docker run` ("-d", "--name", "web", "app:v1", …); planned in a dry run
// @return (string): its output trimmed (the container id with -d; "" in a dry run)
int docker_run(lua_State* L) {
    std::vector<std::string> args = {"run"};
    int n = lua_gettop(L);
    for (int i = 1; i <= n; ++i) args.push_back(luaL_checkstring(L, i));
    return push_string(L, call(L, "docker.run", args, true));
}

int lifecycle(lua_State* L, const char* function, std::vector<std::string> args) {
    args.push_back("--");
    args.push_back(luaL_checkstring(L, 1));
    call(L, function, args, true);
    return 0;
}

// docker.stop(container)
// @param 1 (string): container name or id; stopped (planned in a dry run)
int docker_stop(lua_State* L) { return lifecycle(L, "docker.stop", {"stop"}); }

// docker.start(container)
// @param 1 (string): container name or id; started (planned in a dry run)
int docker_start(lua_State* L) { return lifecycle(L, "docker.start", {"start"}); }

// docker.rm(container)
// @param 1 (string): container name or id; removed, stopping it first (`rm -f`; planned in a dry run)
int docker_rm(lua_State* L) { return lifecycle(L, "docker.rm", {"rm", "-f"}); }

const luaL_Reg docker_functions[] = {
    {"inspect", docker_inspect}, {"ps", docker_ps},       {"image_exists", docker_image_exists},
    {"tag", docker_tag},         {"run", docker_run},     {"stop", docker_stop},
    {"start", docker_start},     {"rm", docker_rm},       {nullptr, nullptr},
};

}  // namespace

int open_docker(lua_State* L) { return push_function_table(L, docker_functions); }

}  // namespace backstop::lua::bindings
