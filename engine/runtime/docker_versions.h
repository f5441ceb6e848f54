// Strategy "docker": the service is a container and its versions are image references. The
// current version is the container's image (its tag; its id when the tag has moved since); the
// default target is the newest other tag of the same repository; a switch recreates the container
// from the target image with the same settings.
#pragma once

#include "prim/docker_cli.h"
#include "runtime/version_store.h"

namespace backstop {

class DockerVersions final : public VersionStore {
public:
    DockerVersions(const ServicePolicy& service, ProcessRunner& processes);

    std::string current() override;
    std::optional<std::string> default_target(const std::string& current, std::string* why) override;
    std::string default_target_rule(const std::string& current) const override;
    std::optional<std::string> resolve(const std::string& asked, std::string* why) override;
    std::string version_id(const std::string& version) override;
    std::string where() const override;
    std::string describe_switch(const std::string& from, const std::string& to) const override;
    void switch_to(const std::string& from, const std::string& to, const std::string& run_id,
                   const std::string& reason) override;

private:
    // Creates (not starts) a container named `name` like `inspect`, from `image`.
    // Throws unless the container is running, and still is about a second later.
    void expect_still_running(const std::string& name);
    void create_like(const nlohmann::json& inspect, const std::string& name, const std::string& image);

    const DockerSettings& settings_;
    DockerCli docker_;
};

}  // namespace backstop
