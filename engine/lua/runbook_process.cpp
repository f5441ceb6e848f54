#include "lua/runbook_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "lua/remote_host.h"
#include "lua/runbook_channel.h"
#include "lua/runbook_worker.h"

namespace backstop::lua {

namespace {

using Clock = std::chrono::steady_clock;

// How long past a limit the process may take to report the overrun itself (with the runbook's
// line) before it is killed. The budget hook looks at the clocks every 10,000 instructions.
constexpr Duration kReportGrace{250};

std::string describe_exit(int status) {
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    return "status " + std::to_string(status);
}

// Reaps the process (killing it first when asked) and says how it ended.
std::string reap(pid_t pid, bool kill_first) {
    if (kill_first) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return describe_exit(status);
}

}  // namespace

RunbookProcess::RunbookProcess(const SandboxLimits& limits, nlohmann::json& ready) : limits_(limits) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw Error(std::string("cannot create the runbook channel: ") + std::strerror(errno));
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
        int err = errno;
        ::close(sv[0]);
        ::close(sv[1]);
        throw Error(std::string("cannot start the runbook process: ") + std::strerror(err));
    }
    if (pid == 0) {
        ::close(sv[0]);
        run_runbook_worker(sv[1], parent, limits);
    }
    ::close(sv[1]);
    pid_ = pid;
    fd_ = sv[0];
    if (clock_getcpuclockid(pid_, &cpu_clock_) != 0) cpu_clock_ = CLOCK_MONOTONIC;  // never: our own child
    ready = await_answer(nullptr, "while loading the default runbook");
    if (ready.value("t", "") != "ready") throw Error("the runbook process did not start: " + ready.value("e", std::string("?")));
}

RunbookProcess::~RunbookProcess() {
    if (fd_ >= 0) ::close(fd_);
    if (pid_ > 0) reap(pid_, true);
}

std::chrono::nanoseconds RunbookProcess::cpu_time() const {
    timespec ts{};
    if (clock_gettime(cpu_clock_, &ts) != 0) return {};
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

void RunbookProcess::stop(HookOutcome::Status status, const std::string& message) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    std::string how = pid_ > 0 ? reap(pid_, status == HookOutcome::Status::budget_exceeded) : "";
    pid_ = -1;
    if (status == HookOutcome::Status::budget_exceeded) throw RunbookProcessStopped(status, message);
    throw RunbookProcessStopped(status, message + (how.empty() ? "" : " (" + how + ")"));
}

nlohmann::json RunbookProcess::exchange(const nlohmann::json& request, RunbookHost* host, const std::string& label) {
    if (pid_ <= 0) throw RunbookProcessStopped(HookOutcome::Status::error, "the runbook process is gone " + label);
    try {
        write_message(fd_, request);
    } catch (const Error&) {
        stop(HookOutcome::Status::error, "the runbook process ended " + label);
    }
    return await_answer(host, label);
}

nlohmann::json RunbookProcess::await_answer(RunbookHost* host, const std::string& label) {
    const auto wall_deadline = Clock::now() + limits_.wall_timeout;
    const auto cpu_start = cpu_time();
    const auto cpu_limit = limits_.cpu_budget + kReportGrace;
    if (host) host->set_call_deadline(wall_deadline);
    struct ClearDeadline {
        RunbookHost* host;
        ~ClearDeadline() {
            if (host) host->set_call_deadline(std::nullopt);
        }
    } clear{host};

    for (;;) {
        auto cpu_used = cpu_time() - cpu_start;
        if (cpu_used > cpu_limit)
            stop(HookOutcome::Status::budget_exceeded,
                 "runbook exceeded its CPU budget of " + format_duration(limits_.cpu_budget) + " " + label +
                     " (inside a call Lua cannot interrupt; its process was killed)");
        auto now = Clock::now();
        if (now > wall_deadline + kReportGrace)
            stop(HookOutcome::Status::budget_exceeded,
                 "runbook exceeded its wall-clock timeout of " + format_duration(limits_.wall_timeout) + " " + label +
                     " (inside a call Lua cannot interrupt; its process was killed)");
        // The process spends at most one CPU second per second, so the CPU limit cannot pass
        // before cpu_left of wall time.
        auto cpu_left = std::chrono::duration_cast<Duration>(cpu_limit - cpu_used);
        auto wall_left = std::chrono::duration_cast<Duration>(wall_deadline + kReportGrace - now);
        auto wait = std::clamp(std::min(cpu_left, wall_left), Duration{5}, Duration{1000});
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(wait.count()));
        if (r < 0 && errno != EINTR) stop(HookOutcome::Status::error, std::string("runbook channel: ") + std::strerror(errno));
        if (r <= 0) continue;

        std::optional<nlohmann::json> message;
        try {
            message = read_message(fd_, Clock::now() + Duration{5000});
        } catch (const Error& e) {
            stop(HookOutcome::Status::error, std::string("the runbook process broke off ") + label + ": " + e.what());
        }
        if (!message) stop(HookOutcome::Status::error, "the runbook process ended " + label);
        const std::string type = message->value("t", "");
        if (type == "log") {
            std::string text = message->value("message", "");
            LogLevel level = log_level_of(*message);
            spdlog::log(level == LogLevel::debug ? spdlog::level::debug
                        : level == LogLevel::info ? spdlog::level::info
                        : level == LogLevel::warn ? spdlog::level::warn
                                                  : spdlog::level::err,
                        "{}", text);
            continue;
        }
        if (type != "host") return std::move(*message);
        nlohmann::json answer = host ? answer_host_call(*host, *message)
                                     : nlohmann::json{{"t", "error"}, {"e", "no primitives outside a rollback hook"}};
        try {
            write_message(fd_, answer);
        } catch (const Error& e) {
            stop(HookOutcome::Status::error, "the runbook process ended " + label);
        }
    }
}

}  // namespace backstop::lua
