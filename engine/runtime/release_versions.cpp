#include "runtime/release_versions.h"

#include <algorithm>

namespace backstop {

std::string ReleaseVersions::current() { return store_.current(); }

std::string ReleaseVersions::default_target_rule(const std::string& current) const {
    return "newest release older than " + current;
}

std::optional<std::string> ReleaseVersions::default_target(const std::string& current, std::string* why) {
    auto names = store_.list();
    if (current.empty()) {
        std::string target = store_.current_target();
        *why = store_.current_link().string() +
               (target.empty() ? " is missing or not a symlink" : " points to " + target + ", outside " + where()) +
               "; name the release with --to";
        return std::nullopt;
    }
    auto it = std::find(names.begin(), names.end(), current);
    if (it == names.begin() || it == names.end()) {
        *why = "nothing older than " + current + " to roll back to";
        return std::nullopt;
    }
    return *std::prev(it);
}

std::optional<std::string> ReleaseVersions::resolve(const std::string& asked, std::string* why) {
    auto names = store_.list();
    if (std::find(names.begin(), names.end(), asked) != names.end()) return asked;
    std::string known;
    for (auto it = names.rbegin(); it != names.rend(); ++it) known += (known.empty() ? "" : ", ") + *it;
    *why = "no release named `" + asked + "` (releases, newest first: " + (known.empty() ? "none" : known) + ")";
    return std::nullopt;
}

std::string ReleaseVersions::describe_switch(const std::string& from, const std::string& to) const {
    return store_.current_link().string() + ": " + (from.empty() ? "(none)" : from) + " -> " + to;
}

void ReleaseVersions::switch_to(const std::string&, const std::string& to, const std::string&, const std::string&) {
    store_.switch_to(to);
}

}  // namespace backstop
