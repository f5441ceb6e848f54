// `backstop serve` started in the background as a real process for e2e tests: its log goes to a file,
// it is ready once GET /healthz answers, and it is killed when the test ends without stopping it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "prim/http_client.h"
#include "support/quickstart_service.h"
#include "support/temp_dir.h"

namespace backstop::test {

class ServeProcess {
public:
    // Runs BACKSTOP_BINARY with `args` (e.g. qs.cli({"serve", "--listen", ...})) and `env` added to
    // ours, then waits (at most 20 s) until GET http://127.0.0.1:PORT/healthz answers 200.
    ServeProcess(const std::vector<std::string>& args, int port, const std::map<std::string, std::string>& env = {});
    ~ServeProcess();  // SIGKILL when still running
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    bool ready() const { return ready_; }
    pid_t pid() const { return pid_; }
    std::string log() const;  // stdout and stderr so far
    // True once the log holds `text`; false after `limit`.
    bool wait_for_log(const std::string& text, std::chrono::milliseconds limit) const;

    HttpResponse get(const std::string& path) const;
    HttpResponse post(const std::string& path, const std::string& body, const std::string& token = "") const;

    void signal(int signo) const;
    // The exit code once it exited (-1 when killed by a signal); nullopt after `limit`.
    std::optional<int> wait_exit(std::chrono::milliseconds limit);

private:
    TempDir dir_{"backstop-serve"};
    int port_;
    pid_t pid_ = -1;
    bool ready_ = false;
    bool reaped_ = false;
};

// The arguments of `backstop serve` for the quickstart service `qs` on 127.0.0.1:PORT, then `more`.
std::vector<std::string> serve_args(const QuickstartService& qs, int port, std::vector<std::string> more = {});

// The value of the series `series` (exactly as rendered, labels included) in a /metrics text; -1 when absent.
double metric_value(const std::string& metrics, const std::string& series);

}  // namespace backstop::test
