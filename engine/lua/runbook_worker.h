// The runbook process: forked by RunbookProcess, it holds the Lua state and runs what backstop asks
// (load a runbook, call a hook or level) while every primitive goes back to backstop (RemoteHost).
// Its memory is bounded by the kernel (RLIMIT_DATA), its CPU and wall clock by backstop, which kills
// it; that is what stops a call Lua's own budget hook cannot interrupt (a C function).
#pragma once

#include <sys/types.h>

#include "lua/runbook_types.h"

namespace backstop::lua {

// Memory the runbook process may take beyond what it inherited, on top of the Lua ceiling: for
// strings and tables built in C++ by the bindings (json, http bodies) and the messages to backstop.
inline constexpr std::size_t kRunbookProcessSlack = 48u << 20;

// Runs in the child right after fork(): detaches from the parent's signal setup and descriptors
// (keeping only `fd`), dies with `parent`, applies the memory limit, then serves requests on `fd`
// until it closes. Never returns.
[[noreturn]] void run_runbook_worker(int fd, pid_t parent, const SandboxLimits& limits);

}  // namespace backstop::lua
