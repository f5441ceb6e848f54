// A RunbookHost that lives in the runbook process and sends every call to backstop, which makes it
// on the real host (answer_host_call) and sends back the result or the error. Primitives therefore
// always run in backstop itself, under its locks, dry-run rules and deadlines; only Lua runs in the
// runbook process.
#pragma once

#include <nlohmann/json.hpp>

#include "lua/runbook_host.h"

namespace backstop::lua {

class RemoteHost final : public RunbookHost {
public:
    explicit RemoteHost(int fd) : fd_(fd) {}

    // A log line while no hook runs (load time, decide): sent without waiting for an answer.
    void log_without_host(LogLevel level, const std::string& message);

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
    HealthResult probe_health() override;
    HealthResult wait_healthy() override;
    ProcessResult exec(const std::vector<std::string>& argv, Duration timeout, bool safe_in_dry_run) override;
    HealthResult wait_http(const HttpExpectation& expect) override;
    HealthResult wait_tcp(const std::string& host, int port, Duration deadline, Duration interval) override;
    void signal(const std::string& target, int signo, const std::string& signal_name) override;

private:
    // Sends {"t":"host","m":method,"a":args} and returns the answer's value; throws Error with the
    // message of a failed call.
    nlohmann::json call(const char* method, nlohmann::json args);

    int fd_;
};

// In backstop: a message of type "host" from the runbook process, made on `host`. Returns the
// answer to send back ({"t":"result","v":…} or {"t":"error","e":…}, also for a malformed call).
nlohmann::json answer_host_call(RunbookHost& host, const nlohmann::json& message);

// In backstop: a message of type "log" (log_without_host), as LogLevel and text.
LogLevel log_level_of(const nlohmann::json& message);

}  // namespace backstop::lua
