// backstop's side of a runbook process (runbook_worker.h): forks it, sends it requests, answers the
// primitive calls it makes meanwhile, and ends it when a call goes past its CPU budget or wall
// clock however it got there. Lua's own budget hook reports the nicer error (with the runbook's
// line) a moment before; the kill is for the calls it cannot interrupt.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "lua/runbook_host.h"
#include "lua/runbook_types.h"

namespace backstop::lua {

// exchange() had to end the process (a limit) or found it dead; the process is gone.
class RunbookProcessStopped : public Error {
public:
    RunbookProcessStopped(HookOutcome::Status status, const std::string& message) : Error(message), status_(status) {}
    HookOutcome::Status status() const { return status_; }  // budget_exceeded or error

private:
    HookOutcome::Status status_;
};

class RunbookProcess {
public:
    // Forks the process and waits for it to load the default runbook; `ready` receives its first
    // message. Throws Error when it cannot start.
    RunbookProcess(const SandboxLimits& limits, nlohmann::json& ready);
    ~RunbookProcess();  // kills and reaps the process
    RunbookProcess(const RunbookProcess&) = delete;
    RunbookProcess& operator=(const RunbookProcess&) = delete;

    // Sends `request` and returns the process's final answer to it. Meanwhile answers its
    // primitive calls on `host` (none allowed when null), each bounded by what is left of the
    // wall clock. `label` names the call in messages ("in hook `pre`"). Throws
    // RunbookProcessStopped when a limit ended the process or it died.
    nlohmann::json exchange(const nlohmann::json& request, RunbookHost* host, const std::string& label);

    pid_t pid() const { return pid_; }

private:
    nlohmann::json await_answer(RunbookHost* host, const std::string& label);
    [[noreturn]] void stop(HookOutcome::Status status, const std::string& message);
    std::chrono::nanoseconds cpu_time() const;

    SandboxLimits limits_;
    pid_t pid_ = -1;
    int fd_ = -1;
    clockid_t cpu_clock_{};
};

}  // namespace backstop::lua
