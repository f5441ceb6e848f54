// What a run offers to runbook code. The runtime implements it (and decides what dry-run means);
// the Lua bindings only translate between Lua values and these calls. Every method may throw
// backstop::Error, which the binding turns into a Lua error carrying the message.
#pragma once

#include <string>
#include <vector>

#include "core/duration.h"
#include "prim/http_client.h"
#include "prim/process_runner.h"

namespace backstop {

enum class LogLevel { debug, info, warn, error };

struct HealthResult {
    bool ok = false;
    std::string message;  // "200 OK after 3 probes (1.2s)", "GET …: connection refused (30 probes)"
    int probes = 0;
};

class RunbookHost {
public:
    virtual ~RunbookHost() = default;

    virtual void log(LogLevel level, const std::string& message) = 0;
    virtual HttpResponse http(const HttpRequest& request) = 0;
    virtual void sleep(Duration d) = 0;

    // Release names oldest first (natural order) and the one `current` points to ("" if none).
    virtual std::vector<std::string> list_releases() = 0;
    virtual std::string current_release() = 0;
    virtual void switch_release(const std::string& name) = 0;
    virtual ProcessResult restart() = 0;

    virtual HealthResult probe_health() = 0;  // one probe
    virtual HealthResult wait_healthy() = 0;  // probes until healthy or attempts are used up
};

}  // namespace backstop
