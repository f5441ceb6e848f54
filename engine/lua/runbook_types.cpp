#include "lua/runbook_types.h"

namespace backstop {

const char* to_string(HookOutcome::Status status) {
    switch (status) {
        case HookOutcome::Status::ok: return "ok";
        case HookOutcome::Status::not_defined: return "not-defined";
        case HookOutcome::Status::error: return "error";
        case HookOutcome::Status::budget_exceeded: return "budget-exceeded";
        case HookOutcome::Status::out_of_memory: return "out-of-memory";
    }
    return "?";
}

RunbookLoadError::RunbookLoadError(std::string code, SourcePosition where, std::string detail, const std::string& what,
                                   std::string traceback)
    : Error(what), code_(std::move(code)), where_(std::move(where)), detail_(std::move(detail)),
      traceback_(std::move(traceback)) {}

std::string format_bytes(std::size_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

}  // namespace backstop
