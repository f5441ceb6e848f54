// git: the checkout of a git service, through the host (reads run even in a dry run; writes are
// planned there). Errors carry git's exit code and the tail of its stderr.
#include "core/text.h"
#include "lua/bindings/bindings.h"
#include "lua/runbook_host.h"

namespace backstop::lua::bindings {

namespace {

int run_git(lua_State* L, const char* function, std::vector<std::string> args, bool mutating, bool trim = true) {
    RunbookHost& host = host_for(L, function);
    std::string out;
    guarded(L, [&] {
        out = host.git(args, mutating);
        return 0;
    });
    if (trim) out = trim_right(out);
    lua_pushlstring(L, out.data(), out.size());
    return 1;
}

// git.head()
// @return (string): the full commit id of HEAD
int git_head(lua_State* L) { return run_git(L, "git.head", {"rev-parse", "HEAD"}, false); }

// git.log([n])
// @param 1 (integer, default 10): how many commits
// @return (table): {{id=, subject=}, ...}, newest first
int git_log(lua_State* L) {
    lua_Integer n = luaL_optinteger(L, 1, 10);
    run_git(L, "git.log", {"log", "-n", std::to_string(n), "--format=%H %s"}, false);
    std::string out = lua_tostring(L, -1);
    lua_pop(L, 1);
    lua_newtable(L);
    lua_Integer i = 0;
    std::size_t pos = 0;
    while (pos < out.size()) {
        std::size_t end = out.find('\n', pos);
        std::string line = out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? out.size() : end + 1;
        if (line.empty()) continue;
        std::size_t space = line.find(' ');
        lua_createtable(L, 0, 2);
        lua_pushstring(L, line.substr(0, space).c_str());
        lua_setfield(L, -2, "id");
        lua_pushstring(L, space == std::string::npos ? "" : line.substr(space + 1).c_str());
        lua_setfield(L, -2, "subject");
        lua_rawseti(L, -2, ++i);
    }
    return 1;
}

// git.is_clean()
// @return (boolean): true when tracked files have no uncommitted changes
int git_is_clean(lua_State* L) {
    run_git(L, "git.is_clean", {"status", "--porcelain", "--untracked-files=no"}, false);
    bool clean = lua_rawlen(L, -1) == 0;
    lua_pop(L, 1);
    lua_pushboolean(L, clean);
    return 1;
}

// git.show(rev, path)
// @param 1 (string): revision; @param 2 (string): file path in the repository
// @return (string): the file's content at that revision
int git_show(lua_State* L) {
    std::string rev = luaL_checkstring(L, 1);
    std::string path = luaL_checkstring(L, 2);
    return run_git(L, "git.show", {"show", rev + ":" + path}, false, false);
}

// git.reset(rev)
// @param 1 (string): hard-reset the checkout to this revision (planned in a dry run)
int git_reset(lua_State* L) {
    std::string rev = luaL_checkstring(L, 1);
    run_git(L, "git.reset", {"reset", "--hard", rev}, true);
    return 0;
}

// git.revert(range)
// @param 1 (string): commits to revert, e.g. "abc123..HEAD"; one commit per reverted commit
int git_revert(lua_State* L) {
    std::string range = luaL_checkstring(L, 1);
    run_git(L, "git.revert", {"revert", "--no-edit", range}, true);
    return 0;
}

// git.push(remote, refspec [, {force = true}])
// @param 1 (string): remote; @param 2 (string): refspec, e.g. "HEAD:refs/heads/gh-pages"
// @param 3 (table, optional): force = true pushes with --force-with-lease
int git_push(lua_State* L) {
    std::string remote = luaL_checkstring(L, 1);
    std::string refspec = luaL_checkstring(L, 2);
    bool force = false;
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "force");
        force = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
    std::vector<std::string> args = {"push"};
    if (force) args.push_back("--force-with-lease");
    args.push_back(remote);
    args.push_back(refspec);
    run_git(L, "git.push", args, true);
    return 0;
}

const luaL_Reg git_functions[] = {
    {"head", git_head},   {"log", git_log},       {"is_clean", git_is_clean}, {"show", git_show},
    {"reset", git_reset}, {"revert", git_revert}, {"push", git_push},         {nullptr, nullptr},
};

}  // namespace

int open_git(lua_State* L) { return push_function_table(L, git_functions); }

}  // namespace backstop::lua::bindings
