// Strategy "git" and the Lua git module against real repositories: a checkout with a bare remote
// in a temp folder, driven through the built binary.
#include <catch2/catch.hpp>

#include "core/sha256.h"
#include "support/git_site.h"

using namespace backstop;
using namespace backstop::test;

TEST_CASE("git reset mode rolls back to HEAD~1 and force-pushes with a lease", "[git]") {
    GitSite site;
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
    GitSite site;
    site.policy("known_good = [\"" + site.v1 + "\"]\n");
    CHECK(run_backstop(site.cli({"rollback", "site"})).exit_code == 0);
    CHECK(site.head() == site.v1);
    CHECK(site.remote_main() == site.v3);  // no remote in policy: nothing pushed

    CliResult again = run_backstop(site.cli({"rollback", "site"}));
    CHECK(again.exit_code == 1);
    CHECK(again.out.find("no known-good commit other than the current") != std::string::npos);
}

TEST_CASE("git revert mode commits the inverse of the bad range and pushes it", "[git]") {
    GitSite site;
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
    GitSite site;
    site.policy("remote = \"origin\"\nbranch = \"main\"\n");
    CliResult r = run_backstop(site.cli({"rollback", "site", "--dry-run"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("[plan] switch") != std::string::npos);
    CHECK(r.out.find("git reset --hard") != std::string::npos);
    CHECK(r.out.find("push to origin main (force, with lease: only while it is still at") != std::string::npos);
    CHECK(site.head() == site.v3);
    CHECK(site.remote_main() == site.v3);
}

TEST_CASE("a runbook checks artifact integrity with git.show, json and sha256", "[git]") {
    GitSite site;
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
    GitSite site;
    site.policy("");
    CliResult r = run_backstop(site.cli({"rollback", "site", "--to", "no-such-rev"}));
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("no commit `no-such-rev`") != std::string::npos);
    CHECK(site.head() == site.v3);
}

TEST_CASE("a point of a git service keeps the full commit and a config file, rollback to it restores both", "[git][points]") {
    GitSite site;
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
