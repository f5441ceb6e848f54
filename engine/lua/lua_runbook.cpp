#include "lua/lua_runbook.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "core/did_you_mean.h"
#include "lua/lua_support.h"
#include "lua/sandbox.h"

namespace backstop {

namespace {

constexpr const char* kDefaultRunbook = "backstop.default";

// Splits Lua's "file:line: message" (file as Lua shortened it, maybe "...ooks/web.lua").
bool split_position(const std::string& msg, std::string& file, int& line, std::string& rest) {
    for (auto colon = msg.find(':'); colon != std::string::npos; colon = msg.find(':', colon + 1)) {
        if (colon == 0) continue;
        std::size_t end = colon + 1;
        while (end < msg.size() && std::isdigit(static_cast<unsigned char>(msg[end]))) ++end;
        if (end == colon + 1 || end >= msg.size() || msg[end] != ':' || end - colon > 9) continue;
        file = msg.substr(0, colon);
        line = std::stoi(msg.substr(colon + 1, end - colon - 1));
        rest = msg.substr(end + 1);
        if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
        return true;
    }
    return false;
}

// Lua abbreviates long chunk names to "..." + their tail; map them back to a file we compiled.
std::string full_file_name(const std::string& shown, const std::vector<std::string>& known) {
    if (shown.rfind("...", 0) != 0) return shown;
    std::string tail = shown.substr(3);
    for (const auto& f : known)
        if (f.size() >= tail.size() && f.compare(f.size() - tail.size(), tail.size(), tail) == 0) return f;
    return shown;
}

std::string suggestion_for(std::string_view word) {
    static constexpr std::string_view kFields[] = {"pre", "post", "verify", "decide", "levels"};
    auto guess = did_you_mean(word, kFields);
    return guess ? " (did you mean `" + *guess + "`?)" : "";
}

bool is_hook_name(std::string_view name) {
    return std::find(std::begin(kRunbookHooks), std::end(kRunbookHooks), name) != std::end(kRunbookHooks);
}

}  // namespace

struct lua::LuaRunbook::Impl {
    explicit Impl(const SandboxLimits& limits)
        : sandbox(lua::Limits{limits.memory_bytes, limits.cpu_budget, limits.wall_timeout}) {}

    void load_default();

    lua::Sandbox sandbox;
    int default_ref = LUA_NOREF;    // the default runbook's table
    int effective_ref = LUA_NOREF;  // { hooks = { name = fn }, levels = { name = fn } }
    std::set<std::string> hooks;
    std::set<std::string> user_hooks;  // defined by the user runbook itself
    std::vector<std::string> levels;
    Diagnostics warnings;

    lua_State* L() const { return sandbox.state(); }
    lua::StateContext& ctx() { return sandbox.context(); }

    // A failed load: what RunbookLoadError carries, before positions are resolved.
    struct Failure {
        std::string code;
        std::string message;
        std::string traceback;
    };

    // Classifies the error at the top of the stack after a failed pcall of runbook code.
    Failure failure_from_stack(lua_State* S, int status, const std::string& label) {
        const char* raw = lua_tostring(S, -1);
        Failure f{"lua-load", raw ? raw : "(error object is not a string)", {}};
        std::string message;
        lua::split_traceback(f.message, message, f.traceback);
        f.message = message;
        if (ctx().tripped) {
            f.message = ctx().trip_message;
        } else if (status == LUA_ERRMEM || ctx().out_of_memory) {
            f.message = "runbook exceeded its memory limit of " + format_bytes(ctx().limits.memory_bytes) + " " + label;
        } else if (!ctx().last_syntax_error.empty() && f.message == ctx().last_syntax_error) {
            f.code = "lua-syntax";
        }
        return f;
    }

    // Builds the effective hooks/levels from the default runbook and the user table at `user`
    // (0: none) and stores it. Records shape problems in `failure` and unknown fields in `found`.
    void build_effective(lua_State* S, int user, const std::string& user_file, const std::string& user_text,
                         std::optional<Failure>& failure, Diagnostics& found) {
        lua_rawgeti(S, LUA_REGISTRYINDEX, default_ref);
        int def = lua_gettop(S);
        lua_createtable(S, 0, 2);
        int eff = lua_gettop(S);
        lua_createtable(S, 0, 4);
        int eff_hooks = lua_gettop(S);
        lua_createtable(S, 0, 4);
        int eff_levels = lua_gettop(S);
        std::set<std::string> hook_names;
        std::set<std::string> user_hook_names;
        std::set<std::string> level_names;

        auto bad_type = [&](const std::string& field, int index, const char* expected) {
            failure = Failure{"lua-load",
                              user_file + ": runbook field `" + field + "` must be " + expected + ", not a " +
                                  luaL_typename(S, index),
                              {}};
        };

        for (auto hook : kRunbookHooks) {
            std::string name(hook);
            lua_pushnil(S);
            if (user != 0) {
                lua_pop(S, 1);
                lua_getfield(S, user, name.c_str());
                if (!lua_isnil(S, -1) && !lua_isfunction(S, -1)) return bad_type(name, -1, "a function");
                if (lua_isfunction(S, -1)) user_hook_names.insert(name);
            }
            if (lua_isnil(S, -1)) {
                lua_pop(S, 1);
                lua_getfield(S, def, name.c_str());
            }
            if (lua_isfunction(S, -1)) {
                lua_setfield(S, eff_hooks, name.c_str());
                hook_names.insert(name);
            } else {
                lua_pop(S, 1);
            }
        }

        auto merge_levels = [&](int runbook, bool is_user) {
            lua_getfield(S, runbook, "levels");
            if (lua_isnil(S, -1)) {
                lua_pop(S, 1);
                return true;
            }
            if (!lua_istable(S, -1)) {
                bad_type("levels", -1, "a table of functions");
                return false;
            }
            int levels_index = lua_gettop(S);
            lua_pushnil(S);
            while (lua_next(S, levels_index) != 0) {
                if (lua_type(S, -2) != LUA_TSTRING) {
                    if (is_user) {
                        lua_pop(S, 3);
                        failure = Failure{"lua-load", user_file + ": runbook `levels` must be keyed by level names", {}};
                        return false;
                    }
                    lua_pop(S, 1);
                    continue;
                }
                std::string name = lua_tostring(S, -2);
                if (!lua_isfunction(S, -1)) {
                    bad_type("levels." + name, -1, "a function");
                    lua_pop(S, 3);
                    return false;
                }
                lua_pushvalue(S, -2);
                lua_insert(S, -2);
                lua_settable(S, eff_levels);
                level_names.insert(name);
            }
            lua_pop(S, 1);
            return true;
        };
        if (!merge_levels(def, false)) return;
        if (user != 0 && !merge_levels(user, true)) return;

        if (user != 0) {
            lua_pushnil(S);
            while (lua_next(S, user) != 0) {
                std::string key;
                if (lua_type(S, -2) == LUA_TSTRING) key = lua_tostring(S, -2);
                if (key == "levels" || is_hook_name(key)) {
                    lua_pop(S, 1);
                    continue;
                }
                SourcePosition where{user_file, 0, 0};
                std::string source_line;
                if (lua_isfunction(S, -1)) {
                    lua_Debug ar;
                    lua_pushvalue(S, -1);
                    if (lua_getinfo(S, ">S", &ar) && ar.source[0] == '@' && ar.linedefined > 0) {
                        where.file = ar.source + 1;
                        where.line = ar.linedefined;
                        if (where.file == user_file) source_line = line_of(user_text, where.line);
                    }
                }
                std::string message = key.empty() ? std::string("unexpected entry of type ") + luaL_typename(S, -2) +
                                                        " as a key in the runbook table"
                                                  : "unknown runbook field `" + key + "`" + suggestion_for(key) +
                                                        "; known: pre, post, verify, decide, levels";
                found.warning("lua-unknown-field", where, message, source_line);
                lua_pop(S, 1);
            }
        }

        lua_pushvalue(S, eff_hooks);
        lua_setfield(S, eff, "hooks");
        lua_pushvalue(S, eff_levels);
        lua_setfield(S, eff, "levels");
        lua_pushvalue(S, eff);
        int ref = luaL_ref(S, LUA_REGISTRYINDEX);
        luaL_unref(S, LUA_REGISTRYINDEX, effective_ref);
        effective_ref = ref;
        hooks = std::move(hook_names);
        user_hooks = std::move(user_hook_names);
        levels.assign(level_names.begin(), level_names.end());
    }

    HookOutcome call(const char* kind, std::string_view name, const std::string& label, const nlohmann::json& ctx_json,
                     RunbookHost* host);
};

void lua::LuaRunbook::Impl::load_default() {
    lua_State* L = this->L();
    lua::RunScope scope(L, "while loading the default runbook", nullptr);
    std::optional<Failure> failure;
    std::string error;
    Diagnostics ignored;
    int status = lua::run_protected(
        L,
        [&](lua_State* S) {
            lua_pushcfunction(S, lua::traceback_handler);
            int handler = lua_gettop(S);
            lua_pushcfunction(S, lua::require_module);
            lua_pushstring(S, kDefaultRunbook);
            int st = lua_pcall(S, 1, 1, handler);
            if (st != LUA_OK) {
                failure = failure_from_stack(S, st, "while loading the default runbook");
                return;
            }
            if (!lua_istable(S, -1)) {
                failure = Failure{"lua-load", "the default runbook did not return a table", {}};
                return;
            }
            default_ref = luaL_ref(S, LUA_REGISTRYINDEX);
            build_effective(S, 0, "", "", failure, ignored);
        },
        error);
    if (status != LUA_OK) throw Error("cannot load the default runbook: " + error);
    if (failure) throw Error("cannot load the default runbook: " + failure->message);
}

lua::LuaRunbook::LuaRunbook(SandboxLimits limits) : impl_(std::make_unique<Impl>(limits)) { impl_->load_default(); }

lua::LuaRunbook::~LuaRunbook() = default;

void lua::LuaRunbook::load(const std::filesystem::path& file, const std::string& text, const std::filesystem::path& policy_dir) {
    Impl& impl = *impl_;
    lua_State* L = impl.L();
    const std::string file_name = file.string();
    const std::string label = "while loading " + file_name;
    Diagnostics found;
    std::optional<Impl::Failure> failure;
    std::string error;
    int status;
    {
        lua::RunScope scope(L, label, nullptr);
        status = lua::run_protected(
            L,
            [&](lua_State* S) {
                std::vector<std::filesystem::path> roots{file.parent_path()};
                if (!policy_dir.empty() && policy_dir != file.parent_path()) roots.push_back(policy_dir);
                lua::reset_user_modules(S, std::move(roots));
                lua_pushcfunction(S, lua::traceback_handler);
                int handler = lua_gettop(S);
                if (lua::load_file_chunk(S, text, file_name) != LUA_OK) {
                    const char* msg = lua_tostring(S, -1);
                    failure = Impl::Failure{"lua-syntax", msg ? msg : "syntax error", {}};
                    return;
                }
                int st = lua_pcall(S, 0, 1, handler);
                if (st != LUA_OK) {
                    failure = impl.failure_from_stack(S, st, label);
                    return;
                }
                if (!lua_istable(S, -1)) {
                    failure = Impl::Failure{"lua-load",
                                            file_name + ": a runbook must return a table (of pre, post, verify, "
                                                        "decide, levels), not " +
                                                (lua_isnil(S, -1) ? std::string("nothing")
                                                                  : std::string("a ") + luaL_typename(S, -1)),
                                            {}};
                    return;
                }
                impl.build_effective(S, lua_gettop(S), file_name, text, failure, found);
            },
            error);
        if (status != LUA_OK && !failure) {
            if (impl.ctx().tripped)
                failure = Impl::Failure{"lua-load", impl.ctx().trip_message, {}};
            else if (status == LUA_ERRMEM || impl.ctx().out_of_memory)
                failure = Impl::Failure{
                    "lua-load", "runbook exceeded its memory limit of " + format_bytes(impl.ctx().limits.memory_bytes) + " " + label, {}};
            else
                failure = Impl::Failure{"lua-load", error, {}};
        }
    }
    if (impl.ctx().out_of_memory) lua_gc(L, LUA_GCCOLLECT, 0);
    if (failure) {
        SourcePosition where{file_name, 0, 0};
        std::string shown;
        int line = 0;
        std::string detail;
        if (split_position(failure->message, shown, line, detail)) {
            where.file = full_file_name(shown, impl.ctx().chunk_files);
            where.line = line;
        } else {
            detail = failure->message;
            if (detail.rfind(file_name + ": ", 0) == 0) detail.erase(0, file_name.size() + 2);
        }
        throw RunbookLoadError(failure->code, where, detail, failure->message, failure->traceback);
    }
    impl.warnings = std::move(found);
}

const Diagnostics& lua::LuaRunbook::warnings() const { return impl_->warnings; }
const std::set<std::string>& lua::LuaRunbook::hooks() const { return impl_->hooks; }
const std::set<std::string>& lua::LuaRunbook::user_hooks() const { return impl_->user_hooks; }
const std::vector<std::string>& lua::LuaRunbook::levels() const { return impl_->levels; }
std::size_t lua::LuaRunbook::memory_used() const { return impl_->sandbox.context().used; }
std::size_t lua::LuaRunbook::memory_peak() const { return impl_->sandbox.context().peak; }

void lua::LuaRunbook::set_hostless_log(std::function<void(LogLevel, const std::string&)> sink) {
    impl_->ctx().hostless_log = std::move(sink);
}

HookOutcome lua::LuaRunbook::call(std::string_view kind, std::string_view name, const nlohmann::json& ctx,
                                  RunbookHost* host) {
    bool level = kind == "levels";
    std::string label = std::string(level ? "in level `" : "in hook `") + std::string(name) + "`";
    return impl_->call(level ? "levels" : "hooks", name, label, ctx, host);
}

HookOutcome lua::LuaRunbook::Impl::call(const char* kind, std::string_view name, const std::string& label,
                                           const nlohmann::json& ctx_json, RunbookHost* host) {
    lua_State* L = this->L();
    HookOutcome out;
    std::string key(name);
    bool found = true;
    bool returned = false;
    int call_status = LUA_OK;
    std::string error;
    lua::RunScope scope(L, label, host);
    int status = lua::run_protected(
        L,
        [&](lua_State* S) {
            lua_pushcfunction(S, lua::traceback_handler);
            int handler = lua_gettop(S);
            lua_rawgeti(S, LUA_REGISTRYINDEX, effective_ref);
            lua_getfield(S, -1, kind);
            lua_getfield(S, -1, key.c_str());
            if (!lua_isfunction(S, -1)) {
                found = false;
                return;
            }
            lua_replace(S, handler + 1);
            lua_settop(S, handler + 1);
            lua::push_json(S, ctx_json);
            call_status = lua_pcall(S, 1, LUA_MULTRET, handler);
            if (call_status != LUA_OK) {
                const char* msg = lua_tostring(S, -1);
                lua::split_traceback(msg ? msg : "(error object is not a string)", out.message, out.traceback);
                return;
            }
            returned = true;
            for (int i = handler + 1; i <= lua_gettop(S); ++i) out.returns.push_back(lua::to_json(S, i));
        },
        error);

    lua::StateContext& c = ctx();
    if (!found) {
        out.status = HookOutcome::Status::not_defined;
    } else if (c.tripped) {
        out.status = HookOutcome::Status::budget_exceeded;
        out.message = c.trip_message;
    } else if (call_status == LUA_ERRMEM || status == LUA_ERRMEM ||
               ((call_status != LUA_OK || status != LUA_OK) && c.out_of_memory)) {
        out.status = HookOutcome::Status::out_of_memory;
        out.message = "runbook exceeded its memory limit of " + format_bytes(c.limits.memory_bytes) + " " + label;
    } else if (call_status != LUA_OK && std::chrono::steady_clock::now() > c.wall_deadline) {
        // A primitive cut short by the hook's deadline raised: the limit is the reason, say so.
        out.status = HookOutcome::Status::budget_exceeded;
        out.message = "runbook exceeded its wall-clock timeout of " + format_duration(c.limits.wall_timeout) + " " +
                      label + ": " + out.message;
    } else if (call_status != LUA_OK) {
        out.status = HookOutcome::Status::error;
    } else if (status != LUA_OK) {
        out.status = HookOutcome::Status::error;
        out.message = returned ? "the " + std::string(kind == std::string_view("levels") ? "level" : "hook") + " `" +
                                     key + "` returned a value that cannot be converted: " + error
                               : error;
    } else if (std::chrono::steady_clock::now() > c.wall_deadline) {
        // A primitive that returned at the deadline leaves no Lua instruction to notice it; a
        // call that ran past its limit must not count as a success.
        out.status = HookOutcome::Status::budget_exceeded;
        out.message = "runbook exceeded its wall-clock timeout of " + format_duration(c.limits.wall_timeout) + " " +
                      label + " (it was waiting in a primitive when the time ran out)";
    }
    if (!out.ok()) out.returns.clear();
    if (c.out_of_memory) lua_gc(L, LUA_GCCOLLECT, 0);
    return out;
}

}  // namespace backstop
