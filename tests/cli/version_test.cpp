// `backstop --version` names the commit it was built from; cmake/build_commit.cmake, which the
// build runs every time, is tested against real repositories: clean, changed, a new commit, and
// a folder that is no checkout.
#include <regex>

#include <catch2/catch.hpp>

#include "cli_tools.h"
#include "support/backstop_cli.h"
#include "support/git_site.h"
#include "support/temp_dir.h"

using namespace backstop::test;

namespace {

// The BACKSTOP_COMMIT the script writes for `source` (COMMIT given as `commit` when not empty).
std::string commit_for(const std::string& source, const std::string& commit = "") {
    TempDir out{"backstop-commit"};
    std::vector<std::string> argv = {"cmake", "-DSOURCE_DIR=" + source, "-DOUTPUT=" + out.file("build_commit.h")};
    if (!commit.empty()) argv.push_back("-DCOMMIT=" + commit);
    argv.push_back("-P");
    argv.push_back(std::string(BACKSTOP_SOURCE_DIR) + "/cmake/build_commit.cmake");
    backstop::ProcessResult r = run_tool(argv);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::smatch m;
    const std::string header = out.read("build_commit.h");
    REQUIRE(std::regex_search(header, m, std::regex("#define BACKSTOP_COMMIT \"([^\"]*)\"")));
    return m[1];
}

}  // namespace

TEST_CASE("backstop --version names the version and a commit of this repository", "[cli]") {
    CliResult r = run_backstop({"--version"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_match(r.out, m, std::regex("backstop [0-9]+\\.[0-9]+\\.[0-9]+ \\(([0-9a-f]{7,})(-dirty)?\\)\n")));
    // The sources are a git checkout, so the commit is one of its own.
    CHECK_FALSE(git(BACKSTOP_SOURCE_DIR, {"rev-parse", "--verify", "--quiet", std::string(m[1]) + "^{commit}"}).empty());
    CHECK(run_backstop({"help"}).out.find("backstop " + r.out.substr(9, r.out.size() - 10)) == 0);
}

TEST_CASE("the commit is the checkout's, -dirty with changes, new after a commit, unknown outside git", "[cli]") {
    TempDir repo{"backstop-src"};
    git(repo.path(), {"init", "-q", "-b", "main"});
    repo.write("main.cpp", "int main() {}\n");
    git(repo.path(), {"add", "main.cpp"});
    git(repo.path(), {"commit", "-q", "-m", "first"});
    const std::string first = git(repo.path(), {"rev-parse", "--short=7", "HEAD"});
    CHECK(commit_for(repo.path()) == first);

    repo.write("main.cpp", "int main() { return 1; }\n");
    CHECK(commit_for(repo.path()) == first + "-dirty");
    repo.write("untracked.txt", "not part of the build\n");
    git(repo.path(), {"commit", "-q", "-am", "second"});
    const std::string second = git(repo.path(), {"rev-parse", "--short=7", "HEAD"});
    CHECK(second != first);
    CHECK(commit_for(repo.path()) == second);  // HEAD moved; untracked files do not make it dirty

    // A tarball's sources: no repository, or unpacked inside another one.
    TempDir tarball{"backstop-tarball"};
    CHECK(commit_for(tarball.path()).empty());
    repo.mkdir("vendor/backstop");
    CHECK(commit_for(repo.file("vendor/backstop")).empty());
    CHECK(commit_for(tarball.path(), "1a2b3c4") == "1a2b3c4");
}
