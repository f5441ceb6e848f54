// One sandboxed Lua state holding the default runbook (stdlib "backstop.default") and at most one
// user runbook that overrides parts of it; calls hooks and levels and reports how each ended as
// data. The Lua budget hook stops runaway Lua code between instructions; what it cannot stop (a
// long C call, memory outside the Lua allocator) is left to the process this runs in, which is
// why only the runbook process (runbook_worker.h) uses it directly.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lua/runbook_host.h"
#include "lua/runbook_types.h"

namespace backstop::lua {

class LuaRunbook {
public:
    // Creates the sandbox and loads the default runbook; throws Error when that fails.
    explicit LuaRunbook(SandboxLimits limits);
    ~LuaRunbook();
    LuaRunbook(const LuaRunbook&) = delete;
    LuaRunbook& operator=(const LuaRunbook&) = delete;

    // See RunbookEngine::load. Throws RunbookLoadError.
    void load(const std::filesystem::path& file, const std::string& text, const std::filesystem::path& policy_dir);

    const Diagnostics& warnings() const;
    const std::set<std::string>& hooks() const;       // effective: the user's or the default's
    const std::set<std::string>& user_hooks() const;  // defined by the user runbook itself
    const std::vector<std::string>& levels() const;   // sorted

    // Runs hooks[name] (kind "hooks") or levels[name] (kind "levels") with ctx as a table;
    // not_defined when there is no such function. `host` is null for a pure call (decide).
    HookOutcome call(std::string_view kind, std::string_view name, const nlohmann::json& ctx, RunbookHost* host);

    std::size_t memory_used() const;
    std::size_t memory_peak() const;

    // Where log.* and print go while no host is set (load time, decide); spdlog when unset.
    void set_hostless_log(std::function<void(LogLevel, const std::string&)> sink);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace backstop::lua
