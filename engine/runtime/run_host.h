// The runbook's view of the world during one run. Dry-run lives here and only here: a mutating
// call records the step it would take and returns as if it had succeeded; reads still read.
#pragma once

#include "lua/runbook_host.h"
#include "policy/policy.h"
#include "prim/http_client.h"
#include "prim/process_runner.h"
#include "prim/release_store.h"
#include "runtime/step_recorder.h"

namespace backstop {

class RunHost final : public RunbookHost {
public:
    RunHost(const ServicePolicy& service, const ReleaseStore& releases, ProcessRunner& processes, HttpClient& http,
            StepRecorder& steps, bool dry_run);

    void log(LogLevel level, const std::string& message) override;
    HttpResponse http(const HttpRequest& request) override;
    void sleep(Duration d) override;
    std::vector<std::string> list_releases() override;
    std::string current_release() override;
    void switch_release(const std::string& name) override;
    ProcessResult restart() override;
    HealthResult probe_health() override;
    HealthResult wait_healthy() override;

private:
    const HealthCheck& health_check() const;

    const ServicePolicy& service_;
    const ReleaseStore& releases_;
    ProcessRunner& processes_;
    HttpClient& http_;
    StepRecorder& steps_;
    bool dry_run_;
    std::string planned_current_;  // in a dry run, where `current` would point by now
};

}  // namespace backstop
