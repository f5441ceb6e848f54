// A real copy of the quickstart service in a temp folder: the Python web app, its ctl script,
// release folders (healthy or broken), the `current` symlink and a policy pointing at them,
// on a port of its own so tests can run in parallel.
#pragma once

#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace backstop::test {

class QuickstartService {
public:
    // Releases are created with add_release; nothing runs until start().
    QuickstartService();
    ~QuickstartService();  // stops the app

    void add_release(const std::string& name, bool healthy);
    void point_current_at(const std::string& name);  // without restarting
    void start();                                    // ctl start, then wait until it listens
    void stop();

    // Writes backstop.toml; `extra` is appended verbatim (e.g. a [service.web.rollback] table).
    // The health check probes every 100 ms, `health_attempts` times: more for tests that need
    // the app to come up even on a busy machine.
    static constexpr const char* kDefaultRollbackTable = "[service.web.rollback]\nmax_attempts = 10\nwindow = \"1h\"\n";
    void write_policy(const std::string& rollback_table = kDefaultRollbackTable, int health_attempts = 20);
    std::string write_runbook(const std::string& name, const std::string& lua);

    // The situation after a bad deploy: v1 healthy, v2 broken and live; policy written, app running.
    void simulate_bad_deploy();
    // `args` prefixed with this service's --policies and --state.
    std::vector<std::string> cli(std::vector<std::string> args) const;

    std::string current_target() const;  // readlink of `current`
    std::string current_release() const;  // last path element of it
    // GET /health: "STATUS BODY", or "" when nothing answers.
    std::string health() const;

    const TempDir& dir() const { return dir_; }
    std::string policy() const { return dir_.file("backstop.toml"); }
    std::string state() const { return dir_.file("state"); }
    int port() const { return port_; }

private:
    TempDir dir_;
    int port_;
};

}  // namespace backstop::test
