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

    // A switch in phases, for a rollback point whose files must change while no container runs.
    // stage creates the new container (not started; when it throws, nothing changed); stop stops
    // the live one; replace moves the old one aside under a temporary name, gives the new one the
    // service's name and starts it (throws unless it stays up); finish removes the old one. When
    // anything fails after stage: discard_new, then start_old, and the old container runs again
    // under its name, itself (not a copy).
    struct Switch {
        nlohmann::json old;   // `docker inspect` of the container being replaced
        std::string staged;   // the new container's name until replace
        std::string retired;  // the old container's name while replace runs
        std::string to;
    };
    Switch stage(const std::string& to, const std::string& run_id);
    void stop(const Switch& s);
    void replace(const Switch& s);
    void finish(const Switch& s);
    void discard_new(const Switch& s);
    // Starts the old container again (recreating it from its image id if it is gone); throws
    // unless it stays up.
    void start_old(const Switch& s, const std::string& from);

    const std::string& container() const { return settings_.container; }
    // Detail lines of the phases, for plans and steps.
    std::string describe_stage(const std::string& to) const;
    std::string describe_stop(const std::string& from) const;
    std::string describe_start(const std::string& to) const;

private:
    // Throws unless the container is running, and still is about a second later.
    void expect_still_running(const std::string& name);
    // Creates (not starts) a container named `name` like `inspect`, from `image`.
    void create_like(const nlohmann::json& inspect, const std::string& name, const std::string& image);
    // The name the container `id` has now; "" when there is no such container.
    std::string name_of(const std::string& id);

    const DockerSettings& settings_;
    DockerCli docker_;
};

}  // namespace backstop
