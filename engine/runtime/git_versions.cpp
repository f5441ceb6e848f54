#include "runtime/git_versions.h"

#include "core/error.h"

namespace backstop {

GitVersions::GitVersions(const ServicePolicy& service, ProcessRunner& processes)
    : settings_(service.git), git_(processes, service.git.checkout, service.git.timeout) {}

std::string GitVersions::live() {
    if (!pushes()) return git_.head();
    if (!tip_) {
        // The branch lives on the remote and others (CI) push to it: every choice of a run — the
        // target, the lease — is made against its tip there, never against a stale checkout.
        try {
            tip_ = git_.fetch_tip(settings_.remote, settings_.branch);
        } catch (const Error& e) {
            throw Error("cannot fetch " + remote_branch() + " into " + settings_.checkout.string() + ": " + e.what());
        }
    }
    return *tip_;
}

std::string GitVersions::current() { return git_.short_id(live()); }

std::string GitVersions::divergence() {
    if (!pushes()) return {};
    std::string tip = live();
    std::string head = git_.head();
    if (git_.is_ancestor(head, tip)) return {};
    return "the checkout " + settings_.checkout.string() + " is on " + git_.short_id(head) + ", which " +
           remote_branch() + " (at " + git_.short_id(tip) +
           ") does not contain; a rollback would drop its commits: push them or reset the checkout first";
}

std::optional<std::string> GitVersions::lookup(const std::string& asked, std::string* why) {
    try {
        return git_.short_id(git_.resolve(asked));
    } catch (const Error&) {
        *why = "no commit `" + asked + "` in " + where();
        return std::nullopt;
    }
}

std::optional<std::string> GitVersions::resolve(const std::string& asked, std::string* why) {
    if (std::string d = divergence(); !d.empty()) {
        *why = d;
        return std::nullopt;
    }
    return lookup(asked, why);
}

std::string GitVersions::default_target_rule(const std::string& current) const {
    (void)current;
    std::string tip = pushes() ? "the tip of " + remote_branch() + " (fetched)" : "HEAD";
    return settings_.known_good.empty() ? "parent of " + tip : "newest known-good commit other than " + tip;
}

std::optional<std::string> GitVersions::default_target(const std::string& current, std::string* why) {
    if (std::string d = divergence(); !d.empty()) {
        *why = d;
        return std::nullopt;
    }
    std::string live_id = live();
    for (const auto& rev : settings_.known_good) {
        std::string unused;
        auto id = lookup(rev, &unused);
        if (!id || git_.resolve(*id) == live_id) continue;  // unknown here, or already live
        return id;
    }
    if (!settings_.known_good.empty()) {
        *why = "no known-good commit other than the current " + current + " exists in " + where();
        return std::nullopt;
    }
    std::string unused;
    auto parent = lookup(live_id + "~1", &unused);
    if (!parent) *why = "nothing older than " + current + " to roll back to (it has no parent)";
    return parent;
}

std::string GitVersions::version_id(const std::string& version) {
    try {
        return git_.resolve(version);
    } catch (const Error&) {
        return {};
    }
}

std::string GitVersions::where() const {
    return settings_.checkout.string() + " (git" + (pushes() ? ", " + remote_branch() : "") + ")";
}

std::string GitVersions::describe_switch(const std::string& from, const std::string& to) const {
    std::string out = settings_.checkout.string() + ": " + from + " -> " + to + " by ";
    if (settings_.mode == "revert") {
        out += "committing a revert of " + to + ".." + from;
        if (pushes()) out += ", then push to " + remote_branch() + " (refused if it moved; the checkout is then put back)";
    } else if (pushes()) {
        out += "push to " + remote_branch() + " (force, with lease: only while it is still at " + from +
               "), then git reset --hard " + to;
    } else {
        out += "git reset --hard " + to;
    }
    return out;
}

void GitVersions::switch_to(const std::string& from, const std::string& to, const std::string& run_id,
                            const std::string& reason) {
    if (settings_.mode == "revert")
        revert_to(from, to, run_id, reason);
    else
        reset_to(git_.resolve(from), git_.resolve(to));
}

void GitVersions::reset_to(const std::string& from_full, const std::string& to_full) {
    if (!pushes()) {
        git_.run({"reset", "--hard", to_full});
        return;
    }
    // The remote first: when the lease refuses (someone pushed since the fetch), nothing has
    // changed anywhere and a retry starts from the same place.
    try {
        git_.run({"push", "--force-with-lease=refs/heads/" + settings_.branch + ":" + from_full, settings_.remote,
                  to_full + ":refs/heads/" + settings_.branch});
    } catch (const Error& e) {
        throw Error("push to " + remote_branch() + " refused; the remote and the checkout were not changed: " + e.what());
    }
    tip_ = to_full;
    try {
        git_.run({"reset", "--hard", to_full});
    } catch (const Error& e) {
        throw Error(remote_branch() + " is now on " + git_.short_id(to_full) + ", but the checkout could not follow: " +
                    e.what());
    }
}

void GitVersions::revert_to(const std::string& from, const std::string& to, const std::string& run_id,
                            const std::string& reason) {
    std::string from_full = git_.resolve(from);
    std::string to_full = git_.resolve(to);
    if (!git_.is_clean()) throw Error(settings_.checkout.string() + " has uncommitted changes; not reverting over them");
    if (!git_.is_ancestor(to_full, from_full))
        throw Error(to + " is not an ancestor of " + from + "; revert mode can only undo commits made on top of it");
    std::string original = git_.head();
    try {
        // A checkout behind the remote's tip (CI pushed) moves up to it, so the revert is
        // committed on top of what the remote has.
        if (original != from_full) git_.run({"reset", "--hard", from_full});
        commit_revert(from, to, run_id, reason);
    } catch (const Error& e) {
        try {
            git_.run({"revert", "--abort"});
        } catch (const Error&) {
            // No revert in progress: the reset below is all there is to undo.
        }
        put_back(original, e.what());
    }
    if (!pushes()) return;
    try {
        git_.run({"push", settings_.remote, "HEAD:refs/heads/" + settings_.branch});
    } catch (const Error& e) {
        put_back(original, "push to " + remote_branch() + " refused, the remote was not changed: " + std::string(e.what()));
    }
    tip_ = git_.head();
}

void GitVersions::commit_revert(const std::string& from, const std::string& to, const std::string& run_id,
                                const std::string& reason) {
    git_.run({"revert", "--no-commit", git_.resolve(to) + ".." + git_.resolve(from)});
    std::string message = "Roll back to " + to + " (backstop run " + run_id + ")\n\nReverts " + to + ".." + from +
                          (reason.empty() ? "" : ".\nReason: " + reason);
    std::vector<std::string> commit = {"commit", "--no-verify", "-m", message};
    try {
        git_.run({"config", "user.email"});
    } catch (const Error&) {  // no identity configured on this host: sign as backstop
        commit.insert(commit.begin(), {"-c", "user.name=backstop", "-c", "user.email=backstop@localhost"});
    }
    git_.run(commit);
}

void GitVersions::put_back(const std::string& original, const std::string& failure) {
    try {
        git_.run({"reset", "--hard", original});
    } catch (const Error& e) {
        throw Error(failure + "; putting the checkout back on " + original.substr(0, 12) + " failed too: " + e.what());
    }
    throw Error(failure + "; the checkout is back on " + git_.short_id(original));
}

}  // namespace backstop
