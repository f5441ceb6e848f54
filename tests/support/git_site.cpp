#include "support/git_site.h"

#include <catch2/catch.hpp>

#include "prim/process_runner.h"

namespace backstop::test {

std::string git(const std::string& dir, std::vector<std::string> args) {
    ProcessRequest req;
    req.argv = {"git", "-C", dir};
    req.argv.insert(req.argv.end(), args.begin(), args.end());
    req.env_overrides = {{"GIT_AUTHOR_NAME", "dev"}, {"GIT_AUTHOR_EMAIL", "dev@example.com"},
                         {"GIT_COMMITTER_NAME", "dev"}, {"GIT_COMMITTER_EMAIL", "dev@example.com"}};
    ProcessResult r = make_process_runner()->run(req);
    INFO("git " << args.at(0) << ": " << r.summary() << "\n" << r.err);
    REQUIRE(r.ok());
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

GitSite::GitSite() {
    dir.mkdir("remote.git");
    git(remote, {"init", "-q", "--bare", "-b", "main"});
    dir.mkdir("site");
    git(checkout, {"init", "-q", "-b", "main"});
    git(checkout, {"remote", "add", "origin", remote});
    v1 = commit("{\"version\": 1}\n", "v1");
    v2 = commit("{\"version\": 2}\n", "v2");
    v3 = commit("{\"version\": 3, oops\n", "v3 (broken)");
    git(checkout, {"push", "-q", "origin", "main"});
}

std::string GitSite::commit(const std::string& index, const std::string& message) {
    dir.write("site/index.json", index);
    git(checkout, {"add", "index.json"});
    git(checkout, {"commit", "-q", "-m", message});
    return git(checkout, {"rev-parse", "HEAD"});
}

std::string GitSite::head() { return git(checkout, {"rev-parse", "HEAD"}); }

std::string GitSite::remote_main() { return git(remote, {"rev-parse", "main"}); }

std::string GitSite::worktree_status() { return git(checkout, {"status", "--porcelain", "--untracked-files=all"}); }

void GitSite::policy(const std::string& service_keys, const std::string& rollback) {
    dir.write("backstop.toml", "[service.site]\nstrategy = \"git\"\ncheckout = \"site\"\n" + service_keys +
                                   "\n[service.site.rollback]\nmax_attempts = 10\n" + rollback);
}

std::vector<std::string> GitSite::cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--policies", dir.file("backstop.toml"), "--state", dir.file("state")});
    return args;
}

CiClone::CiClone(const GitSite& site, std::string name)
    : dir_(site.dir), name_(std::move(name)), path_(site.dir.file(name_)) {
    git(dir_.path(), {"clone", "-q", site.remote, path_});
}

std::string CiClone::push_build(int build) {
    dir_.write(name_ + "/index.json", "{\"version\": " + std::to_string(build) + "}\n");
    git(path_, {"commit", "-q", "-am", "build " + std::to_string(build)});
    git(path_, {"push", "-q", "origin", "HEAD:main"});
    return git(path_, {"rev-parse", "HEAD"});
}

}  // namespace backstop::test
