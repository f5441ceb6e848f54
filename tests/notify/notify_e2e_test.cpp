// [[notify]] through the built binary: a real rollback of the quickstart service announces itself
// on a loopback webhook, a hanging receiver neither delays the verdict's exit code nor changes the
// outcome, a dry run only plans, and the hook URL's token never shows up anywhere.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/http_receiver.h"
#include "support/quickstart_service.h"

using namespace backstop::test;
using Catch::Contains;

namespace {

const std::string kRollbackTable = "[service.web.rollback]\nmax_attempts = 10\nwindow = \"1h\"\n\n";

std::string hook_channel(const std::string& extra = "") {
    return std::string("[[notify]]\n"
                       "name = \"hook\"\n"
                       "type = \"webhook\"\n"
                       "url  = \"${env:HOOK_URL}\"\n") +
           extra;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("e2e: a rollback is announced on a webhook and the delivery is recorded", "[notify][e2e]") {
    HttpReceiver hook;
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_policy(kRollbackTable + hook_channel());
    const std::string token = "tok-7f3a9c-SECRET";
    std::map<std::string, std::string> env = {{"HOOK_URL", hook.url("/hooks/rollback") + "?token=" + token}};

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--reason", "bad deploy", "--actor", "alice"}), env);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(qs.current_release() == "v1");
    CHECK_THAT(r.out, Contains("[ok  ] notify   webhook hook"));

    auto requests = hook.requests_to("/hooks/rollback");
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].query == "token=" + token);
    auto body = nlohmann::json::parse(requests[0].body);
    CHECK(body["event"] == "succeeded");
    CHECK(body["run"]["service"] == "web");
    CHECK(body["run"]["from"] == "v2");
    CHECK(body["run"]["to"] == "v1");
    CHECK(body["run"]["outcome"] == "succeeded");
    CHECK(body["run"]["actor"] == "alice");
    CHECK(body["run"]["reason"] == "bad deploy");

    CliResult h = run_backstop(qs.cli({"history", "--json"}), env);
    REQUIRE(h.exit_code == 0);
    auto runs = h.json();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["outcome"] == "succeeded");
    REQUIRE(runs[0]["notifications"].size() == 1);
    CHECK(runs[0]["notifications"][0]["channel"] == "hook");
    CHECK(runs[0]["notifications"][0]["type"] == "webhook");
    CHECK(runs[0]["notifications"][0]["delivered"] == true);
    CHECK(runs[0]["notifications"][0]["attempts"] == 1);
    // The delivery was recorded under the same run: one record, superseded.
    CHECK(runs[0]["run_id"] == body["run"]["run_id"]);

    CliResult text = run_backstop(qs.cli({"history"}), env);
    CHECK_THAT(text.out, Contains("notified: hook ok"));

    for (const std::string& where : {r.out, r.err, h.out, h.err, text.out, read_all(qs.state() + "/history.jsonl")})
        CHECK(where.find(token) == std::string::npos);
}

TEST_CASE("e2e: a hanging receiver does not change the rollback or its exit code", "[notify][e2e]") {
    HttpReceiver hook;
    hook.respond("/hang", CannedResponse{200, "late", {}, std::chrono::seconds(30)});
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_policy(kRollbackTable + hook_channel("timeout = \"500ms\"\ndeadline = \"2s\"\n"));

    CliResult r = run_backstop(qs.cli({"rollback", "web"}), {{"HOOK_URL", hook.url("/hang")}});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("SUCCEEDED"));
    CHECK_THAT(r.out, Contains("[FAIL] notify   webhook hook"));
    CHECK(qs.current_release() == "v1");
    CHECK(r.seconds < 25);  // hang guard: the receiver answers only after 30 s; the deadline is 2 s

    auto runs = run_backstop(qs.cli({"history", "--json"})).json();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["outcome"] == "succeeded");
    // The rollback's own duration ends before any delivery starts: the deliveries' 2 s (at least
    // 1.5 s of attempts) separate it from the whole command's time. Load only widens the gap.
    CHECK(r.seconds * 1000 - runs[0]["duration_ms"].get<double>() >= 1500);
    REQUIRE(runs[0]["notifications"].size() == 1);
    CHECK(runs[0]["notifications"][0]["delivered"] == false);
    // 0-500ms, 700-1200ms, then 1600-2000ms: the last attempt gets what the deadline leaves.
    CHECK_THAT(runs[0]["notifications"][0]["error"].get<std::string>(),
               Catch::Matches(R"(POST \$\{env:HOOK_URL\}: timed out after \d+ms \(cut short by the 2s deadline\))"));
    CHECK(runs[0]["notifications"][0]["attempts"].get<int>() >= 2);
}

TEST_CASE("e2e: a dry run plans the notification and sends nothing", "[notify][e2e]") {
    HttpReceiver hook;
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_policy(kRollbackTable + hook_channel());

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--dry-run"}), {{"HOOK_URL", hook.url("/hooks/rollback")}});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("[plan] notify   webhook hook: POST ${env:HOOK_URL}"));
    CHECK(hook.requests().empty());

    CliResult unset = run_backstop(qs.cli({"rollback", "web", "--dry-run"}));
    CHECK_THAT(unset.out, Contains("not set: HOOK_URL; the notification would not be sent"));

    auto runs = run_backstop(qs.cli({"history", "--json"})).json();
    REQUIRE(runs.size() == 2);
    CHECK(runs[0]["notifications"].empty());
}

TEST_CASE("e2e: check reports [[notify]] mistakes with positions", "[notify][e2e]") {
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.write_policy(kRollbackTable + "[[notify]]\nname = \"hook\"\ntype = \"webhok\"\nurl = \"${env:HOOK_URL\"\nevents = [\"suceeded\"]\n");
    CliResult r = run_backstop(qs.cli({"check"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    std::string all = r.out + r.err;
    CHECK_THAT(all, Contains("backstop.toml:19:8: error: unknown notification type \"webhok\""));
    CHECK_THAT(all, Contains("did you mean \"webhook\"?"));
    CHECK_THAT(all, Contains("backstop.toml:21:11: error: unknown event \"suceeded\"; did you mean \"succeeded\"?"));
}
