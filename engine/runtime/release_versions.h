// Strategy "releases": versions are folders under `releases`; `current` is a symlink to one.
#pragma once

#include "prim/release_store.h"
#include "runtime/version_store.h"

namespace backstop {

class ReleaseVersions final : public VersionStore {
public:
    explicit ReleaseVersions(const ServicePolicy& service) : store_(service.releases, service.current) {}

    std::string current() override;
    std::optional<std::string> default_target(const std::string& current, std::string* why) override;
    std::string default_target_rule(const std::string& current) const override;
    std::optional<std::string> resolve(const std::string& asked, std::string* why) override;
    std::string where() const override { return store_.releases_dir().string(); }
    std::string describe_switch(const std::string& from, const std::string& to) const override;
    void switch_to(const std::string& from, const std::string& to, const std::string& run_id,
                   const std::string& reason) override;

    const ReleaseStore& store() const { return store_; }

private:
    ReleaseStore store_;
};

}  // namespace backstop
