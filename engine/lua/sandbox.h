// The sandboxed lua_State: allocator with a ceiling, only safe libraries, one _ENV per chunk over a
// shared globals table nobody can write, text-only load(), and require() limited to the embedded
// stdlib, the binding modules and files next to the user runbook.
#pragma once

#include <memory>
#include <string>

#include "lua/lua_support.h"

namespace backstop::lua {

// Owns a lua_State and its StateContext (whose address the allocator keeps).
class Sandbox {
public:
    explicit Sandbox(Limits limits);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    lua_State* state() const { return L_; }
    StateContext& context() { return *context_; }

private:
    std::unique_ptr<StateContext> context_;
    lua_State* L_ = nullptr;
};

// Pushes a fresh _ENV: an empty table reading through to the shared globals, with its own `_G`
// and a `load` whose chunks default to this environment.
void push_new_env(lua_State* L);

// Compiles `text` (text only, never bytecode) as chunk "@<file>" with a fresh _ENV and pushes the
// function; on a syntax error pushes the message instead. Returns the luaL_load* status.
int load_file_chunk(lua_State* L, const std::string& text, const std::string& file);

// Pushes require(name)'s result; the global `require` is this, as a Lua function.
int require_module(lua_State* L);

// Drops the modules loaded for the previous runbook and points require() at `roots`, in order.
void reset_user_modules(lua_State* L, std::vector<std::filesystem::path> roots);

}  // namespace backstop::lua
