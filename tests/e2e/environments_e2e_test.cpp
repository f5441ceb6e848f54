// Environments ([service.NAME.env.ENV]) through the real binary: one service with test and prod on
// release folders, each rolled back, counted, paused and recorded apart, and never guessed.
#include <filesystem>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/temp_dir.h"

using namespace backstop::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPolicy = R"(
[service.bot]
strategy = "releases"
restart  = ["true"]

[service.bot.rollback]
max_attempts = 1

[service.bot.env.test]
releases = "test/releases"
current  = "test/current"

[service.bot.env.prod]
releases = "prod/releases"
current  = "prod/current"
)";

// Two environments, each on v2 with v1 to go back to.
struct TwoEnvironments {
    TempDir dir{"backstop-env"};

    TwoEnvironments() {
        dir.write("policies/bot.toml", kPolicy);
        for (const char* env : {"test", "prod"})
            for (const char* v : {"v1", "v2"}) dir.write(std::string("policies/") + env + "/releases/" + v + "/app", v);
        for (const char* env : {"test", "prod"})
            fs::create_directory_symlink(dir.file(std::string("policies/") + env + "/releases/v2"),
                                         dir.file(std::string("policies/") + env + "/current"));
    }
    std::vector<std::string> cli(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--policies", dir.file("policies"), "--state", dir.file("state")});
        return args;
    }
    std::string current(const std::string& env) const {
        return fs::read_symlink(dir.file("policies/" + env + "/current")).filename().string();
    }
};

}  // namespace

TEST_CASE("a service with environments is never acted on without --env naming one of them", "[e2e]") {
    TwoEnvironments e;
    CliResult none = run_backstop(e.cli({"rollback", "bot", "--yes"}));
    CHECK(none.exit_code == 64);
    CHECK_THAT(none.err, Catch::Contains("service `bot` has environments (prod, test): name one with --env"));

    CliResult wrong = run_backstop(e.cli({"rollback", "bot", "--env", "staging", "--yes"}));
    CHECK(wrong.exit_code == 64);
    CHECK_THAT(wrong.err, Catch::Contains("no environment `staging` (it has prod, test)"));

    CliResult check = run_backstop(e.cli({"check"}));
    CHECK_THAT(check.out, Catch::Contains("1 service(s) (2 environments), 0 error(s)"));

    // --env belongs to the verbs that name a service: elsewhere it is refused, not ignored.
    CHECK(run_backstop(e.cli({"check", "--env", "prod"})).exit_code == 64);

    CliResult pause = run_backstop(e.cli({"pause", "bot"}));
    CHECK(pause.exit_code == 64);
    CHECK(e.current("test") == "v2");
    CHECK(e.current("prod") == "v2");
    CHECK_FALSE(fs::exists(e.dir.file("state/history.jsonl")));
}

TEST_CASE("each environment is rolled back, counted and recorded on its own", "[e2e]") {
    TwoEnvironments e;
    CliResult prod = run_backstop(e.cli({"rollback", "bot", "--env", "prod", "--reason", "bad deploy", "--json"}));
    INFO(prod.out << prod.err);
    REQUIRE(prod.exit_code == 0);
    CHECK(prod.json()["env"] == "prod");
    CHECK(prod.json()["service"] == "bot");
    CHECK(e.current("prod") == "v1");
    CHECK(e.current("test") == "v2");

    // max_attempts = 1 counts this environment's rollbacks only.
    CliResult again = run_backstop(e.cli({"rollback", "bot", "--env", "prod", "--to", "v2", "--json"}));
    CHECK(again.exit_code == 3);
    CliResult test = run_backstop(e.cli({"rollback", "bot", "--env", "test", "--json"}));
    INFO(test.out << test.err);
    CHECK(test.exit_code == 0);
    CHECK(e.current("test") == "v1");

    CliResult prod_runs = run_backstop(e.cli({"history", "--env", "prod", "--json"}));
    REQUIRE(prod_runs.exit_code == 0);
    REQUIRE(prod_runs.json().size() == 2);  // the rollback and the refused one
    for (const auto& r : prod_runs.json()) CHECK(r["env"] == "prod");
    CHECK(run_backstop(e.cli({"history", "--service", "bot@test", "--json"})).json().size() == 1);
    CHECK(run_backstop(e.cli({"history", "--service", "bot", "--json"})).json().size() == 3);

    CliResult stats = run_backstop(e.cli({"history", "stats"}));
    INFO(stats.out);
    CHECK_THAT(stats.out, Catch::Contains("ENV"));
    CHECK_THAT(stats.out, Catch::Matches("(.|\n)*bot +prod +1 +1 +0(.|\n)*"));
    CHECK_THAT(stats.out, Catch::Matches("(.|\n)*bot +test +1 +1 +0(.|\n)*"));
    auto per_env = run_backstop(e.cli({"history", "stats", "--json"})).json()["per_environment"];
    CHECK(per_env["bot@prod"]["succeeded"] == 1);
    CHECK(per_env["bot@test"]["succeeded"] == 1);
}

TEST_CASE("points, pauses and badges of an environment are its own", "[e2e]") {
    TwoEnvironments e;
    CliResult point = run_backstop(e.cli({"points", "create", "bot", "--env", "test", "--description", "before", "--json"}));
    INFO(point.out << point.err);
    REQUIRE(point.exit_code == 0);
    CHECK(fs::is_directory(e.dir.file("state/points/bot@test")));
    CHECK_FALSE(fs::exists(e.dir.file("state/points/bot@prod")));
    CliResult prod_points = run_backstop(e.cli({"points", "list", "bot", "--env", "prod", "--json"}));
    CHECK(prod_points.json()["points"].size() == 2);  // its releases only: the point is test's

    REQUIRE(run_backstop(e.cli({"pause", "bot", "--env", "prod", "--reason", "migration"})).exit_code == 0);
    CliResult resume_test = run_backstop(e.cli({"resume", "bot", "--env", "test", "--json"}));
    CHECK(resume_test.json()["was_paused"] == false);
    CliResult resume_prod = run_backstop(e.cli({"resume", "bot", "--env", "prod", "--json"}));
    CHECK(resume_prod.json()["was_paused"] == true);

    REQUIRE(run_backstop(e.cli({"rollback", "bot", "--env", "test"})).exit_code == 0);
    CliResult badge_test = run_backstop(e.cli({"history", "badge", "bot", "--env", "test"}));
    CHECK(badge_test.json()["message"] == "succeeded");
    CliResult badge_prod = run_backstop(e.cli({"history", "badge", "bot", "--env", "prod"}));
    CHECK(badge_prod.json()["message"] == "no runs");
}

TEST_CASE("check reports environment mistakes at their FILE:LINE:COL, an inherited one once", "[e2e]") {
    TempDir dir{"backstop-env-check"};
    dir.write("bot.toml", R"([service.bot]
strategy = "releases"
restart_timeout = "soon"
releases = "r"

[service.bot.env.test]
current = "test-current"

[service.bot.env.prod]
strategy = "git"
colour = "blue"
)");
    CliResult r = run_backstop({"--policies", dir.file("bot.toml"), "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const std::string file = dir.file("bot.toml");
    CHECK_THAT(r.out, Catch::Contains(file + ":10:12: error: `strategy` cannot be set per environment"));
    CHECK_THAT(r.out, Catch::Contains(file + ":11:1: error: unknown key `colour` in [service.bot.env.prod]"));
    // inherited by both environments, reported once
    const std::string soon = file + ":3:19: error";
    REQUIRE(r.out.find(soon) != std::string::npos);
    CHECK(r.out.find(soon, r.out.find(soon) + 1) == std::string::npos);
}
