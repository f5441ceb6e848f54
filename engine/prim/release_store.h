// Releases on disk: one folder per release under `releases`, and `current`, a symlink to one.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace backstop {

class ReleaseStore {
public:
    ReleaseStore(std::filesystem::path releases, std::filesystem::path current);

    // Names of the release folders, oldest first in natural order. Throws Error if unreadable.
    std::vector<std::string> list() const;
    // The release `current` points to; "" when `current` is missing or points outside `releases`.
    std::string current() const;
    // Where `current` points, as written in the link ("" when it is not a symlink).
    std::string current_target() const;
    std::filesystem::path path_of(const std::string& name) const { return releases_ / name; }

    // Points `current` at release `name` atomically: a new link under a temporary name is renamed
    // over `current`, so at every instant `current` names either the old or the new release.
    void switch_to(const std::string& name) const;

    const std::filesystem::path& releases_dir() const { return releases_; }
    const std::filesystem::path& current_link() const { return current_; }

private:
    std::filesystem::path releases_;
    std::filesystem::path current_;
};

}  // namespace backstop
