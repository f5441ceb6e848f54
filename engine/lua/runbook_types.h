// What a runbook call is bounded by and how it ended, shared by the engine (the caller's side) and
// the runbook process that runs the Lua (see runbook_engine.h for why there are two sides).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/diagnostic.h"
#include "core/duration.h"
#include "core/error.h"

namespace backstop {

struct SandboxLimits {
    std::size_t memory_bytes = 64u << 20;  // the Lua state: stdlib, runbook and its data
    Duration cpu_budget{2000};             // CPU time per call (sleeping and waiting in primitives
                                           // do not count)
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

// The hooks a runbook may define; anything else in the returned table is reported as unknown.
inline constexpr std::string_view kRunbookHooks[] = {"pre", "post", "verify", "decide"};

// "64 MiB", "512 KiB", "1000 bytes".
std::string format_bytes(std::size_t bytes);

}  // namespace backstop
