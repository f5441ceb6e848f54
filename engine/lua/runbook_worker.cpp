#include "lua/runbook_worker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "lua/lua_runbook.h"
#include "lua/remote_host.h"
#include "lua/runbook_channel.h"
#include "lua/runbook_protocol.h"

namespace backstop::lua {

namespace {

constexpr int kChannelFd = 3;

// "VmData:" of /proc/self/status in bytes, read without stdio (only async-signal-safe calls are
// sure to work in a child forked from a threaded process before it sets itself up).
std::size_t data_segment_bytes() {
    int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    const char* at = std::strstr(buf, "VmData:");
    if (at == nullptr) return 0;
    return std::strtoull(at + 7, nullptr, 10) * 1024;
}

void detach_from_parent(int fd, pid_t parent) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
    // The runbook process must never outlive backstop (a kill -9 of backstop included).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    if (fd != kChannelFd) {
        dup2(fd, kChannelFd);
        close(fd);
    }
    // Locks, listening sockets and history files stay with backstop.
    close_range(kChannelFd + 1, ~0U, 0);
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        if (devnull > kChannelFd) close(devnull);
    }
}

void limit_memory(const SandboxLimits& limits) {
    rlimit none{0, 0};
    setrlimit(RLIMIT_CORE, &none);
    std::size_t ceiling = data_segment_bytes() + limits.memory_bytes + kRunbookProcessSlack;
    rlimit data{ceiling, ceiling};
    setrlimit(RLIMIT_DATA, &data);
}

nlohmann::json answer(LuaRunbook& runbook, RemoteHost& host, const nlohmann::json& request) {
    const std::string type = request.at("t").get<std::string>();
    nlohmann::json reply;
    if (type == "load") {
        try {
            runbook.load(request.at("file").get<std::string>(), request.at("text").get<std::string>(),
                         request.at("policy_dir").get<std::string>());
            reply = {{"t", "loaded"},
                     {"state", encode(RunbookState{runbook.hooks(), runbook.user_hooks(), runbook.levels(), runbook.warnings()})}};
        } catch (const RunbookLoadError& e) {
            reply = {{"t", "load_error"}, {"error", encode(e)}};
        }
    } else if (type == "call") {
        HookOutcome outcome = runbook.call(request.at("kind").get<std::string>(), request.at("name").get<std::string>(),
                                           request.at("ctx"), request.at("host").get<bool>() ? &host : nullptr);
        reply = {{"t", "done"}, {"outcome", encode(outcome)}};
    } else {
        reply = {{"t", "fatal"}, {"e", "unknown request `" + type + "`"}};
    }
    reply["memory"] = {runbook.memory_used(), runbook.memory_peak()};
    return reply;
}

[[noreturn]] void serve(const SandboxLimits& limits) {
    std::optional<LuaRunbook> runbook;
    try {
        runbook.emplace(limits);
    } catch (const std::exception& e) {
        write_message(kChannelFd, {{"t", "fatal"}, {"e", e.what()}});
        _exit(1);
    }
    RemoteHost host(kChannelFd);
    runbook->set_hostless_log([&](LogLevel level, const std::string& message) { host.log_without_host(level, message); });
    write_message(kChannelFd, {{"t", "ready"},
                               {"state", encode(RunbookState{runbook->hooks(), runbook->user_hooks(), runbook->levels(), {}})}});
    while (auto request = read_message(kChannelFd)) {
        nlohmann::json reply;
        try {
            reply = answer(*runbook, host, *request);
        } catch (const std::bad_alloc&) {
            reply = {{"t", "fatal"}, {"e", "the runbook process ran out of memory"}};
        } catch (const std::exception& e) {
            reply = {{"t", "fatal"}, {"e", e.what()}};
        }
        write_message(kChannelFd, reply);
    }
    _exit(0);
}

}  // namespace

void run_runbook_worker(int fd, pid_t parent, const SandboxLimits& limits) {
    detach_from_parent(fd, parent);
    limit_memory(limits);
    try {
        serve(limits);
    } catch (...) {
        // The channel broke (backstop is gone or sent garbage): nothing is left to answer to.
    }
    _exit(2);
}

}  // namespace backstop::lua
