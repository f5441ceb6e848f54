// How one kind of service keeps its versions (release folders, git commits) behind one face, so a
// run picks its target, plans and switches the same way whatever the strategy.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "policy/policy.h"
#include "prim/process_runner.h"

namespace backstop {

class VersionStore {
public:
    virtual ~VersionStore() = default;

    // The live version; "" when there is none. Throws Error when it cannot be read.
    virtual std::string current() = 0;
    // The target when the caller names none; nullopt, with *why, when there is none.
    virtual std::optional<std::string> default_target(const std::string& current, std::string* why) = 0;
    // How default_target chooses, for the plan: "newest release older than v3", "HEAD~1".
    virtual std::string default_target_rule(const std::string& current) const = 0;
    // An asked-for target in canonical form (a release name, a short commit id); nullopt + *why.
    virtual std::optional<std::string> resolve(const std::string& asked, std::string* why) = 0;
    // What `version` names now, immutably (a full commit id, an image id), so a rollback point can
    // tell later whether a moving name (a tag, a branch) still means the same; "" when the strategy
    // has no such id or `version` names nothing.
    virtual std::string version_id(const std::string& version) { (void)version; return {}; }
    // Where the versions live, for messages: "/srv/web/releases", "/srv/site (git)".
    virtual std::string where() const = 0;
    // The step detail of switching, e.g. "/srv/web/current: v2 -> v1".
    virtual std::string describe_switch(const std::string& from, const std::string& to) const = 0;
    // Makes `to` live. `run_id` and `reason` may be written where the strategy keeps notes (a
    // revert commit's message). Throws Error; must leave the service on `from` or on `to`.
    virtual void switch_to(const std::string& from, const std::string& to, const std::string& run_id,
                           const std::string& reason) = 0;
};

std::unique_ptr<VersionStore> make_version_store(const ServicePolicy& service, ProcessRunner& processes);

}  // namespace backstop
