#include "lua/sandbox.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "lua/bindings/bindings.h"
#include "lua/runbook_files.h"
#include "lua/runbook_host.h"
#include "lua/stdlib_modules.h"

namespace backstop::lua {

namespace {

// Registry keys.
constexpr const char* kLoaded = "backstop.loaded";  // require cache: name -> module value

// ---- allocator (HAProxy style: the ceiling lives in lua_newstate's allocator) -----------------

void* limited_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
    auto* ctx = static_cast<StateContext*>(ud);
    std::size_t old = ptr ? osize : 0;  // without ptr, osize is the type of the new object
    if (nsize == 0) {
        std::free(ptr);
        ctx->used -= old;
        return nullptr;
    }
    // Lua assumes shrinking never fails, so only growth is refused.
    if (nsize > old && ctx->used - old + nsize > ctx->limits.memory_bytes) {
        ctx->out_of_memory = true;
        return nullptr;
    }
    void* p = std::realloc(ptr, nsize);
    if (p == nullptr) {
        ctx->out_of_memory = true;
        return nullptr;
    }
    ctx->used = ctx->used - old + nsize;
    ctx->peak = std::max(ctx->peak, ctx->used);
    return p;
}

int at_panic(lua_State* L) {
    const char* msg = lua_tostring(L, -1);
    spdlog::critical("unprotected Lua error: {}", msg ? msg : "?");
    return 0;  // Lua aborts
}

// ---- replacements for unsafe base functions ---------------------------------------------------

// print(...) → the host's log at info level (the hostless log while no hook runs, e.g. at load time).
int sandbox_print(lua_State* L) { return log_args(L, LogLevel::info, 1); }

// load(chunk [, chunkname [, mode [, env]]]): text only whatever `mode` says; `chunk` must be a
// string; without `env`, the chunk sees the environment of the code calling load (upvalue 1).
// Returns the function, or nil and the error message.
int sandbox_load(lua_State* L) {
    int nargs = lua_gettop(L);
    std::size_t len = 0;
    const char* text = luaL_checklstring(L, 1, &len);
    const char* name = luaL_optstring(L, 2, "=(load)");
    int status = luaL_loadbufferx(L, text, len, name, "t");
    if (status != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (nargs >= 4)  // env given, even as nil
        lua_pushvalue(L, 4);
    else
        lua_pushvalue(L, lua_upvalueindex(1));
    if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
    return 1;
}

// setmetatable(t, mt) without finalizers: Lua runs __gc with debug hooks off, so a looping
// finalizer could never be stopped by the budget (and would hang lua_close).
bool has_raw_gc(lua_State* L, int index) {
    lua_pushliteral(L, "__gc");
    bool present = lua_rawget(L, index) != LUA_TNIL;
    lua_pop(L, 1);
    return present;
}

int sandbox_setmetatable(lua_State* L) {
    if (lua_istable(L, 2) && has_raw_gc(L, 2)) raise(L, "setmetatable: __gc metamethods are not allowed in runbooks");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

// xpcall(f, msgh, ...) whose handler is skipped once the budget has tripped. The budget error is
// raised from the count hook, and Lua runs the message handler before unwinding, while hooks are
// still off: a handler that loops would never be stopped.
int budget_aware_handler(lua_State* L) {
    if (context_of(L).tripped) return 1;  // the budget message, untouched
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

int xpcall_done(lua_State* L, int, lua_KContext) { return lua_gettop(L); }

int sandbox_xpcall(lua_State* L) {
    int nargs = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, budget_aware_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));  // the real xpcall
    lua_insert(L, 1);
    lua_callk(L, nargs, LUA_MULTRET, 0, xpcall_done);  // a continuation keeps coroutines yieldable
    return xpcall_done(L, LUA_OK, 0);
}

// ---- require -----------------------------------------------------------------------------------

bool valid_module_name(const std::string& name) {
    if (name.empty() || name.front() == '.' || name.back() == '.') return false;
    if (name.find("..") != std::string::npos) return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

bool read_file(const std::filesystem::path& path, std::string& out) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return false;
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    out = buffer.str();
    return !in.bad();
}

void remember_chunk_file(StateContext& ctx, const std::string& file) {
    for (const auto& f : ctx.chunk_files)
        if (f == file) return;
    ctx.chunk_files.push_back(file);
}

// Removes `name` from the loading set however the module's chunk ends (Lua errors unwind through
// here as C++ exceptions with the C++ build of Lua, so the destructor runs).
struct LoadingMark {
    std::set<std::string>& loading;
    std::string name;
    ~LoadingMark() { loading.erase(name); }
};

void install_binding_modules(lua_State* L) {
    lua_getfield(L, LUA_REGISTRYINDEX, kLoaded);
    for (const auto& module : bindings::modules()) {
        module.open(L);
        lua_pushvalue(L, -1);
        lua_setglobal(L, module.name);
        lua_setfield(L, -2, (std::string("backstop.") + module.name).c_str());
    }
    lua_pop(L, 1);
}

void setup(lua_State* L) {
    const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},          {LUA_STRLIBNAME, luaopen_string},
                             {LUA_TABLIBNAME, luaopen_table},    {LUA_MATHLIBNAME, luaopen_math},
                             {LUA_UTF8LIBNAME, luaopen_utf8},    {LUA_COLIBNAME, luaopen_coroutine}};
    for (const auto& lib : libs) {
        luaL_requiref(L, lib.name, lib.func, 1);
        lua_pop(L, 1);
    }

    // Deny-list on what the safe libraries still carry.
    for (const char* name : {"dofile", "loadfile", "load", "require", "warn", "_G"}) {
        lua_pushnil(L);
        lua_setglobal(L, name);
    }
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    // Strings share one metatable in a state: a runbook that could reach it would change what
    // ("x"):upper() means for the default runbook and every runbook loaded after it.
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);

    lua_pushcfunction(L, sandbox_print);
    lua_setglobal(L, "print");
    lua_getglobal(L, "xpcall");
    lua_pushcclosure(L, sandbox_xpcall, 1);
    lua_setglobal(L, "xpcall");
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, sandbox_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    lua_pushcfunction(L, require_module);
    lua_setglobal(L, "require");

    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, kLoaded);
    install_binding_modules(L);

    // The globals are shared by every chunk and only reachable through each _ENV's __index;
    // refuse writes anyway, in case a future addition leaks the table.
    lua_pushglobaltable(L);
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, [](lua_State* S) -> int {
        raise(S, std::string("the shared globals are read-only (assigning `") + luaL_tolstring(S, 2, nullptr) + "`)");
    });
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_pop(L, 1);
}

}  // namespace

Sandbox::Sandbox(Limits limits) : context_(std::make_unique<StateContext>()) {
    context_->limits = limits;
    L_ = lua_newstate(limited_alloc, context_.get());
    if (L_ == nullptr) throw Error("cannot create a Lua state (memory limit too low?)");
    lua_atpanic(L_, at_panic);
    std::string error;
    if (run_protected(L_, [](lua_State* S) { setup(S); }, error) != LUA_OK) {
        lua_close(L_);
        L_ = nullptr;
        throw Error("cannot set up the Lua sandbox: " + error);
    }
    lua_sethook(L_, budget_hook, LUA_MASKCOUNT, kBudgetCheckInterval);
    context_->out_of_memory = false;
}

Sandbox::~Sandbox() {
    if (L_ != nullptr) lua_close(L_);
}

void push_new_env(lua_State* L) {
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "_G");
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, sandbox_load, 1);
    lua_setfield(L, -2, "load");
    lua_createtable(L, 0, 2);
    lua_pushglobaltable(L);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

int load_file_chunk(lua_State* L, const std::string& text, const std::string& file) {
    remember_chunk_file(context_of(L), file);
    std::string chunkname = "@" + file;
    int status = luaL_loadbufferx(L, text.data(), text.size(), chunkname.c_str(), "t");
    if (status != LUA_OK) return status;
    push_new_env(L);
    if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
    return LUA_OK;
}

// require(name): a binding module ("backstop.http"), an embedded stdlib module
// ("backstop.default"), or a file next to the user runbook ("lib.util" → <dir>/lib/util.lua).
// Modules are loaded once; each file chunk gets its own _ENV.
// @param 1 (string): module name, dotted
// @return the module's value (true when the chunk returned nothing)
int require_module(lua_State* L) {
    std::string name = luaL_checkstring(L, 1);
    lua_settop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, kLoaded);  // 2
    lua_getfield(L, 2, name.c_str());
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);

    StateContext& ctx = context_of(L);
    if (ctx.loading.count(name) != 0) raise(L, "require loop: `" + name + "` is already being loaded");

    std::string text;
    std::string file;
    bool user_module = false;
    if (const StdlibModule* module = find_stdlib_module(name)) {
        text = module->source;
        file = std::string(module->path);
    } else {
        if (!valid_module_name(name))
            raise(L, "require: `" + name +
                         "` is not a module name; use a stdlib module (\"backstop.default\") or a dotted name "
                         "relative to the runbook's folder (\"lib.util\" for lib/util.lua)");
        if (name.rfind("backstop.", 0) == 0) raise(L, "require: no stdlib module `" + name + "`");
        if (ctx.module_roots.empty())
            raise(L, "require: `" + name + "` can only be loaded by a runbook file (no runbook loaded)");
        std::string relative = name;
        for (char& c : relative)
            if (c == '.') c = '/';
        std::string tried;
        bool found = false;
        for (const auto& root : ctx.module_roots) {
            file = (root / (relative + ".lua")).lexically_normal().string();
            std::error_code ec;
            if (!std::filesystem::exists(file, ec)) {
                tried += (tried.empty() ? "" : ", ") + file;
                continue;
            }
            if (std::string why = module_file_problem(file, root); !why.empty()) raise(L, "require: `" + name + "`: " + why);
            if ((found = read_file(file, text))) break;
            tried += (tried.empty() ? "" : ", ") + file;
        }
        if (!found)
            raise(L, "require: module `" + name + "` not found (no stdlib module `" + name + "`, no file " + tried + ")");
        user_module = true;
    }

    if (load_file_chunk(L, text, file) != LUA_OK) {
        ctx.last_syntax_error = lua_tostring(L, -1);
        return lua_error(L);
    }
    if (user_module) ctx.user_modules.push_back(name);

    ctx.loading.insert(name);
    LoadingMark mark{ctx.loading, name};
    lua_pushstring(L, name.c_str());
    lua_pushstring(L, file.c_str());
    lua_call(L, 2, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, 2, name.c_str());
    return 1;
}

void reset_user_modules(lua_State* L, std::vector<std::filesystem::path> roots) {
    StateContext& ctx = context_of(L);
    lua_getfield(L, LUA_REGISTRYINDEX, kLoaded);
    for (const auto& name : ctx.user_modules) {
        lua_pushnil(L);
        lua_setfield(L, -2, name.c_str());
    }
    lua_pop(L, 1);
    ctx.user_modules.clear();
    for (auto& root : roots)
        if (root.empty()) root = ".";
    ctx.module_roots = std::move(roots);
}

}  // namespace backstop::lua
