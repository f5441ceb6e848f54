// The runbook's view of the world during one run. Dry-run lives here and only here: a mutating
// call records the step it would take and returns as if it had succeeded; reads still read.
// Every blocking call takes the smaller of its own timeout and what is left of the hook
// (RunbookHost::within_call); a switch, once started, is finished (never half switched).
#pragma once

#include "lua/runbook_host.h"
#include "policy/policy.h"
#include "prim/http_client.h"
#include "prim/point_store.h"
#include "prim/process_runner.h"
#include "prim/release_store.h"
#include "prim/systemd_units.h"
#include "runtime/docker_versions.h"
#include "runtime/step_recorder.h"
#include "runtime/version_store.h"

namespace backstop {

class RunHost final : public RunbookHost {
public:
    RunHost(const ServicePolicy& service, VersionStore& versions, ProcessRunner& processes, HttpClient& http,
            StepRecorder& steps, bool dry_run);

    // Switching to the version of `point` also restores its config files and volumes (a docker
    // service's while its container is stopped).
    void restore_with_version(const RollbackPoint& point, const PointStore& store) {
        point_ = &point;
        point_store_ = &store;
    }

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
    const HealthCheck& health_check() const;
    SystemdUnits units(Duration timeout) const;  // in the policy's scope
    void restore_point_files();
    void restore_docker_point(DockerVersions& versions, const std::string& from, const std::string& to);
    const ReleaseStore& releases(const char* function) const;  // throws unless strategy "releases"

    const ServicePolicy& service_;
    VersionStore& versions_;
    ProcessRunner& processes_;
    HttpClient& http_;
    StepRecorder& steps_;
    bool dry_run_;
    const RollbackPoint* point_ = nullptr;
    const PointStore* point_store_ = nullptr;
    std::string planned_current_;  // in a dry run, the version that would be live by now
};

}  // namespace backstop
