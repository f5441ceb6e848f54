// Strategy "git": versions are commits of a checkout. `reset` moves the branch back (and
// force-pushes it, guarded by a lease); `revert` commits the inverse of the bad range and pushes
// it, so a GitOps controller syncing the branch keeps the rollback.
#pragma once

#include "prim/git_checkout.h"
#include "runtime/version_store.h"

namespace backstop {

class GitVersions final : public VersionStore {
public:
    GitVersions(const ServicePolicy& service, ProcessRunner& processes);

    std::string current() override;
    std::optional<std::string> default_target(const std::string& current, std::string* why) override;
    std::optional<std::string> resolve(const std::string& asked, std::string* why) override;
    std::string version_id(const std::string& version) override;
    std::string where() const override;
    std::string describe_switch(const std::string& from, const std::string& to) const override;
    void switch_to(const std::string& from, const std::string& to, const std::string& run_id,
                   const std::string& reason) override;

private:
    const GitSettings& settings_;
    GitCheckout git_;
};

}  // namespace backstop
