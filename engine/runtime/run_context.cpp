#include "runtime/run_context.h"

namespace backstop {

nlohmann::json service_to_json(const ServicePolicy& s) {
    nlohmann::json j = {{"name", s.name},
                        {"strategy", s.strategy},
                        {"env", s.env},
                        {"releases", s.releases.string()},
                        {"current", s.current.string()},
                        {"restart", s.restart},
                        {"restart_timeout_ms", s.restart_timeout.count()},
                        {"policy_file", s.policy_file.string()},
                        {"rollback",
                         {{"runbook", s.rollback.runbook.string()},
                          {"max_attempts", s.rollback.max_attempts},
                          {"window_ms", s.rollback.window.count()},
                          {"level", s.rollback.level}}}};
    // As the policy writes them; absent (nil in Lua) unless the service is a systemd unit.
    if (!s.systemd.unit.empty()) {
        j["unit"] = s.systemd.unit;
        j["scope"] = s.systemd.scope;
        j["unit_timeout_ms"] = s.systemd.timeout.count();
    }
    if (s.strategy == "docker") {
        j["container"] = s.docker.container;
        j["image"] = s.docker.image;
        j["docker_host"] = s.docker.host;
    }
    if (s.health)
        j["health"] = {{"url", s.health->url},
                       {"timeout_ms", s.health->timeout.count()},
                       {"interval_ms", s.health->interval.count()},
                       {"attempts", s.health->attempts},
                       {"expect_status", s.health->expect_status},
                       {"expect_body", s.health->expect_body}};
    return j;
}

nlohmann::json run_context(const ServicePolicy& service, const RunRecord& run) {
    return {{"service", service_to_json(service)},
            {"run_id", run.run_id},
            {"from", run.from},
            {"to", run.to},
            {"level", run.level},
            {"dry_run", run.mode == RunMode::dry_run},
            {"emergency", run.mode == RunMode::emergency},
            {"reason", run.reason},
            {"actor", run.actor},
            {"trigger", run.trigger},
            {"host", run.host}};
}

}  // namespace backstop
