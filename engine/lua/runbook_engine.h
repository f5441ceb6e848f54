// Runbooks: one sandboxed Lua state holding the default runbook (stdlib "backstop.default") and at
// most one user runbook that overrides parts of it. Calls hooks and levels under a CPU budget, a
// wall-clock timeout and a memory ceiling, and reports how each call ended as data.
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
#include "core/duration.h"
#include "core/error.h"
#include "lua/runbook_host.h"

namespace backstop {

struct SandboxLimits {
    std::size_t memory_bytes = 64u << 20;  // the whole state: stdlib, runbook and its data
    Duration cpu_budget{2000};             // CPU time of the calling thread per call (sleeping and
                                           // waiting in primitives do not count)
    Duration wall_timeout{300'000};        // wall clock per call
};

struct HookOutcome {
    enum class Status { ok, not_defined, error, budget_exceeded, out_of_memory };

    Status status = Status::ok;
    std::string message;    // "runbooks/web.lua:12: boom"; empty when ok
    std::string traceback;  // "stack traceback:\n\t..." when Lua could provide one
    std::vector<nlohmann::json> returns;  // the hook's return values, converted to JSON

    bool ok() const { return status == Status::ok; }
};

const char* to_string(HookOutcome::Status status);  // "ok", "not-defined", "error", ...

// Loading a runbook failed. what() is Lua's "file:line: message".
class RunbookLoadError : public Error {
public:
    RunbookLoadError(std::string code, SourcePosition where, std::string detail, const std::string& what,
                     std::string traceback = {});

    const std::string& code() const { return code_; }  // "lua-syntax" or "lua-load"
    const SourcePosition& where() const { return where_; }  // line 0 when Lua gave none
    const std::string& detail() const { return detail_; }  // the message without "file:line: "
    const std::string& traceback() const { return traceback_; }

private:
    std::string code_;
    SourcePosition where_;
    std::string detail_;
    std::string traceback_;
};

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

    // Bytes the Lua state currently uses and the most it used.
    std::size_t memory_used() const;
    std::size_t memory_peak() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The hooks a runbook may define; anything else in the returned table is reported as unknown.
inline constexpr std::string_view kRunbookHooks[] = {"pre", "post", "verify", "decide"};

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
