// Runbooks: one sandboxed Lua state holding the default runbook (stdlib "backstop.default") and at
// most one user runbook that overrides parts of it. Calls hooks and levels under a CPU budget, a
// wall-clock timeout and a memory ceiling, and reports how each call ended as data.
//
// The Lua state lives in a runbook process of its own (runbook_process.h), so the limits hold
// whatever the runbook calls: Lua's budget hook only runs between VM instructions, and one C call
// (a pattern match, a sort, string.rep) can run for minutes or allocate outside the Lua heap. The
// kernel bounds that process's memory and backstop kills it at the CPU or wall-clock limit; the
// primitives it calls still run in backstop. A call that ended the process makes the next call
// start a new one and load the runbook again (its Lua state is lost).
//
// A runbook is a Lua file returning a table with any of pre(ctx), post(ctx), verify(ctx) (returns
// ok, message), decide(ctx) and levels = { fast = fn, full = fn, ... }. The effective hook is
// user[name] or default[name]; the effective level is user.levels[name] or default.levels[name].
//
// Not thread-safe: use one engine per thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/diagnostic.h"
#include "lua/runbook_host.h"
#include "lua/runbook_types.h"

namespace backstop {

class RunbookEngine {
public:
    // Creates the sandbox and loads the default runbook. Throws backstop::Error when that fails
    // (e.g. memory_bytes too small for the standard library).
    explicit RunbookEngine(SandboxLimits limits = {});
    ~RunbookEngine();
    RunbookEngine(RunbookEngine&&) noexcept;
    RunbookEngine& operator=(RunbookEngine&&) noexcept;

    // Loads the user runbook `text`, named `file` in messages and tracebacks; `require` finds
    // helper files in file's folder ("lib.util" → <folder>/lib/util.lua). Runs its top level under
    // the budget (no primitives there: they need a hook's host). Throws RunbookLoadError on a
    // syntax error, a runtime error, or when it does not return a table of the right shape.
    // Loading again replaces the previous user runbook.
    // `policy_dir`, when given, is searched after the runbook's folder.
    void load(const std::filesystem::path& file, const std::string& text, const std::filesystem::path& policy_dir = {});

    // Reads `file` and loads it as above; throws backstop::Error when it cannot be read.
    void load_file(const std::filesystem::path& file, const std::filesystem::path& policy_dir = {});

    // Problems found by the last load() that do not stop it: unknown fields ("verfy").
    const Diagnostics& warnings() const;

    bool has_hook(std::string_view name) const;  // pre, post, verify, decide
    // True when the user runbook itself defines hook `name` (has_hook may come from the default).
    bool defines(std::string_view name) const;
    std::vector<std::string> levels() const;      // sorted

    // Runs the effective hook with ctx as a table. `host` is reachable from the bindings only for
    // the duration of the call. not_defined when neither runbook has the hook.
    HookOutcome call_hook(std::string_view name, const nlohmann::json& ctx, RunbookHost& host);
    // Same without a host, for decide(ctx): a decision reads ctx only, so any primitive it calls
    // raises an error (log and print still work).
    HookOutcome call_pure_hook(std::string_view name, const nlohmann::json& ctx);
    // Same for a level; an unknown level is an error listing the known ones.
    HookOutcome call_level(std::string_view level, const nlohmann::json& ctx, RunbookHost& host);

    // Bytes the Lua state used after the last call and the most it used (as the runbook process
    // last reported them).
    std::size_t memory_used() const;
    std::size_t memory_peak() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// For `backstop check`: syntax and load problems of one runbook as diagnostics with code
// "lua-syntax" or "lua-load" (errors) and "lua-unknown-field" (warnings), FILE:LINE taken from
// Lua's message and the offending source line quoted. Runs the runbook's top level. When it loads
// and `levels` is given, *levels receives its effective levels (its own and the default runbook's).
Diagnostics check_runbook(const std::filesystem::path& file, const std::string& text, SandboxLimits limits = {},
                          const std::filesystem::path& policy_dir = {}, std::vector<std::string>* levels = nullptr);
// The same in `engine`, which may have loaded other runbooks before (it is not reset: what one
// runbook's top level did to shared stdlib tables stays; the caller decides whether that matters).
Diagnostics check_runbook(RunbookEngine& engine, const std::filesystem::path& file, const std::string& text,
                          const std::filesystem::path& policy_dir = {}, std::vector<std::string>* levels = nullptr);

}  // namespace backstop
