// Strategy "git" and the Lua git module against real repositories: a checkout with a bare remote
// in a temp folder, driven through the built binary.
#include <catch2/catch.hpp>

#include "core/sha256.h"
#include "prim/process_runner.h"
#include "support/backstop_cli.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace {

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

// A site published from git (after SonicBuilder): v1 and v2 good, v3 ships a corrupt index.json.
struct Site {
    TempDir dir{"backstop-git"};
    std::string remote = dir.file("remote.git");
    std::string checkout = dir.file("site");
    std::string v1, v2, v3;

    Site() {
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

    std::string commit(const std::string& index, const std::string& message) {
        dir.write("site/index.json", index);
        git(checkout, {"add", "index.json"});
        git(checkout, {"commit", "-q", "-m", message});
        return git(checkout, {"rev-parse", "HEAD"});
    }

    std::string head() { return git(checkout, {"rev-parse", "HEAD"}); }
    std::string remote_main() { return git(remote, {"rev-parse", "main"}); }

    void policy(const std::string& service_keys, const std::string& rollback = "") {
        dir.write("backstop.toml", "[service.site]\nstrategy = \"git\"\ncheckout = \"site\"\n" + service_keys +
                                       "\n[service.site.rollback]\nmax_attempts = 10\n" + rollback);
    }
    std::vector<std::string> cli(std::vector<std::string> args) {
        args.insert(args.begin(), {"--policies", dir.file("backstop.toml"), "--state", dir.file("state")});
        return args;
    }
};

}  // namespace

TEST_CASE("git reset mode rolls back to HEAD~1 and force-pushes with a lease", "[git]") {
    Site site;
    site.policy("mode = \"reset\"\nremote = \"origin\"\nbranch = \"main\"\n");

    CliResult r = run_backstop(site.cli({"rollback", "site", "--reason", "corrupt index"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(site.head() == site.v2);
    CHECK(site.remote_main() == site.v2);
    CHECK(site.dir.read("site/index.json") == "{\"version\": 2}\n");

    auto h = run_backstop(site.cli({"history", "--json"})).json();
    CHECK(site.v3.rfind(h[0]["from"].get<std::string>(), 0) == 0);
    CHECK(site.v2.rfind(h[0]["to"].get<std::string>(), 0) == 0);
    CHECK(h[0]["outcome"] == "succeeded");
}

TEST_CASE("known_good commits are the targets, newest first", "[git]") {
    Site site;
    site.policy("known_good = [\"" + site.v1 + "\"]\n");
    CHECK(run_backstop(site.cli({"rollback", "site"})).exit_code == 0);
    CHECK(site.head() == site.v1);
    CHECK(site.remote_main() == site.v3);  // no remote in policy: nothing pushed

    CliResult again = run_backstop(site.cli({"rollback", "site"}));
    CHECK(again.exit_code == 1);
    CHECK(again.out.find("no known-good commit other than the current") != std::string::npos);
}

TEST_CASE("git revert mode commits the inverse of the bad range and pushes it", "[git]") {
    Site site;
    site.policy("mode = \"revert\"\nremote = \"origin\"\nbranch = \"main\"\n");

    CliResult r = run_backstop(site.cli({"rollback", "site", "--reason", "bad deploy"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    std::string head = site.head();
    CHECK(head != site.v2);
    CHECK(git(site.checkout, {"rev-parse", "HEAD~1"}) == site.v3);  // history kept, a GitOps sync keeps it
    CHECK(git(site.checkout, {"diff", site.v2, "HEAD"}).empty());    // the tree is v2's
    CHECK(site.remote_main() == head);                                 // pushed without force
    CHECK(git(site.checkout, {"log", "-1", "--format=%B"}).find("backstop run") != std::string::npos);
}

TEST_CASE("a git dry run plans the reset and the push and changes nothing", "[git]") {
    Site site;
    site.policy("remote = \"origin\"\nbranch = \"main\"\n");
    CliResult r = run_backstop(site.cli({"rollback", "site", "--dry-run"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("[plan] switch") != std::string::npos);
    CHECK(r.out.find("git reset --hard") != std::string::npos);
    CHECK(r.out.find("push to origin main (force, with lease)") != std::string::npos);
    CHECK(site.head() == site.v3);
    CHECK(site.remote_main() == site.v3);
}

TEST_CASE("the lease refuses to overwrite a branch someone moved, and the error says why", "[git]") {
    Site site;
    site.policy("remote = \"origin\"\nbranch = \"main\"\n");
    // Someone else pushes a fix on top of v3 that this checkout has not seen.
    std::string other = site.dir.file("other");
    git(site.dir.path(), {"clone", "-q", site.remote, other});
    site.dir.write("other/index.json", "{\"version\": 4}\n");
    git(other, {"commit", "-q", "-am", "v4 hotfix"});
    git(other, {"push", "-q", "origin", "main"});
    std::string v4 = site.remote_main();

    CliResult r = run_backstop(site.cli({"rollback", "site"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("git push") != std::string::npos);
    CHECK(r.out.find("exit 1") != std::string::npos);
    CHECK(r.out.find("stale info") != std::string::npos);
    CHECK(site.remote_main() == v4);  // their fix survives
}

TEST_CASE("a runbook checks artifact integrity with git.show, json and sha256", "[git]") {
    Site site;
    std::string good_digest = sha256_hex("{\"version\": 2}\n");
    site.dir.write("runbook.lua",
                   "local GOOD = '" + good_digest + "'\n"
                   "return {\n"
                   "  pre = function(ctx)\n"
                   "    local text = git.show('HEAD', 'index.json')\n"
                   "    local ok = json.decode(text)\n"
                   "    if ok then error('index.json at HEAD parses; refusing to roll back a healthy site') end\n"
                   "    log.warn('index.json at ' .. git.head():sub(1, 7) .. ' is corrupt: rolling back')\n"
                   "  end,\n"
                   "  verify = function(ctx)\n"
                   "    local digest = hash.sha256(git.show('HEAD', 'index.json'))\n"
                   "    return digest == GOOD, 'index.json sha256 ' .. digest\n"
                   "  end,\n"
                   "}\n");
    site.policy("", "runbook = \"runbook.lua\"\n");

    CliResult r = run_backstop(site.cli({"rollback", "site"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("is corrupt: rolling back") != std::string::npos);
    CHECK(r.out.find("index.json sha256 " + good_digest) != std::string::npos);
    CHECK(site.head() == site.v2);

    // Now HEAD is healthy: the pre hook refuses and nothing changes.
    CliResult refused = run_backstop(site.cli({"rollback", "site"}));
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.find("runbook.lua:6:") != std::string::npos);
    CHECK(site.head() == site.v2);
}

TEST_CASE("an unknown revision is refused before anything changes", "[git]") {
    Site site;
    site.policy("");
    CliResult r = run_backstop(site.cli({"rollback", "site", "--to", "no-such-rev"}));
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("no commit `no-such-rev`") != std::string::npos);
    CHECK(site.head() == site.v3);
}

TEST_CASE("a point of a git service keeps the full commit and a config file, rollback to it restores both", "[git][points]") {
    Site site;
    site.policy("mode = \"reset\"\n", "\n[service.site.points]\nconfig = [\"site.conf\"]\n");
    git(site.checkout, {"reset", "-q", "--hard", site.v2});
    site.dir.write("site.conf", "cache = 60\n");

    CliResult made = run_backstop(site.cli({"points", "create", "site", "--description", "v2 with cache 60", "--json"}));
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    auto point = made.json();
    CHECK(site.v2.rfind(point["version"].get<std::string>(), 0) == 0);
    CHECK(point["version_id"] == site.v2);
    REQUIRE(point["configs"].size() == 1);
    CHECK(point["configs"][0]["sha256"] == sha256_hex("cache = 60\n"));
    std::string id = point["id"];

    std::string v4 = site.commit("{\"version\": 4}\n", "v4");
    site.dir.write("site.conf", "cache = 0\n");

    CliResult plan = run_backstop(site.cli({"rollback", "site", "--to", id, "--dry-run"}));
    INFO(plan.out << plan.err);
    REQUIRE(plan.exit_code == 0);
    CHECK(plan.out.find(site.dir.file("site.conf")) != std::string::npos);
    CHECK(site.head() == v4);

    CliResult r = run_backstop(site.cli({"rollback", "site", "--to", id}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(site.head() == site.v2);
    CHECK(site.dir.read("site/index.json") == "{\"version\": 2}\n");
    CHECK(site.dir.read("site.conf") == "cache = 60\n");
}
