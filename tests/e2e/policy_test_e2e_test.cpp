// `backstop test`: policy tests replay observations through the policies in a scratch state and
// compare what the triggers did with what each test expects; a mismatch is a failure with a diff.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/paging_policy.h"
#include "support/temp_dir.h"

using namespace backstop::test;

namespace {

// A deploy that succeeds, then one that fails 30 s later.
const char* kTwoDeploys = R"(
[[test.observation]]
at = "0s"
service = "web"
source = "deploys"
status = "ok"

[[test.observation]]
at = "30s"
service = "web"
source = "deploys"
status = "failed"
)";

std::string write_test(const TempDir& dir, const std::string& expectations) {
    dir.write("backstop.toml", kPagingPolicy);
    return dir.write("web_test.toml", std::string("policies = \"backstop.toml\"\n\n[[test]]\nname = \"a failed deploy pages\"\n") +
                                          kTwoDeploys + expectations);
}

CliResult run_test(const TempDir& dir, const std::string& file, bool json = false) {
    std::vector<std::string> args{"--state", dir.file("state"), "test", file};
    if (json) args.push_back("--json");
    return run_backstop(args);
}

}  // namespace

TEST_CASE("backstop test: a test whose expectations hold passes", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    std::string file = write_test(dir, R"(
[[test.expect]]
at = "30s"
service = "web"
trigger = "bad_deploy"
action = "page"
rule = "trigger bad_deploy then"
outcome = "paged"
)");
    CliResult r = run_test(dir, file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("ok    " + file + ": a failed deploy pages") != std::string::npos);
    CHECK(r.out.find("1 test(s), 0 failed") != std::string::npos);
    CHECK_FALSE(dir.exists("state/history.jsonl"));
}

TEST_CASE("backstop test: a wrong time and an unexpected fire fail with what happened instead", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    std::string file = write_test(dir, R"(
[[test.expect]]
at = "1m"
service = "web"
trigger = "bad_deploy"
action = "page"
)");
    CliResult r = run_test(dir, file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("FAIL  " + file + ": a failed deploy pages") != std::string::npos);
    CHECK(r.out.find("expected (" + file + ":") != std::string::npos);
    CHECK(r.out.find("+1m web/bad_deploy fire page") != std::string::npos);
    CHECK(r.out.find("+30s web/bad_deploy fire page (trigger bad_deploy then) paged") != std::string::npos);
    CHECK(r.out.find("unexpected: +30s web/bad_deploy fire page") != std::string::npos);
    CHECK(r.out.find("1 test(s), 1 failed") != std::string::npos);

    CliResult j = run_test(dir, file, true);
    INFO(j.out << j.err);
    CHECK(j.exit_code == 1);
    auto results = j.json();
    REQUIRE(results.size() == 1);
    CHECK(results[0]["ok"] == false);
    CHECK(results[0]["test"] == "a failed deploy pages");
    CHECK(results[0]["problems"].size() == 2);
}

TEST_CASE("backstop test: a fire nobody expected fails the test", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    std::string file = write_test(dir, "");
    CliResult r = run_test(dir, file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("unexpected: +30s web/bad_deploy fire page (trigger bad_deploy then) paged") != std::string::npos);
}

TEST_CASE("backstop test: the state on the machine does not change the answer", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    std::string file = write_test(dir, R"(
[[test.expect]]
service = "web"
trigger = "bad_deploy"
outcome = "paged"
)");
    // Paused here: simulate would report the page as suppressed; a policy test must not.
    CliResult paused = run_backstop({"--policies", dir.file("backstop.toml"), "--state", dir.file("state"), "pause", "web"});
    INFO(paused.out << paused.err);
    REQUIRE(paused.exit_code == 0);
    CliResult r = run_test(dir, file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
}

TEST_CASE("backstop test: a mistake in the test file is an error at its line and column", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    std::string file = write_test(dir, R"(
[[test.expect]]
service = "web"
trigger = "bad_deploy"
stepp = "fire"
)");
    CliResult r = run_test(dir, file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find(file + ":21:1") != std::string::npos);
    CHECK(r.out.find("stepp") != std::string::npos);
}

TEST_CASE("backstop test: without a test file it is a usage error", "[e2e][policy-test]") {
    CliResult r = run_backstop({"test"});
    CHECK(r.exit_code == 64);
}

TEST_CASE("backstop test: every example's policy tests pass, and check does not read them as policies", "[e2e][policy-test]") {
    CliResult r = run_backstop({"test", std::string(BACKSTOP_SOURCE_DIR) + "/examples/quickstart/tests/web.test.toml"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("3 test(s), 0 failed") != std::string::npos);
    CliResult check = run_backstop({"--policies", std::string(BACKSTOP_SOURCE_DIR) + "/examples/quickstart", "check"});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK(check.out.find("1 service(s), 0 error(s)") != std::string::npos);
}

namespace {

// A service with release folders v1 and v2 (current), whose trigger rolls it back when a deploy
// failed: at most twice an hour, and not again within 15 s of acting.
const char* kRollbackPolicy = R"([service.api]
strategy = "releases"
releases = "releases"
current  = "current"
restart  = ["true"]

[service.api.source.deploys]
kind = "event"

[[service.api.trigger]]
name     = "bad_deploy"
source   = "deploys"
when     = "failed"
then     = "rollback"
cooldown = "15s"

[service.api.rollback]
max_attempts = 2
window       = "1h"
)";

const char* kApiPlan = R"("lock", "target", "pre", "switch", "restart", "verify", "post", "record")";

std::string deploy(const char* at, const char* status) {
    return std::string("\n[[test.observation]]\nat = \"") + at + "\"\nservice = \"api\"\nsource = \"deploys\"\nstatus = \"" + status + "\"\n";
}

// A failed deploy at 0 s, then `more` observations; `expectations` follow.
std::string write_rollback_test(const TempDir& dir, const std::string& more, const std::string& expectations) {
    dir.mkdir("releases/v1");
    dir.mkdir("releases/v2");
    std::filesystem::create_directory_symlink(dir.file("releases/v2"), dir.file("current"));
    dir.write("backstop.toml", kRollbackPolicy);
    return dir.write("api.test.toml", "policies = \"backstop.toml\"\n\n[[test]]\nname = \"a failed deploy rolls api back\"\n" +
                                          deploy("0s", "failed") + more + expectations);
}

std::string expect_rollback(const std::string& plan) {
    return "\n[[test.expect]]\nat = \"0s\"\nservice = \"api\"\ntrigger = \"bad_deploy\"\noutcome = \"dry_run\"\nto = \"v1\"\nplan = [" +
           plan + "]\n";
}

}  // namespace

TEST_CASE("backstop test: a plan with the planned steps and target passes", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    std::string file = write_rollback_test(dir, "", expect_rollback(kApiPlan));
    CliResult r = run_test(dir, file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("1 test(s), 0 failed") != std::string::npos);
    CHECK(std::filesystem::read_symlink(dir.file("current")) == dir.file("releases/v2"));  // planned, never switched
}

TEST_CASE("backstop test: a plan with a step dropped, added or moved fails with the difference", "[e2e][policy-test]") {
    struct Case {
        const char* plan;
        const char* difference;
    };
    const Case cases[] = {
        {R"("lock", "target", "pre", "switch", "verify", "post", "record")", "plan step 5: expected `verify`, the plan has `restart`"},
        {R"("lock", "target", "pre", "switch", "restart", "health", "verify", "post", "record")",
         "plan step 6: expected `health`, the plan has `verify`"},
        {R"("lock", "target", "pre", "restart", "switch", "verify", "post", "record")", "plan step 4: expected `restart`, the plan has `switch`"},
        {R"("lock", "target", "pre", "switch", "restart", "verify", "post")", "plan step 8: the plan has `record`, not expected"},
    };
    for (const Case& c : cases) {
        INFO(c.plan);
        TempDir dir("backstop-policy-test");
        std::string file = write_rollback_test(dir, "", expect_rollback(c.plan));
        CliResult r = run_test(dir, file);
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK(r.out.find("FAIL  " + file + ": a failed deploy rolls api back") != std::string::npos);
        CHECK(r.out.find("+0s api/bad_deploy fire rollback:fast (trigger bad_deploy then) dry_run to v1 plan [lock, target, pre, switch, "
                         "restart, verify, post, record]") != std::string::npos);
        CHECK(r.out.find(c.difference) != std::string::npos);
    }
}

TEST_CASE("backstop test: a wrong target version fails", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    std::string file = write_rollback_test(dir, "", "\n[[test.expect]]\nservice = \"api\"\ntrigger = \"bad_deploy\"\nto = \"v2\"\n");
    CliResult r = run_test(dir, file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("api/bad_deploy fire to v2\n") != std::string::npos);
    CHECK(r.out.find("dry_run to v1 plan [") != std::string::npos);
}

TEST_CASE("backstop test: the cooldown and max_attempts guards hold the replay's own rollbacks back", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    const std::string flapping = deploy("5s", "ok") + deploy("10s", "failed") + deploy("15s", "ok") + deploy("30s", "failed") +
                                 deploy("35s", "ok") + deploy("50s", "failed");
    const std::string expect = expect_rollback(kApiPlan) + R"(
[[test.expect]]
at = "10s"
service = "api"
trigger = "bad_deploy"
outcome = "suppressed"
guard = "cooldown"

[[test.expect]]
at = "30s"
service = "api"
trigger = "bad_deploy"
outcome = "dry_run"
to = "v1"

[[test.expect]]
at = "50s"
service = "api"
trigger = "bad_deploy"
outcome = "refused"
guard = "max_attempts"
plan = ["lock", "guard", "record"]
)";
    std::string file = write_rollback_test(dir, flapping, expect);
    CliResult r = run_test(dir, file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("1 test(s), 0 failed") != std::string::npos);

    // The guard that held it back is part of the difference when another was expected.
    std::string wrong = expect;
    wrong.replace(wrong.find("guard = \"cooldown\""), 18, "guard = \"pause\"");
    TempDir dir2("backstop-policy-test");
    std::string file2 = write_rollback_test(dir2, flapping, wrong);
    CliResult w = run_test(dir2, file2);
    INFO(w.out << w.err);
    CHECK(w.exit_code == 1);
    CHECK(w.out.find("+10s api/bad_deploy fire suppressed guard pause") != std::string::npos);
    CHECK(w.out.find("+10s api/bad_deploy fire rollback:fast (trigger bad_deploy then) suppressed guard cooldown") != std::string::npos);
}

TEST_CASE("backstop test: an unknown key or a step no plan can have is an error at its line and column", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    std::string file = write_rollback_test(dir, "", R"(
[[test.expect]]
service = "api"
trigger = "bad_deploy"
plans = ["lock"]

[[test.expect]]
service = "api"
trigger = "bad_deploy"
plan = ["lock", "swich"]
guard = "cooldwn"
)");
    CliResult r = run_test(dir, file);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find(file + ":15:1: error: unknown key `plans` in [test.expect]; did you mean `plan`?") != std::string::npos);
    CHECK(r.out.find("plans") != std::string::npos);
    CHECK(r.out.find(file + ":20:17: error: no run has a step `swich`; did you mean `switch`?") != std::string::npos);
    CHECK(r.out.find(file + ":21:9: error: `guard` must be one of pause, cooldown, max_attempts, lock") != std::string::npos);
    CHECK(r.out.find("`guard` must be one of pause, cooldown, max_attempts, lock") != std::string::npos);
    CHECK(r.out.find("1 test(s), 1 failed") != std::string::npos);
}

TEST_CASE("backstop test: a test file over the policy file bound is refused before it is read", "[e2e][policy-test]") {
    TempDir dir("backstop-policy-test");
    dir.write("backstop.toml", kPagingPolicy);
    // 5 MiB of comments: valid TOML, past the 4 MiB a policy file may have.
    const std::string comment = "# " + std::string(1022, 'x') + "\n";
    std::string text = "policies = \"backstop.toml\"\n";
    for (int i = 0; i < 5 * 1024; ++i) text += comment;
    std::string file = dir.write("big.test.toml", text);
    CliResult r = run_test(dir, file);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find(file + ": error: too large: ") != std::string::npos);
    CHECK(r.out.find("over the limit of 4 MiB for a test file") != std::string::npos);
}
