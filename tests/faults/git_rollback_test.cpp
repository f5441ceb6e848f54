// Rollbacks of a git branch that CI pushes from another clone (SonicBuilder's gh-pages): a push the
// lease refuses changes nothing and retries do not walk the checkout back; the target is chosen
// against the remote's tip; `branch` and `remote` are checked before anything reaches git.
#include <catch2/catch.hpp>

#include "support/git_site.h"

using namespace backstop;
using namespace backstop::test;

namespace {

const std::string kResetToMain = "mode = \"reset\"\nremote = \"origin\"\nbranch = \"main\"\n";

// A pre-push hook in the checkout that has CI push its next build from its own clone each time
// backstop pushes: after backstop fetched and chose its lease, before the remote takes the update.
void ci_races_every_push(GitSite& site, const CiClone& ci, int last_build) {
    site.dir.write("ci-build", std::to_string(last_build) + "\n");
    std::string d = site.dir.path();
    site.dir.write_executable("site/.git/hooks/pre-push",
                              "#!/bin/sh\n"
                              "set -e\n"
                              "cat >/dev/null\n"
                              "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX\n"
                              "n=$(( $(cat " + d + "/ci-build) + 1 ))\n"
                              "echo $n > " + d + "/ci-build\n"
                              "printf '{\"version\": %s}\\n' $n > " + ci.path() + "/index.json\n"
                              "git -C " + ci.path() + " -c user.name=ci -c user.email=ci@example.com commit -q -am \"build $n\"\n"
                              "git -C " + ci.path() + " push -q origin HEAD:main\n");
}

std::string short_id(GitSite& site, const std::string& rev) { return git(site.checkout, {"rev-parse", "--short", rev}); }

}  // namespace

TEST_CASE("a push the lease refuses leaves the checkout as it was, and retries do not walk it back", "[faults][git]") {
    GitSite site;
    site.policy(kResetToMain);
    CiClone ci(site);
    ci_races_every_push(site, ci, 3);
    const std::string index_before = site.dir.read("site/index.json");

    for (int attempt = 1; attempt <= 3; ++attempt) {
        std::string tip_before = site.remote_main();
        CliResult r = run_backstop(site.cli({"rollback", "site", "--reason", "corrupt index"}));
        INFO("attempt " << attempt << "\n" << r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK(r.out.find("push to origin main refused") != std::string::npos);

        // The checkout is where it was before the first attempt: HEAD, files, no changes.
        CHECK(site.head() == site.v3);
        CHECK(site.dir.read("site/index.json") == index_before);
        CHECK(site.worktree_status().empty());
        // CI's build survives every attempt.
        CHECK(site.remote_main() == git(ci.path(), {"rev-parse", "HEAD"}));

        // Each attempt rolls back the tip it fetched (from CI's latest build), never a commit
        // further back from what an earlier attempt left.
        auto h = run_backstop(site.cli({"history", "--json"})).json();
        REQUIRE(h.size() == static_cast<std::size_t>(attempt));
        CHECK(h[0]["outcome"] == "failed");
        CHECK(h[0]["from"] == short_id(site, tip_before));
        CHECK(h[0]["to"] == short_id(site, tip_before + "~1"));
        CHECK(h[0]["message"].get<std::string>().find("nothing changed, still on " + short_id(site, tip_before)) !=
              std::string::npos);
    }
}

TEST_CASE("a rollback of a branch CI pushed from another clone rolls back the remote's tip", "[faults][git]") {
    GitSite site;
    site.policy(kResetToMain);
    CiClone ci(site);
    ci.push_build(4);
    std::string build5 = ci.push_build(5);
    std::string build4 = git(ci.path(), {"rev-parse", "HEAD~1"});

    CliResult plan = run_backstop(site.cli({"rollback", "site", "--dry-run"}));
    INFO(plan.out << plan.err);
    CHECK(plan.exit_code == 0);
    CHECK(plan.out.find(short_id(site, build5) + " -> " + short_id(site, build4)) != std::string::npos);
    CHECK(plan.out.find("parent of the tip of origin main (fetched)") != std::string::npos);
    CHECK(site.head() == site.v3);
    CHECK(site.remote_main() == build5);

    CliResult r = run_backstop(site.cli({"rollback", "site", "--reason", "build 5 is corrupt"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(site.remote_main() == build4);
    CHECK(site.head() == build4);
    CHECK(site.dir.read("site/index.json") == "{\"version\": 4}\n");
    auto h = run_backstop(site.cli({"history", "--json"})).json();
    CHECK(h[0]["outcome"] == "succeeded");
    CHECK(h[0]["from"] == short_id(site, build5));
    CHECK(h[0]["to"] == short_id(site, build4));
}

TEST_CASE("a revert whose push is refused takes its commit back out of the checkout", "[faults][git]") {
    GitSite site;
    site.policy("mode = \"revert\"\nremote = \"origin\"\nbranch = \"main\"\n");
    CiClone ci(site);
    ci_races_every_push(site, ci, 3);

    CliResult r = run_backstop(site.cli({"rollback", "site"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("push to origin main refused") != std::string::npos);
    CHECK(site.head() == site.v3);
    CHECK(site.worktree_status().empty());
    CHECK(site.remote_main() == git(ci.path(), {"rev-parse", "HEAD"}));
}

TEST_CASE("a revert is committed on top of the remote's tip when CI moved it past the checkout", "[faults][git]") {
    GitSite site;
    site.policy("mode = \"revert\"\nremote = \"origin\"\nbranch = \"main\"\n");
    CiClone ci(site);
    std::string build4 = ci.push_build(4);

    CliResult r = run_backstop(site.cli({"rollback", "site", "--reason", "build 4 is corrupt"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(site.remote_main() == site.head());
    CHECK(git(site.checkout, {"rev-parse", "HEAD~1"}) == build4);  // pushed without force, CI's build kept
    CHECK(git(site.checkout, {"diff", site.v3, "HEAD"}).empty());   // the tree is the build before it
    CHECK(site.worktree_status().empty());
}

TEST_CASE("a checkout with commits the remote branch lacks is refused before anything changes", "[faults][git]") {
    GitSite site;
    site.policy(kResetToMain);
    std::string local = site.commit("{\"version\": \"hand edit\"}\n", "edited on the host");

    for (bool dry : {true, false}) {
        std::vector<std::string> args = {"rollback", "site"};
        if (dry) args.push_back("--dry-run");
        CliResult r = run_backstop(site.cli(args));
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK(r.out.find("does not contain; a rollback would drop its commits") != std::string::npos);
        CHECK(site.head() == local);
        CHECK(site.remote_main() == site.v3);
    }
}

TEST_CASE("${env:} in branch or remote is an error at its FILE:LINE:COL, and a rollback changes nothing", "[faults][git]") {
    GitSite site;
    site.policy("mode = \"reset\"\nremote = \"${env:REMOTE_NAME}\"\nbranch = \"${env:PAGES_BRANCH}\"\n");
    std::map<std::string, std::string> env = {{"REMOTE_NAME", "origin"}, {"PAGES_BRANCH", "main"}};
    std::string file = site.dir.file("backstop.toml");

    CliResult check = run_backstop(site.cli({"check"}), env);
    INFO(check.out << check.err);
    CHECK(check.exit_code == 1);
    CHECK(check.out.find(file + ":5:10: error: remote \"${env:REMOTE_NAME}\" is passed to git as written") != std::string::npos);
    CHECK(check.out.find(file + ":6:10: error: branch \"${env:PAGES_BRANCH}\" is passed to git as written") != std::string::npos);

    CliResult r = run_backstop(site.cli({"rollback", "site"}), env);
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    CHECK(site.head() == site.v3);
    CHECK(site.remote_main() == site.v3);
    CHECK(site.worktree_status().empty());
}

TEST_CASE("branch and remote that git would read as options or refuse are errors at check", "[faults][git]") {
    GitSite site;
    site.policy("remote = \"--upload-pack=touch pwned\"\nbranch = \"gh pages\"\nknown_good = [\"-x\"]\n");
    std::string file = site.dir.file("backstop.toml");
    CliResult check = run_backstop(site.cli({"check"}));
    INFO(check.out << check.err);
    CHECK(check.exit_code == 1);
    CHECK(check.out.find(file + ":4:10: error: remote \"--upload-pack=touch pwned\" starts with '-'") != std::string::npos);
    CHECK(check.out.find(file + ":5:10: error: branch \"gh pages\" may not contain a space") != std::string::npos);
    CHECK(check.out.find(file + ":6:14: error: `known_good`: revision \"-x\" starts with '-'") != std::string::npos);
}
