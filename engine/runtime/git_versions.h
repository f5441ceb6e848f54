// Strategy "git": versions are commits of a checkout. `reset` moves the branch back (and
// force-pushes it, guarded by a lease); `revert` commits the inverse of the bad range and pushes
// it, so a GitOps controller syncing the branch keeps the rollback. With a remote branch, the
// version is that branch's tip, fetched before anything is chosen.
#pragma once

#include <optional>

#include "prim/git_checkout.h"
#include "runtime/version_store.h"

namespace backstop {

class GitVersions final : public VersionStore {
public:
    GitVersions(const ServicePolicy& service, ProcessRunner& processes);

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
    bool pushes() const { return !settings_.remote.empty(); }
    std::string remote_branch() const { return settings_.remote + " " + settings_.branch; }
    // The full commit id the service is on: the remote branch's tip (fetched once per store, then
    // kept as this store moves it), else the checkout's HEAD.
    std::string live();
    // Why the checkout cannot be rolled back against the remote's tip ("" when it can): it holds
    // commits the remote branch does not have, which a reset would drop.
    std::string divergence();
    // An asked-for revision as a short commit id; nullopt + *why when the checkout has no such commit.
    std::optional<std::string> lookup(const std::string& asked, std::string* why);
    void reset_to(const std::string& from_full, const std::string& to_full);
    void revert_to(const std::string& from, const std::string& to, const std::string& run_id, const std::string& reason);
    void commit_revert(const std::string& from, const std::string& to, const std::string& run_id, const std::string& reason);
    // Puts the checkout back on `original` after a failed step, and says so in the error.
    [[noreturn]] void put_back(const std::string& original, const std::string& failure);

    const GitSettings& settings_;
    GitCheckout git_;
    std::optional<std::string> tip_;  // the remote branch's tip as last fetched or pushed
};

}  // namespace backstop
