// [service.NAME.env.ENV]: each environment is the service's table with the environment's laid over.
#include <algorithm>

#include <catch2/catch.hpp>

#include "policy/policy.h"
#include "policy_test_support.h"

using namespace backstop;
using backstop::test::load_one;

namespace {

constexpr const char* kBot = R"([service.bot]
strategy = "releases"
restart  = ["systemctl", "--user", "restart", "bot"]
releases = "/srv/bot/releases"

[service.bot.health]
url      = "http://127.0.0.1:8080/health"
attempts = 5

[[service.bot.trigger]]
name = "down"
source = "health"
when = "consecutive_failures >= 3"
then = "rollback"

[service.bot.env.test]
current = "/srv/bot/test-current"
health  = { url = "http://127.0.0.1:8081/health" }

[service.bot.env.prod]
releases = "/srv/bot-prod/releases"
current  = "/srv/bot-prod/current"
restart  = ["systemctl", "restart", "bot"]

[[service.bot.env.prod.trigger]]
name = "slow"
source = "health"
when = "consecutive_failures >= 1"
then = "page"
)";

}  // namespace

TEST_CASE("each environment is the service with its own keys laid over", "[policy]") {
    auto result = load_one(kBot, "/etc/backstop/bot.toml", "/etc/backstop");
    INFO(result.diagnostics.to_text());
    REQUIRE(result.successful());
    REQUIRE(result.policies.services.size() == 2);
    CHECK(result.policies.find("bot") == nullptr);
    CHECK(result.policies.environments("bot") == std::vector<std::string>{"prod", "test"});

    const ServicePolicy* test = result.policies.find("bot@test");
    REQUIRE(test);
    CHECK(test->name == "bot");
    CHECK(test->env == "test");
    CHECK(test->has_environments);
    CHECK(test->key == "bot@test");
    CHECK(test->command_operand() == "bot --env test");
    CHECK(test->releases == "/srv/bot/releases");            // inherited
    CHECK(test->current == "/srv/bot/test-current");         // its own
    REQUIRE(test->health);
    CHECK(test->health->url == "http://127.0.0.1:8081/health");  // tables merge key by key:
    CHECK(test->health->attempts == 5);                          // the rest of [health] stays
    REQUIRE(test->watch.triggers.size() == 1);
    CHECK(test->watch.triggers[0].name == "down");

    const ServicePolicy* prod = result.policies.find("bot@prod");
    REQUIRE(prod);
    CHECK(prod->releases == "/srv/bot-prod/releases");
    CHECK(prod->restart == std::vector<std::string>{"systemctl", "restart", "bot"});  // a list is replaced
    CHECK(prod->health->url == "http://127.0.0.1:8080/health");
    REQUIRE(prod->watch.triggers.size() == 1);  // an array of tables is replaced too
    CHECK(prod->watch.triggers[0].name == "slow");
}

TEST_CASE("a label env keeps the service one environment, kept under NAME@ENV", "[policy]") {
    auto result = load_one("[service.web]\nstrategy = \"releases\"\nreleases = \"r\"\ncurrent = \"c\"\nenv = \"prod\"\n",
                           "/etc/backstop/web.toml", "/etc/backstop");
    REQUIRE(result.successful());
    const ServicePolicy* web = result.policies.find("web@prod");
    REQUIRE(web);
    CHECK(web->env == "prod");
    CHECK_FALSE(web->has_environments);
    CHECK(web->command_operand() == "web");
    CHECK(result.policies.environments("web").empty());
}

TEST_CASE("an environment a strategy needs a key in, and has none, is an error at its table", "[policy]") {
    auto again = load_one("[service.bot]\nstrategy = \"releases\"\nreleases = \"r\"\n\n[service.bot.env.test]\ncurrent = \"c\"\n\n"
                          "[service.bot.env.prod]\nunit = \"bot.service\"\n",
                          "/etc/backstop/bot.toml", "/etc/backstop");
    REQUIRE(again.diagnostics.error_count() == 1);
    auto error = std::find_if(again.diagnostics.items().begin(), again.diagnostics.items().end(),
                              [](const Diagnostic& d) { return d.severity == Severity::error; });
    const Diagnostic& d = *error;
    CHECK(d.code == "missing-key");
    CHECK(d.where.line == 8);
    CHECK(d.message == "[service.bot.env.prod] is missing the required key `current`");
    CHECK(again.policies.services.empty());  // one broken environment keeps the whole service out
}

TEST_CASE("a service with more environments than the bound is refused, none compiled", "[policy]") {
    std::string text = "[service.bot]\nstrategy = \"releases\"\nreleases = \"r\"\ncurrent = \"c\"\n";
    for (int i = 0; i < 33; ++i) text += "[service.bot.env.e" + std::to_string(i) + "]\n";
    auto result = load_one(text, "/etc/backstop/bot.toml", "/etc/backstop");
    REQUIRE(result.diagnostics.error_count() == 1);
    CHECK_THAT(result.diagnostics.to_text(), Catch::Contains("has 33 environments; at most 32 are allowed"));
    CHECK(result.policies.services.empty());
}
