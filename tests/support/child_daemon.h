// A server a test starts as its own child process (Prometheus, Alertmanager): its output appended to
// a log file, ready once a URL answers 200, stopped with SIGTERM (SIGKILL if it lingers) and reaped.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace backstop::test {

// Spawns argv (argv[0] an absolute path) as the test's own child, stdin from /dev/null, stdout
// appended to `out` (stderr too when `with_stderr`, else inherited). Its PID, or -1 when it could
// not be started.
pid_t spawn_child(std::vector<std::string> argv, const std::string& out, bool with_stderr);

class ChildDaemon {
public:
    // Spawns argv (argv[0] an absolute path) with stdin from /dev/null and stdout and stderr appended
    // to `log`, then polls `ready_url` until it answers 200. Throws std::runtime_error carrying the
    // log's last lines when the program is missing, exits first, or is not ready within `limit`
    // (it is stopped and reaped before the throw).
    ChildDaemon(std::vector<std::string> argv, std::string log, const std::string& ready_url,
                std::chrono::seconds limit = std::chrono::seconds(60));
    ~ChildDaemon();
    ChildDaemon(const ChildDaemon&) = delete;
    ChildDaemon& operator=(const ChildDaemon&) = delete;

    pid_t pid() const { return pid_; }
    // SIGTERM, SIGKILL after 15 s, then reaped; does nothing once stopped.
    void stop();

private:
    std::string failure(const std::string& what) const;

    std::string name_;
    std::string log_;
    pid_t pid_ = -1;
};

}  // namespace backstop::test
