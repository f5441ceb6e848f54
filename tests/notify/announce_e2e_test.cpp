// Healthy outcomes announced and colours per outcome, through the built binary: a `verify` that
// passed reaches Discord and Slack receivers in green, a failed rollback and an unhealthy verify
// in red, each with the defaults and with a channel's `colors`; channels without `events` stay quiet.
#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/http_receiver.h"
#include "support/quickstart_service.h"

using namespace backstop::test;
using Catch::Contains;

namespace {

const std::string kRollbackTable = "[service.web.rollback]\nmax_attempts = 10\nwindow = \"1h\"\n\n";

// Each channel posts to RECEIVER/NAME.
std::string channel(const std::string& name, const std::string& type, const std::string& extra) {
    return "[[notify]]\nname = \"" + name + "\"\ntype = \"" + type + "\"\nurl = \"${env:RECEIVER}/" + name + "\"\n" + extra + "\n";
}

// Four coloured channels (Discord and Slack, defaults and overrides) and a webhook with the default events.
std::string channels() {
    const std::string events = "events = [\"verified\", \"failed\", \"unhealthy\"]\n";
    const std::string colors = "colors = { verified = \"#00CCFF\", failed = \"#8B0000\" }\n";
    return channel("discord-default", "discord", events) + channel("slack-default", "slack", events) +
           channel("discord-custom", "discord", events + colors) + channel("slack-custom", "slack", events + colors) +
           channel("hook-default", "webhook", "");
}

struct Colours {
    int discord_default = -1, discord_custom = -1;
    std::string slack_default, slack_custom;
};

nlohmann::json only_body(const HttpReceiver& receiver, const std::string& path) {
    auto requests = receiver.requests_to(path);
    INFO(path);
    REQUIRE(requests.size() == 1);
    return nlohmann::json::parse(requests[0].body);
}

// The colour each coloured channel received in its one request.
Colours received(const HttpReceiver& receiver) {
    Colours c;
    c.discord_default = only_body(receiver, "/discord-default")["embeds"][0]["color"];
    c.discord_custom = only_body(receiver, "/discord-custom")["embeds"][0]["color"];
    c.slack_default = only_body(receiver, "/slack-default")["attachments"][0]["color"];
    c.slack_custom = only_body(receiver, "/slack-custom")["attachments"][0]["color"];
    return c;
}

}  // namespace

TEST_CASE("e2e: a verified deploy is announced green, a failed rollback and an unhealthy verify red, and `colors` overrides",
          "[notify][e2e]") {
    HttpReceiver receiver;
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.point_current_at("v1");
    qs.start();
    qs.write_policy(kRollbackTable + channels());
    const std::map<std::string, std::string> env = {{"RECEIVER", "http://127.0.0.1:" + std::to_string(receiver.port())}};

    CliResult verified = run_backstop(qs.cli({"verify", "web", "--actor", "ci", "--reason", "deploy 41"}), env);
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    CHECK_THAT(verified.out, Contains("HEALTHY: web on v1") && Contains("[ok  ] notify   discord discord-default") &&
                                 Contains("(verified)"));
    Colours green = received(receiver);
    CHECK(green.discord_default == 0x2ECC71);
    CHECK(green.slack_default == "#2ECC71");
    CHECK(green.discord_custom == 0x00CCFF);
    CHECK(green.slack_custom == "#00CCFF");
    auto embed = only_body(receiver, "/discord-default")["embeds"][0];
    CHECK(embed["title"] == "web verified healthy on v1: verified");
    CHECK(only_body(receiver, "/slack-default")["text"] == "web verified healthy on v1: verified");
    CHECK(receiver.requests_to("/hook-default").empty());  // `verified` is not a default event

    auto runs = run_backstop(qs.cli({"history", "--json"})).json();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["outcome"] == "verified");
    CHECK(runs[0]["trigger"] == "verify");
    CHECK(runs[0]["actor"] == "ci");
    CHECK(runs[0]["reason"] == "deploy 41");
    CHECK(runs[0]["to"] == "v1");
    CHECK(runs[0]["notifications"].size() == 4);

    receiver.clear_requests();
    CliResult failed = run_backstop(qs.cli({"rollback", "web"}), env);  // nothing older than v1
    INFO(failed.out << failed.err);
    CHECK(failed.exit_code == 1);
    Colours red = received(receiver);
    CHECK(red.discord_default == 0xE74C3C);
    CHECK(red.slack_default == "#E74C3C");
    CHECK(red.discord_custom == 0x8B0000);
    CHECK(red.slack_custom == "#8B0000");
    CHECK(only_body(receiver, "/hook-default")["event"] == "failed");

    receiver.clear_requests();
    qs.stop();
    CliResult unhealthy = run_backstop(qs.cli({"verify", "web", "--json"}), env);
    INFO(unhealthy.out << unhealthy.err);
    CHECK(unhealthy.exit_code == 1);
    CHECK(unhealthy.json()["outcome"] == "unhealthy");
    CHECK(unhealthy.json()["healthy"] == false);
    Colours unwell = received(receiver);
    CHECK(unwell.discord_default == 0xE74C3C);
    CHECK(unwell.discord_custom == 0xE74C3C);  // no override for `unhealthy`: the default
    CHECK(unwell.slack_custom == "#E74C3C");
    CHECK(receiver.requests_to("/hook-default").empty());

    // Verifications changed nothing: not rollbacks in the stats.
    auto stats = run_backstop(qs.cli({"history", "stats", "--json"})).json();
    CHECK(stats["total"] == 1);
    CHECK(stats["failed"] == 1);
}

TEST_CASE("e2e: verify records its outcome, and max_attempts counts only rollbacks", "[notify][e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_policy("[service.web.rollback]\nmax_attempts = 1\nwindow = \"1h\"\n");
    for (int i = 0; i < 2; ++i) CHECK(run_backstop(qs.cli({"verify", "web"})).exit_code == 1);
    CliResult r = run_backstop(qs.cli({"verify", "web", "--rollback"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(qs.current_release() == "v1");
    auto runs = run_backstop(qs.cli({"history", "--json"})).json();
    REQUIRE(runs.size() == 3);  // the rollback; the unhealthy verifications before it
    CHECK(runs[0]["outcome"] == "succeeded");
    CHECK(runs[1]["outcome"] == "unhealthy");
    CHECK(runs[2]["outcome"] == "unhealthy");
}
