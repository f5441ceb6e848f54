#include "runtime/git_versions.h"

#include "core/error.h"

namespace backstop {

GitVersions::GitVersions(const ServicePolicy& service, ProcessRunner& processes)
    : settings_(service.git), git_(processes, service.git.checkout, service.git.timeout) {}

std::string GitVersions::current() { return git_.short_id("HEAD"); }

std::optional<std::string> GitVersions::resolve(const std::string& asked, std::string* why) {
    try {
        return git_.short_id(git_.resolve(asked));
    } catch (const Error&) {
        *why = "no commit `" + asked + "` in " + where();
        return std::nullopt;
    }
}

std::optional<std::string> GitVersions::default_target(const std::string& current, std::string* why) {
    std::string head = git_.head();
    for (const auto& rev : settings_.known_good) {
        std::string unused;
        auto id = resolve(rev, &unused);
        if (!id || git_.resolve(*id) == head) continue;  // unknown here, or already live
        return id;
    }
    if (!settings_.known_good.empty()) {
        *why = "no known-good commit other than the current " + current + " exists in " + where();
        return std::nullopt;
    }
    std::string unused;
    auto parent = resolve("HEAD~1", &unused);
    if (!parent) *why = "nothing older than " + current + " to roll back to (HEAD has no parent)";
    return parent;
}

std::string GitVersions::version_id(const std::string& version) {
    try {
        return git_.resolve(version);
    } catch (const Error&) {
        return {};
    }
}

std::string GitVersions::where() const { return settings_.checkout.string() + " (git)"; }

std::string GitVersions::describe_switch(const std::string& from, const std::string& to) const {
    std::string out = settings_.checkout.string() + ": " + from + " -> " + to + " by ";
    if (settings_.mode == "revert")
        out += "committing a revert of " + to + ".." + from;
    else
        out += "git reset --hard " + to;
    if (!settings_.remote.empty())
        out += ", then push to " + settings_.remote + " " + settings_.branch + (settings_.mode == "reset" ? " (force, with lease)" : "");
    return out;
}

void GitVersions::switch_to(const std::string& from, const std::string& to, const std::string& run_id,
                            const std::string& reason) {
    std::string from_full = git_.resolve(from);
    std::string to_full = git_.resolve(to);
    if (settings_.mode == "revert") {
        if (!git_.is_clean()) throw Error(settings_.checkout.string() + " has uncommitted changes; not reverting over them");
        if (!git_.is_ancestor(to_full, from_full))
            throw Error(to + " is not an ancestor of " + from + "; revert mode can only undo commits made on top of it");
        try {
            git_.run({"revert", "--no-commit", to_full + ".." + from_full});
            std::string message = "Roll back to " + to + " (backstop run " + run_id + ")\n\nReverts " + to + ".." + from +
                                  (reason.empty() ? "" : ".\nReason: " + reason);
            std::vector<std::string> commit = {"commit", "--no-verify", "-m", message};
            try {
                git_.run({"config", "user.email"});
            } catch (const Error&) {  // no identity configured on this host: sign as backstop
                commit.insert(commit.begin(), {"-c", "user.name=backstop", "-c", "user.email=backstop@localhost"});
            }
            git_.run(commit);
        } catch (const Error&) {
            // Leave the checkout as it was, not half reverted.
            try {
                git_.run({"revert", "--abort"});
            } catch (const Error&) {
                git_.run({"reset", "--hard", from_full});
            }
            throw;
        }
        if (!settings_.remote.empty())
            git_.run({"push", settings_.remote, "HEAD:refs/heads/" + settings_.branch});
        return;
    }
    git_.run({"reset", "--hard", to_full});
    if (!settings_.remote.empty()) {
        // The lease refuses the push if someone moved the branch since the bad commit: we never
        // overwrite work we have not seen.
        git_.run({"push", "--force-with-lease=refs/heads/" + settings_.branch + ":" + from_full, settings_.remote,
                  to_full + ":refs/heads/" + settings_.branch});
    }
}

}  // namespace backstop
