// A RunbookHost that records what the bindings asked for and answers with canned values. It only
// checks the translation between Lua and the host; real primitives are tested in tests/prim.
#pragma once

#include <string>
#include <vector>

#include "lua/runbook_engine.h"
#include "support/temp_dir.h"

namespace backstop::test {

class RecordingHost : public RunbookHost {
public:
    struct LogLine {
        LogLevel level;
        std::string message;
    };

    RecordingHost();

    // What was asked.
    std::vector<LogLine> logs;
    std::vector<HttpRequest> requests;
    std::vector<Duration> sleeps;
    std::vector<std::string> switches;  // by releases.switch and service.switch alike
    std::vector<std::pair<std::vector<std::string>, bool>> git_calls;  // args, mutating
    std::vector<std::vector<std::string>> execs;
    std::vector<HttpExpectation> http_waits;
    std::vector<std::string> signals;  // "TARGET NAME"
    std::vector<std::string> systemd_calls;  // "ACTION UNIT" or "show UNIT PROPERTY"
    std::vector<std::pair<std::vector<std::string>, bool>> docker_calls;  // args, mutating
    int restarts = 0;
    int probes = 0;
    int waits = 0;

    // What to answer.
    HttpResponse response;
    std::vector<std::string> releases{"v1", "v2", "v10"};
    std::string current = "v10";
    std::string switch_error;  // non-empty: switch_release throws backstop::Error with it
    ProcessResult restart_result;
    HealthResult probe_result{true, "200 OK in 3ms", 1};
    HealthResult wait_result{true, "200 OK after 2 probes (1s)", 2};
    bool really_sleep = false;
    std::string git_output;
    std::string systemd_output = "active";  // what systemd() returns for is-active and show
    std::string docker_output;              // what docker() returns
    std::string docker_error;               // non-empty: docker() throws backstop::Error with it

    void log(LogLevel level, const std::string& message) override;
    HttpResponse http(const HttpRequest& request) override;
    void sleep(Duration d) override;
    std::vector<std::string> list_releases() override;
    std::string current_release() override;
    void switch_release(const std::string& name) override;
    void switch_version(const std::string& to) override;
    ProcessResult restart() override;
    std::string git(const std::vector<std::string>& args, bool mutating) override;
    std::string systemd(const std::string& action, const std::string& unit, const std::string& property) override;
    std::string docker(const std::vector<std::string>& args, bool mutating) override;
    ProcessResult exec(const std::vector<std::string>& argv, Duration timeout, bool safe_in_dry_run) override;
    HealthResult wait_http(const HttpExpectation& expect) override;
    HealthResult wait_tcp(const std::string& host, int port, Duration deadline, Duration interval) override;
    void signal(const std::string& target, int signo, const std::string& signal_name) override;
    HealthResult probe_health() override;
    HealthResult wait_healthy() override;
};

// An engine with a runbook written to a real temp folder, and a recording host.
struct RunbookFixture {
    explicit RunbookFixture(SandboxLimits limits = {}) : engine(limits) {}

    TempDir dir{"backstop-lua"};
    RunbookEngine engine;
    RecordingHost host;

    // Writes `text` as `relpath` in the temp folder and loads it; returns its path.
    std::string load(const std::string& text, const std::string& relpath = "runbook.lua");
    // Loads `return { pre = function(ctx) <body> end }` and calls pre.
    HookOutcome run(const std::string& body, const nlohmann::json& ctx = nlohmann::json::object());
    HookOutcome call(const std::string& hook, const nlohmann::json& ctx = nlohmann::json::object());
};

}  // namespace backstop::test
