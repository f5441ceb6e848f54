// Real git repositories for tests: a site checkout with a bare remote (after SonicBuilder's
// gh-pages), and a second clone that pushes to it as a CI runner would.
#pragma once

#include <string>
#include <vector>

#include "support/backstop_cli.h"
#include "support/temp_dir.h"

namespace backstop::test {

// `git -C DIR ARGS` with a fixed identity; fails the test when git does. Returns stdout without
// its trailing newlines.
std::string git(const std::string& dir, std::vector<std::string> args);

// A site published from git: v1 and v2 good, v3 ships a corrupt index.json; pushed to `main` of a
// bare remote, which the checkout knows as `origin`.
struct GitSite {
    TempDir dir{"backstop-git"};
    std::string remote = dir.file("remote.git");
    std::string checkout = dir.file("site");
    std::string v1, v2, v3;

    GitSite();

    // Commits index.json with `index` in the checkout; returns the commit id.
    std::string commit(const std::string& index, const std::string& message);
    std::string head();
    std::string remote_main();
    std::string worktree_status();  // `git status --porcelain` of the checkout

    // backstop.toml: service `site` on the checkout, with extra service keys and rollback keys.
    void policy(const std::string& service_keys, const std::string& rollback = "");
    // `--policies backstop.toml --state state` followed by `args`.
    std::vector<std::string> cli(std::vector<std::string> args);
};

// A second clone of the remote that commits and pushes `main` as CI does from a runner.
class CiClone {
public:
    explicit CiClone(const GitSite& site, std::string name = "ci");
    // Commits index.json {"version": N} and pushes it to main; returns the commit id.
    std::string push_build(int build);
    const std::string& path() const { return path_; }

private:
    const TempDir& dir_;
    std::string name_;
    std::string path_;
};

}  // namespace backstop::test
