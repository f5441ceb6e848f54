#include "lua/lua_support.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include <spdlog/spdlog.h>

#include "core/error.h"
#include "lua/runbook_host.h"

namespace backstop::lua {

StateContext& context_of(lua_State* L) {
    void* ud = nullptr;
    lua_getallocf(L, &ud);
    return *static_cast<StateContext*>(ud);
}

std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

namespace {

// Decides whether the current run is over its budget; records the message the first time.
bool over_budget(StateContext& ctx, const std::string& where) {
    if (ctx.tripped) return true;
    if (!ctx.active) return false;
    std::string what;
    if (thread_cpu_time() - ctx.cpu_start > ctx.limits.cpu_budget) {
        what = "runbook exceeded its CPU budget of " + format_duration(ctx.limits.cpu_budget);
    } else if (std::chrono::steady_clock::now() > ctx.wall_deadline) {
        what = "runbook exceeded its wall-clock timeout of " + format_duration(ctx.limits.wall_timeout);
    } else {
        return false;
    }
    ctx.tripped = true;
    ctx.trip_message = where + what + (ctx.label.empty() ? "" : " " + ctx.label);
    return true;
}

[[noreturn]] void raise_trip(lua_State* L, StateContext& ctx) {
    // From now on every instruction of every thread that runs raises again, so a pcall in the
    // script only delays the end of the run by one instruction.
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    lua_pushlstring(L, ctx.trip_message.data(), ctx.trip_message.size());
    lua_error(L);
    std::terminate();  // not reached: lua_error does not return
}

}  // namespace

void budget_hook(lua_State* L, lua_Debug* ar) {
    StateContext& ctx = context_of(L);
    if (!ctx.tripped) {
        // A coroutine left armed at 1 by an earlier, tripped run: back to the normal interval.
        if (lua_gethookcount(L) == 1) lua_sethook(L, budget_hook, LUA_MASKCOUNT, kBudgetCheckInterval);
        std::string where;
        if (ctx.active && lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
            where = std::string(ar->short_src) + ":" + std::to_string(ar->currentline) + ": ";
        if (!over_budget(ctx, where)) return;
    }
    raise_trip(L, ctx);
}

RunScope::RunScope(lua_State* L, std::string label, RunbookHost* host) : L_(L) {
    StateContext& ctx = context_of(L);
    ctx.active = true;
    ctx.label = std::move(label);
    ctx.tripped = false;
    ctx.trip_message.clear();
    ctx.out_of_memory = false;
    ctx.last_syntax_error.clear();
    ctx.host = host;
    ctx.cpu_start = thread_cpu_time();
    ctx.wall_deadline = std::chrono::steady_clock::now() + ctx.limits.wall_timeout;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, kBudgetCheckInterval);
}

RunScope::~RunScope() {
    StateContext& ctx = context_of(L_);
    ctx.active = false;
    ctx.host = nullptr;
    ctx.tripped = false;
    lua_sethook(L_, budget_hook, LUA_MASKCOUNT, kBudgetCheckInterval);
}

void check_deadline(lua_State* L) {
    StateContext& ctx = context_of(L);
    if (!ctx.active) return;
    std::string where;
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
        where = std::string(ar.short_src) + ":" + std::to_string(ar.currentline) + ": ";
    if (over_budget(ctx, where)) raise_trip(L, ctx);
}

RunbookHost& host_for(lua_State* L, const char* function_name) {
    StateContext& ctx = context_of(L);
    if (ctx.host == nullptr)
        raise(L, std::string("`") + function_name + "` is only available inside a rollback hook (pre, a level, verify, post)");
    check_deadline(L);
    return *ctx.host;
}

void raise(lua_State* L, const std::string& message) {
    luaL_where(L, 1);
    lua_pushlstring(L, message.data(), message.size());
    lua_concat(L, 2);
    lua_error(L);
    std::terminate();  // not reached
}

int traceback_handler(lua_State* L) {
    const char* msg = lua_tostring(L, 1);
    if (msg == nullptr) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

void split_traceback(const std::string& full, std::string& message, std::string& traceback) {
    static const std::string marker = "\nstack traceback:\n";
    auto at = full.rfind(marker);
    if (at == std::string::npos) {
        message = full;
        traceback.clear();
        return;
    }
    message = full.substr(0, at);
    traceback = full.substr(at + 1);
    // The bottom frames are the engine's own C entry points; they only add noise.
    static const std::string c_frame = "\n\t[C]: in ?";
    while (traceback.size() >= c_frame.size() &&
           traceback.compare(traceback.size() - c_frame.size(), c_frame.size(), c_frame) == 0)
        traceback.resize(traceback.size() - c_frame.size());
}

// ---- JSON <-> Lua ------------------------------------------------------------------------------

namespace {

void push_json_at(lua_State* L, const nlohmann::json& value, int depth) {
    if (depth > kMaxJsonDepth) raise(L, "JSON value nested too deeply");
    luaL_checkstack(L, 3, "JSON value nested too deeply");
    switch (value.type()) {
        case nlohmann::json::value_t::null:
        case nlohmann::json::value_t::discarded:
            lua_pushnil(L);
            break;
        case nlohmann::json::value_t::boolean:
            lua_pushboolean(L, value.get<bool>());
            break;
        case nlohmann::json::value_t::number_integer:
            lua_pushinteger(L, static_cast<lua_Integer>(value.get<std::int64_t>()));
            break;
        case nlohmann::json::value_t::number_unsigned: {
            auto u = value.get<std::uint64_t>();
            if (u <= static_cast<std::uint64_t>(std::numeric_limits<lua_Integer>::max()))
                lua_pushinteger(L, static_cast<lua_Integer>(u));
            else
                lua_pushnumber(L, static_cast<lua_Number>(u));
            break;
        }
        case nlohmann::json::value_t::number_float:
            lua_pushnumber(L, value.get<double>());
            break;
        case nlohmann::json::value_t::string: {
            const auto& s = value.get_ref<const std::string&>();
            lua_pushlstring(L, s.data(), s.size());
            break;
        }
        case nlohmann::json::value_t::binary: {
            const auto& b = value.get_binary();
            lua_pushlstring(L, reinterpret_cast<const char*>(b.data()), b.size());
            break;
        }
        case nlohmann::json::value_t::array: {
            lua_createtable(L, static_cast<int>(std::min<std::size_t>(value.size(), 1 << 20)), 0);
            lua_Integer i = 0;
            for (const auto& item : value) {
                ++i;
                if (item.is_null()) continue;
                push_json_at(L, item, depth + 1);
                lua_rawseti(L, -2, i);
            }
            break;
        }
        case nlohmann::json::value_t::object: {
            lua_createtable(L, 0, static_cast<int>(std::min<std::size_t>(value.size(), 1 << 20)));
            for (const auto& [key, item] : value.items()) {
                if (item.is_null()) continue;
                lua_pushlstring(L, key.data(), key.size());
                push_json_at(L, item, depth + 1);
                lua_rawset(L, -3);
            }
            break;
        }
    }
}

const char* type_name(lua_State* L, int index) { return lua_typename(L, lua_type(L, index)); }

// The JSON text size of a value as it is converted, to stop before building a huge tree.
struct JsonBudget {
    std::size_t indent = 0;  // pretty output: each value on a line of its own, indented per level
    std::size_t bytes = 0;
    void take(std::size_t n) {
        bytes += n;
        if (bytes > kMaxJsonBytes)
            throw Error("value too large to convert to JSON (over " + std::to_string(kMaxJsonBytes >> 20) + " MiB)");
    }
};

nlohmann::json to_json_at(lua_State* L, int index, int depth, JsonBudget& budget) {
    index = lua_absindex(L, index);
    budget.take(8 + budget.indent * static_cast<std::size_t>(depth));
    switch (lua_type(L, index)) {
        case LUA_TNIL:
        case LUA_TNONE:
            return nullptr;
        case LUA_TBOOLEAN:
            return lua_toboolean(L, index) != 0;
        case LUA_TNUMBER: {
            if (lua_isinteger(L, index)) return static_cast<std::int64_t>(lua_tointeger(L, index));
            double d = lua_tonumber(L, index);
            if (!std::isfinite(d)) throw Error("cannot convert " + std::string(std::isnan(d) ? "NaN" : "an infinite number") + " to JSON");
            return d;
        }
        case LUA_TSTRING: {
            std::size_t len = 0;
            const char* s = lua_tolstring(L, index, &len);
            budget.take(len);
            return std::string(s, len);
        }
        case LUA_TTABLE:
            break;
        default:
            throw Error(std::string("cannot convert a ") + type_name(L, index) + " value to JSON");
    }
    if (depth >= kMaxJsonDepth) throw Error("table nested too deeply to convert to JSON (does it contain a cycle?)");
    if (!lua_checkstack(L, 4)) throw Error("table nested too deeply to convert to JSON");

    // Array when the keys are exactly 1..n.
    lua_Integer count = 0;
    lua_Integer max_key = 0;
    bool only_positive_integers = true;
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        ++count;
        if (lua_type(L, -2) == LUA_TNUMBER && lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1) {
            max_key = std::max(max_key, lua_tointeger(L, -2));
        } else {
            only_positive_integers = false;
        }
        lua_pop(L, 1);
    }
    if (count > 0 && only_positive_integers && max_key == count) {
        nlohmann::json array = nlohmann::json::array();
        for (lua_Integer i = 1; i <= count; ++i) {
            lua_rawgeti(L, index, i);
            array.push_back(to_json_at(L, -1, depth + 1, budget));
            lua_pop(L, 1);
        }
        return array;
    }

    nlohmann::json object = nlohmann::json::object();
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        std::string key;
        if (lua_type(L, -2) == LUA_TSTRING) {
            std::size_t len = 0;
            const char* s = lua_tolstring(L, -2, &len);  // already a string: lua_next stays valid
            key.assign(s, len);
        } else if (lua_type(L, -2) == LUA_TNUMBER && lua_isinteger(L, -2)) {
            key = std::to_string(lua_tointeger(L, -2));
        } else {
            std::string t = type_name(L, -2);
            lua_pop(L, 2);
            throw Error("cannot convert a table with a " + t + " key to JSON");
        }
        budget.take(key.size());
        object[key] = to_json_at(L, -1, depth + 1, budget);
        lua_pop(L, 1);
    }
    return object;
}

}  // namespace

void push_json(lua_State* L, const nlohmann::json& value) { push_json_at(L, value, 0); }

nlohmann::json to_json(lua_State* L, int index, std::size_t indent) {
    int top = lua_gettop(L);
    index = lua_absindex(L, index);
    try {
        JsonBudget budget{indent};
        return to_json_at(L, index, 0, budget);
    } catch (const Error&) {
        lua_settop(L, top);
        throw;
    }
}

// ---- arguments ----------------------------------------------------------------------------------

namespace {

std::optional<Duration> duration_of(lua_State* L, int index, std::string& why) {
    if (lua_type(L, index) == LUA_TNUMBER) {
        double seconds = lua_tonumber(L, index);
        if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e9) {
            why = "seconds must be a non-negative number";
            return std::nullopt;
        }
        return Duration(static_cast<Duration::rep>(std::llround(seconds * 1000.0)));
    }
    if (lua_type(L, index) == LUA_TSTRING) return parse_duration(lua_tostring(L, index), &why);
    why = std::string("expected seconds (number) or a duration string like \"1s\", got ") + type_name(L, index);
    return std::nullopt;
}

}  // namespace

Duration check_duration(lua_State* L, int arg) {
    std::string why;
    auto d = duration_of(L, arg, why);
    if (!d) luaL_argerror(L, arg, why.c_str());
    return *d;
}

Duration to_duration(lua_State* L, int index, const char* what) {
    std::string why;
    auto d = duration_of(L, index, why);
    if (!d) raise(L, std::string(what) + ": " + why);
    return *d;
}

std::string join_args(lua_State* L, int first) {
    std::string out;
    int top = lua_gettop(L);
    for (int i = first; i <= top; ++i) {
        std::size_t len = 0;
        const char* s = luaL_tolstring(L, i, &len);
        if (i > first) out += ' ';
        out.append(s, len);
        lua_pop(L, 1);
    }
    return out;
}

namespace {

// The joined arguments, cut at kMaxLogLine: a multi-megabyte line is never copied whole.
std::string joined_log_line(lua_State* L, int first) {
    std::string out;
    std::size_t total = 0;
    int top = lua_gettop(L);
    for (int i = first; i <= top; ++i) {
        std::size_t len = 0;
        const char* s = luaL_tolstring(L, i, &len);
        total += len + (i > first ? 1 : 0);
        if (out.size() < kMaxLogLine) {
            if (i > first) out += ' ';
            out.append(s, std::min(len, kMaxLogLine - std::min(out.size(), kMaxLogLine)));
        }
        lua_pop(L, 1);
    }
    if (total > out.size()) out += " [... " + std::to_string(total - out.size()) + " more bytes cut]";
    return out;
}

}  // namespace

int log_args(lua_State* L, LogLevel level, int first) {
    std::string message = joined_log_line(L, first);
    StateContext& ctx = context_of(L);
    return guarded(L, [&] {
        if (ctx.host != nullptr)
            ctx.host->log(level, message);
        else if (ctx.hostless_log)
            ctx.hostless_log(level, message);
        else
            spdlog::log(level == LogLevel::debug  ? spdlog::level::debug
                        : level == LogLevel::info ? spdlog::level::info
                        : level == LogLevel::warn ? spdlog::level::warn
                                                  : spdlog::level::err,
                        "{}", message);
        return 0;
    });
}

}  // namespace backstop::lua
