// The real ProcessRunner: posix_spawn into a fresh process group, stdout/stderr drained with poll(),
// the direct child's exit noticed through a pidfd (or waitid polling), never a SIGCHLD handler.
// Written on POSIX primitives rather than Boost.Process so the exit-vs-EOF rules below are exact.
#include "prim/process_runner.h"
#include "prim/run_processes.h"

#include "core/text.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

extern char** environ;

namespace backstop {

namespace {

using Clock = std::chrono::steady_clock;

// After the direct child exits, output still in flight gets this long. We never wait for EOF:
// a control script's daemon inherits our pipes and may hold them open for days.
constexpr auto kExitGrace = std::chrono::milliseconds(30);
// At the deadline: SIGTERM to the group, SIGKILL this much later.
constexpr auto kTermGrace = std::chrono::milliseconds(200);
// Exit polling interval when the kernel offers no pidfd.
constexpr auto kPollTick = std::chrono::milliseconds(10);
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kMaxChunksPerWakeup = 16;  // so a flood of output cannot starve the deadline check

std::string errno_text(int err) {
    char buf[256];
    // GNU strerror_r returns a pointer (maybe not into buf); XSI returns an int. Handle both.
    auto pick = [&](auto r) -> std::string {
        if constexpr (std::is_same_v<decltype(r), char*>)
            return r;
        else
            return r == 0 ? std::string(buf) : "error " + std::to_string(err);
    };
    return pick(strerror_r(err, buf, sizeof buf));
}

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_;
};

// Keeps the last `max` bytes. Trims only when twice over, so long outputs cost amortised O(n).
void append_tail(std::string& buf, const char* data, std::size_t n, std::size_t max) {
    if (max == 0) return;
    if (n >= max) {
        buf.assign(data + (n - max), max);
        return;
    }
    buf.append(data, n);
    if (buf.size() > 2 * max) buf.erase(0, buf.size() - max);
}

void trim_tail(std::string& buf, std::size_t max) {
    if (buf.size() > max) buf.erase(0, buf.size() - max);
}

struct Stream {
    Fd fd;
    std::string* sink = nullptr;
    bool open() const { return fd.valid(); }

    void read_available(std::size_t max) {
        char chunk[kReadChunk];
        for (int i = 0; i < kMaxChunksPerWakeup && fd.valid(); ++i) {
            ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
            if (n > 0) {
                append_tail(*sink, chunk, static_cast<std::size_t>(n), max);
            } else if (n < 0 && errno == EINTR) {
                --i;
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                return;
            } else {
                fd.reset();  // EOF (or a broken pipe we cannot read anyway)
            }
        }
    }
};

// Notices the direct child's exit without reaping it: while it is an unreaped zombie its pid,
// and so its process group id, cannot be reused, which keeps kill(-pgid) safe.
class ExitWatch {
public:
    explicit ExitWatch(pid_t pid) : pid_(pid) {
#ifdef SYS_pidfd_open
        long fd = ::syscall(SYS_pidfd_open, pid, 0);
        if (fd >= 0) pidfd_.reset(static_cast<int>(fd));
#endif
    }

    bool exited() {
        if (exited_) return true;
        siginfo_t info{};
        int rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
        if ((rc == 0 && info.si_pid == pid_) || (rc < 0 && errno == ECHILD)) {
            exited_ = true;
            pidfd_.reset();
        }
        return exited_;
    }

    int pollable_fd() const { return pidfd_.get(); }

private:
    pid_t pid_;
    Fd pidfd_;
    bool exited_ = false;
};

class Pump {
public:
    Pump(Stream& out, Stream& err, ExitWatch& watch, std::size_t max)
        : out_(out), err_(err), watch_(watch), max_(max) {}

    bool streams_open() const { return out_.open() || err_.open(); }

    // Waits until `until` at most for output or the child's exit, and reads what is there.
    void once(Clock::time_point until, bool watch_exit) {
        pollfd fds[3];
        Stream* owners[3] = {nullptr, nullptr, nullptr};
        nfds_t n = 0;
        for (Stream* s : {&out_, &err_}) {
            if (!s->open()) continue;
            fds[n] = {s->fd.get(), POLLIN, 0};
            owners[n++] = s;
        }
        bool by_fd = watch_exit && watch_.pollable_fd() >= 0;
        if (by_fd) fds[n++] = {watch_.pollable_fd(), POLLIN, 0};

        auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
        if (wait.count() < 0) wait = std::chrono::milliseconds(0);
        if (watch_exit && !by_fd) wait = std::min<std::chrono::milliseconds>(wait, kPollTick);

        int rc = ::poll(fds, n, static_cast<int>(wait.count()));
        if (rc <= 0) return;  // timeout or EINTR: the caller re-checks its clock
        for (nfds_t i = 0; i < n; ++i)
            if (owners[i] && (fds[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
                owners[i]->read_available(max_);
    }

private:
    Stream& out_;
    Stream& err_;
    ExitWatch& watch_;
    std::size_t max_;
};

// argv[0] resolved like execvp, but against the PATH the child will see.
std::string resolve_executable(const std::string& name, const std::string& path_var, int& err) {
    if (name.find('/') != std::string::npos) return name;
    err = ENOENT;
    if (name.empty()) return {};
    std::string_view rest = path_var;
    while (true) {
        auto colon = rest.find(':');
        std::string_view dir = rest.substr(0, colon);
        if (!dir.empty()) {
            std::string candidate = std::string(dir) + "/" + name;
            struct stat st {};
            if (::stat(candidate.c_str(), &st) == 0) {
                if (S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
                err = EACCES;  // like execvp: remember, keep looking
            }
        }
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return {};
}

class SpawnSetup {
public:
    SpawnSetup() {
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawnattr_init(&attr);
    }
    ~SpawnSetup() {
        ::posix_spawn_file_actions_destroy(&actions);
        ::posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
};

std::string last_line(std::string_view text) {
    text = trim(text);
    auto nl = text.rfind('\n');
    if (nl != std::string_view::npos) text = trim(text.substr(nl + 1));
    constexpr std::size_t kMax = 300;
    if (text.size() > kMax) return std::string(text.substr(0, kMax)) + "...";
    return std::string(text);
}

class PosixProcessRunner final : public ProcessRunner {
public:
    ProcessResult run(const ProcessRequest& request) override;
};

ProcessResult PosixProcessRunner::run(const ProcessRequest& request) {
    ProcessResult result;
    result.timeout = request.timeout;
    const auto start = Clock::now();
    auto finish = [&]() -> ProcessResult {
        result.elapsed = std::chrono::duration_cast<Duration>(Clock::now() - start);
        return std::move(result);
    };

    if (request.argv.empty() || request.argv[0].empty()) {
        result.error = "cannot run an empty command";
        return finish();
    }
    const std::string& name = request.argv[0];
    auto fail = [&](const std::string& what) -> ProcessResult {
        result.error = "cannot run `" + name + "`: " + what;
        return finish();
    };

    if (!request.working_dir.empty()) {
        struct stat st {};
        if (::stat(request.working_dir.c_str(), &st) != 0)
            return fail("working directory `" + request.working_dir + "`: " + errno_text(errno));
        if (!S_ISDIR(st.st_mode))
            return fail("working directory `" + request.working_dir + "`: not a directory");
    }

    // The child's environment: ours, with the overrides replacing or adding entries.
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        std::string key(entry.substr(0, entry.find('=')));
        if (request.env_overrides.contains(key) || (key == kRunIdVariable && !current_run_id().empty())) continue;
        env.emplace_back(entry);
    }
    for (const auto& [key, value] : request.env_overrides) env.push_back(key + "=" + value);
    // Which run started it, so a later run can end what a dead one left behind (run_processes.h).
    if (!current_run_id().empty() && !request.env_overrides.contains(kRunIdVariable))
        env.push_back(std::string(kRunIdVariable) + "=" + current_run_id());

    std::string path_var = "/usr/local/bin:/usr/bin:/bin";
    if (auto it = request.env_overrides.find("PATH"); it != request.env_overrides.end())
        path_var = it->second;
    else if (const char* p = std::getenv("PATH"))
        path_var = p;

    int resolve_err = 0;
    std::string exe = resolve_executable(name, path_var, resolve_err);
    if (exe.empty()) return fail(errno_text(resolve_err));

    std::vector<char*> argv_ptrs;
    for (const auto& a : request.argv) argv_ptrs.push_back(const_cast<char*>(a.c_str()));
    argv_ptrs.push_back(nullptr);
    std::vector<char*> env_ptrs;
    for (auto& e : env) env_ptrs.push_back(e.data());
    env_ptrs.push_back(nullptr);

    // O_CLOEXEC on every end we hold, so children other threads spawn meanwhile never inherit them.
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return fail("pipe: " + errno_text(errno));
    Stream out{Fd(out_pipe[0]), &result.out};
    Fd out_w(out_pipe[1]);
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) return fail("pipe: " + errno_text(errno));
    Stream err{Fd(err_pipe[0]), &result.err};
    Fd err_w(err_pipe[1]);
    // Non-blocking on our read ends only (the write ends are separate open file descriptions).
    ::fcntl(out.fd.get(), F_SETFL, ::fcntl(out.fd.get(), F_GETFL) | O_NONBLOCK);
    ::fcntl(err.fd.get(), F_SETFL, ::fcntl(err.fd.get(), F_GETFL) | O_NONBLOCK);

    pid_t pid = -1;
    {
        SpawnSetup setup;
        ::posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
        ::posix_spawn_file_actions_adddup2(&setup.actions, out_w.get(), 1);
        ::posix_spawn_file_actions_adddup2(&setup.actions, err_w.get(), 2);
        if (!request.working_dir.empty())
            ::posix_spawn_file_actions_addchdir_np(&setup.actions, request.working_dir.c_str());

        // Own process group (pgid = child pid) so the deadline can kill the whole tree; a clean
        // signal state, since ignored signals (SIGPIPE...) would otherwise survive exec.
        sigset_t mask;
        sigemptyset(&mask);
        sigset_t defaults;
        sigfillset(&defaults);
        sigdelset(&defaults, SIGKILL);
        sigdelset(&defaults, SIGSTOP);
        ::posix_spawnattr_setpgroup(&setup.attr, 0);
        ::posix_spawnattr_setsigmask(&setup.attr, &mask);
        ::posix_spawnattr_setsigdefault(&setup.attr, &defaults);
        ::posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                    POSIX_SPAWN_SETSIGDEF);

        // glibc's posix_spawn reports exec and chdir failures through its return value.
        int rc = ::posix_spawn(&pid, exe.c_str(), &setup.actions, &setup.attr, argv_ptrs.data(),
                               env_ptrs.data());
        if (rc != 0) return fail(errno_text(rc));
    }
    result.started = true;
    out_w.reset();
    err_w.reset();

    ExitWatch watch(pid);
    Pump pump(out, err, watch, request.max_output);
    const auto deadline = start + request.timeout;

    while (!watch.exited()) {
        if (Clock::now() >= deadline) {
            result.timed_out = true;
            break;
        }
        pump.once(deadline, true);
    }

    if (result.timed_out) {
        ::kill(-pid, SIGTERM);
        const auto term_deadline = Clock::now() + kTermGrace;
        while (!watch.exited() && Clock::now() < term_deadline) pump.once(term_deadline, true);
        // Unconditionally: grandchildren may ignore SIGTERM. The unreaped child pins the pgid.
        ::kill(-pid, SIGKILL);
    }

    int status = 0;
    pid_t reaped;
    do {
        reaped = ::waitpid(pid, &status, 0);
    } while (reaped < 0 && errno == EINTR);

    // What is already written, plus a short grace; never wait for EOF (see kExitGrace).
    const auto drain_deadline = Clock::now() + kExitGrace;
    while (pump.streams_open() && Clock::now() < drain_deadline) pump.once(drain_deadline, false);
    trim_tail(result.out, request.max_output);
    trim_tail(result.err, request.max_output);

    if (reaped != pid) {
        result.error = "lost track of `" + name + "` (pid " + std::to_string(pid) +
                       "): reaped elsewhere";
    } else if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    }
    return finish();
}

}  // namespace

std::string ProcessResult::summary(int lines) const {
    if (!started) return error.empty() ? std::string("not started") : error;
    if (timed_out) return "timed out after " + format_duration(timeout.count() > 0 ? timeout : elapsed);
    if (signal != 0) return "killed by signal " + std::to_string(signal);
    if (!error.empty()) return error;
    std::string text = "exit " + std::to_string(exit_code);
    auto tail = [&](const std::string& text) { return lines <= 1 ? last_line(text) : tail_lines(text, lines); };
    std::string line = tail(err);
    if (line.empty() && exit_code != 0) line = tail(out);
    if (!line.empty() && exit_code != 0) text += ": " + line;
    return text;
}

std::unique_ptr<ProcessRunner> make_process_runner() { return std::make_unique<PosixProcessRunner>(); }

}  // namespace backstop
