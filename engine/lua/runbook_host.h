// What a run offers to runbook code. The runtime implements it (and decides what dry-run means);
// the Lua bindings only translate between Lua values and these calls. Every method may throw
// backstop::Error, which the binding turns into a Lua error carrying the message.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.h"
#include "core/error.h"
#include "prim/http_client.h"
#include "prim/process_runner.h"

namespace backstop {

enum class LogLevel { debug, info, warn, error };

// What wait_http waits for.
struct HttpExpectation {
    std::string url;
    int status = 0;        // 0: any 2xx
    std::string body;      // substring; empty: any
    Duration timeout{2000};   // per request
    Duration interval{500};   // between requests
    Duration deadline{30'000};
};

struct HealthResult {
    bool ok = false;
    std::string message;  // "200 OK after 3 probes (1.2s)", "GET …: connection refused (30 probes)"
    int probes = 0;
};

class RunbookHost {
public:
    virtual ~RunbookHost() = default;

    // Set by the engine around each hook or level call (nullopt after it): every blocking
    // primitive ends by then, whatever its own timeout says.
    void set_call_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) { call_deadline_ = deadline; }

    virtual void log(LogLevel level, const std::string& message) = 0;
    virtual HttpResponse http(const HttpRequest& request) = 0;
    virtual void sleep(Duration d) = 0;

    // Release names oldest first (natural order) and the one `current` points to ("" if none).
    virtual std::vector<std::string> list_releases() = 0;
    virtual std::string current_release() = 0;
    virtual void switch_release(const std::string& name) = 0;
    // Makes version `to` live by the service's strategy (release switch, git reset or revert).
    virtual void switch_version(const std::string& to) = 0;
    virtual ProcessResult restart() = 0;

    // `git ARGS` in a git service's checkout; returns stdout. A `mutating` command is only planned
    // in a dry run (and then returns ""). Throws Error with git's exit code and stderr tail.
    virtual std::string git(const std::vector<std::string>& args, bool mutating) = 0;

    // `systemctl [--user] ACTION UNIT`, in the scope of the service's policy (`scope`). ACTION is
    // "start", "stop", "restart" or "reload" (only planned in a dry run; returns ""), "is-active"
    // (returns the state word: active, failed, activating…) or "show" (returns the value of
    // `property`). Throws Error with systemctl's exit code and stderr tail.
    virtual std::string systemd(const std::string& action, const std::string& unit, const std::string& property) = 0;

    // `docker ARGS` against the service's engine (policy `docker_host`, else DOCKER_HOST); returns
    // stdout. A `mutating` command is only planned in a dry run (and then returns ""). Throws Error
    // with docker's exit code and stderr tail.
    virtual std::string docker(const std::vector<std::string>& args, bool mutating) = 0;

    virtual HealthResult probe_health() = 0;  // one probe
    virtual HealthResult wait_healthy() = 0;  // probes until healthy or attempts are used up

    // An allowed program (policy rollback.exec_allow), argv only. A non-zero exit is a result, not
    // an error. In a dry run it is only planned unless `safe_in_dry_run`.
    virtual ProcessResult exec(const std::vector<std::string>& argv, Duration timeout, bool safe_in_dry_run) = 0;
    // Polls until the expectation holds or its deadline passes. Planned in a dry run.
    virtual HealthResult wait_http(const HttpExpectation& expect) = 0;
    virtual HealthResult wait_tcp(const std::string& host, int port, Duration deadline, Duration interval) = 0;
    // `target`: a pid, or a pid file (relative paths from the policy's folder). Planned in a dry run.
    virtual void signal(const std::string& target, int signo, const std::string& signal_name) = 0;

protected:
    // `own`, or what is left of the current hook call when that is shorter (at least 1ms). Throws
    // Error once the call's time is used up, so no primitive starts after the deadline.
    Duration within_call(Duration own) const {
        if (!call_deadline_) return own;
        auto left = std::chrono::duration_cast<Duration>(*call_deadline_ - std::chrono::steady_clock::now());
        if (left <= Duration{0}) throw Error("the hook's wall-clock timeout is used up; not starting another primitive");
        return std::max(Duration{1}, std::min(own, left));
    }
    // True when the current hook call has a deadline and it is nearer than `own` from now.
    bool call_ends_within(Duration own) const {
        return call_deadline_ && *call_deadline_ < std::chrono::steady_clock::now() + own;
    }

private:
    std::optional<std::chrono::steady_clock::time_point> call_deadline_;
};

}  // namespace backstop
