// All Lua/C++ plumbing in one place (Envoy's lua.h in spirit): the per-state context reached from
// any lua_State, the budget and memory ceiling it enforces, the guard that turns C++ exceptions
// into Lua errors, JSON <-> Lua conversion and argument helpers shared by the bindings.
#pragma once

#include <lua.hpp>

#include <chrono>
#include <cstddef>
#include <ctime>
#include <exception>
#include <new>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/duration.h"
#include "lua/runbook_host.h"

namespace backstop::lua {

// Limits of one sandboxed state; see runbook_engine.h for the public spelling (SandboxLimits).
struct Limits {
    std::size_t memory_bytes = 64u << 20;
    Duration cpu_budget{2000};
    Duration wall_timeout{300'000};
};

// Everything C++ keeps about one lua_State. It is the allocator's userdata, so every thread of the
// state (coroutines included) finds it through lua_getallocf().
struct StateContext {
    Limits limits;

    // Memory ceiling, enforced by the allocator.
    std::size_t used = 0;
    std::size_t peak = 0;
    bool out_of_memory = false;  // an allocation was refused since the current run began

    // Budget of the current run (a hook, a level or loading a runbook); `active` only during one.
    bool active = false;
    std::string label;  // "in hook `pre`", "while loading runbooks/web.lua"
    std::chrono::steady_clock::time_point wall_deadline;
    std::chrono::nanoseconds cpu_start{0};
    bool tripped = false;
    std::string trip_message;  // "runbooks/web.lua:3: runbook exceeded its CPU budget of 2s in hook `pre`"

    // The host of the current call; nullptr outside hooks and levels (e.g. while loading).
    RunbookHost* host = nullptr;
    // Where log.* and print go while there is no host; spdlog when empty.
    std::function<void(LogLevel, const std::string&)> hostless_log;

    // require(): files are looked up under `module_root` (the user runbook's folder). Names of
    // modules being loaded detect require loops; user modules are forgotten when a new runbook loads.
    std::vector<std::filesystem::path> module_roots;  // searched in order
    std::set<std::string> loading;
    std::vector<std::string> user_modules;
    // Every file chunk compiled so far, to map Lua's shortened "...ooks/web.lua" back to a path.
    std::vector<std::string> chunk_files;
    // Message of the last helper file that failed to compile inside require(), so a load error can
    // be reported as a syntax error of that file rather than a runtime error of the runbook.
    std::string last_syntax_error;
};

// How often (in VM instructions) the budget hook looks at the clocks.
inline constexpr int kBudgetCheckInterval = 10'000;

StateContext& context_of(lua_State* L);

// CPU time consumed by the calling thread: waiting in primitives or sleeping does not count.
std::chrono::nanoseconds thread_cpu_time();

// Count hook enforcing the budget. Installed on the main thread at creation; coroutines inherit it.
void budget_hook(lua_State* L, lua_Debug* ar);

// Starts the budget of one run and makes `host` reachable by the bindings; undone on destruction
// (hook re-armed at its normal interval, host cleared) whatever way the run ended.
class RunScope {
public:
    RunScope(lua_State* L, std::string label, RunbookHost* host);
    ~RunScope();
    RunScope(const RunScope&) = delete;
    RunScope& operator=(const RunScope&) = delete;

private:
    lua_State* L_;
};

// Checks the wall-clock deadline from C (bindings call it around blocking primitives, where no
// VM instruction runs for the count hook to notice). Raises the budget error when it has passed.
void check_deadline(lua_State* L);

// The host of the running hook; raises "`releases.switch` is only available inside a rollback hook…"
// at load time and in decide(ctx). Also checks the deadline, so a loop of primitives cannot outlive the wall timeout.
RunbookHost& host_for(lua_State* L, const char* function_name);

// Raises a Lua error "<where>: <message>" (the position of the calling Lua code). Never returns.
[[noreturn]] void raise(lua_State* L, const std::string& message);

// Runs `body` and returns its result; a std::exception it throws becomes a Lua error carrying
// what(). The Lua error is raised after the catch block has ended, so the exception object is
// destroyed first. Lua errors raised inside `body` pass through untouched (never catch (...)).
template <class Body>
int guarded(lua_State* L, Body&& body) {
    std::string failure;
    try {
        return body();
    } catch (const std::bad_alloc&) {
        // Memory outside the Lua heap (a string built in C++): the runbook process's limit.
        context_of(L).out_of_memory = true;
        failure = "not enough memory";
    } catch (const std::exception& e) {
        failure = e.what();
    }
    raise(L, failure);
}

// Message handler for lua_pcall: the error message plus luaL_traceback.
int traceback_handler(lua_State* L);

// Splits what traceback_handler produced into the message and the "stack traceback:" part.
void split_traceback(const std::string& full, std::string& message, std::string& traceback);

// Runs `body(L)` inside lua_pcall, so that errors raised by API calls (out of memory while
// pushing a table, a conversion error) are caught instead of aborting the process.
// Returns the Lua status; on error, `error` holds the message.
template <class Body>
int run_protected(lua_State* L, Body&& body, std::string& error);

// JSON -> Lua: objects become tables, arrays sequences, null nil. Raises on out-of-memory only.
void push_json(lua_State* L, const nlohmann::json& value);

// Lua -> JSON: tables with keys 1..n become arrays, other tables objects (integer keys written
// in decimal), an empty table is {}. Throws backstop::Error for functions, userdata, threads,
// NaN/inf, keys that are neither strings nor integers, nesting deeper than kMaxJsonDepth (cycles),
// and values whose JSON text would pass kMaxJsonBytes (a table holding itself twice per level
// doubles with each level, long before it gets deep). `indent`: the text will be pretty-printed
// with that many spaces per level, which the size limit counts too.
nlohmann::json to_json(lua_State* L, int index, std::size_t indent = 0);
inline constexpr int kMaxJsonDepth = 100;
inline constexpr std::size_t kMaxJsonBytes = 4u << 20;

// A duration argument: a number of seconds (>= 0) or a duration string ("1s", "250ms").
Duration check_duration(lua_State* L, int arg);
// Same for a value already on the stack at `index` that is not a function argument.
Duration to_duration(lua_State* L, int index, const char* what);

// Joins the arguments from `first` with spaces, like print() does with tabs (uses __tostring).
std::string join_args(lua_State* L, int first);

// log.*(...) and print(...): the arguments from `first` joined with spaces, to the host when a hook
// runs, else to the hostless sink or spdlog. A line longer than kMaxLogLine is cut, with a marker
// saying how much was dropped. Returns 0 (no Lua results).
int log_args(lua_State* L, LogLevel level, int first);
inline constexpr std::size_t kMaxLogLine = 16 * 1024;

// ---- implementation of run_protected -------------------------------------------------------

namespace detail {
template <class Body>
int protected_trampoline(lua_State* L) {
    auto* body = static_cast<Body*>(lua_touserdata(L, 1));
    lua_remove(L, 1);
    std::string failure;
    try {
        (*body)(L);
        return 0;
    } catch (const std::exception& e) {
        failure = e.what();
    }
    lua_pushlstring(L, failure.data(), failure.size());
    return lua_error(L);
}
}  // namespace detail

template <class Body>
int run_protected(lua_State* L, Body&& body, std::string& error) {
    using B = std::remove_reference_t<Body>;
    int top = lua_gettop(L);
    // Pushing a light C function and a light userdata never allocates.
    lua_pushcfunction(L, &detail::protected_trampoline<B>);
    lua_pushlightuserdata(L, const_cast<void*>(static_cast<const void*>(&body)));
    int status = lua_pcall(L, 1, 0, 0);
    if (status != LUA_OK) {
        // Only a string is read as is: converting a number would allocate outside protection.
        error = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(error object is not a string)";
    }
    lua_settop(L, top);
    return status;
}

}  // namespace backstop::lua
