// `backstop test`: policy tests replay observations through the policies in a scratch state and
// compare what the triggers did with what each test expects; a mismatch is a failure with a diff.
#include <string>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/temp_dir.h"

using namespace backstop::test;

namespace {

const char* kPagingPolicy = R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current  = "/srv/web/current"
restart  = ["true"]

[service.web.source.deploys]
kind = "event"

[[service.web.trigger]]
name   = "bad_deploy"
source = "deploys"
when   = "failed"
then   = "page"
)";

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
    CHECK(r.out.find("2 test(s), 0 failed") != std::string::npos);
    CliResult check = run_backstop({"--policies", std::string(BACKSTOP_SOURCE_DIR) + "/examples/quickstart", "check"});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK(check.out.find("1 service(s), 0 error(s)") != std::string::npos);
}
