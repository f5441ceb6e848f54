// The watching part of policies: sources, triggers, every built-in rule enabled and tuned,
// decision rules, schedules, levels — and their mistakes, each at its FILE:LINE:COL.
#include <catch2/catch.hpp>

#include "policy/policy.h"
#include "policy_test_support.h"

using namespace backstop;
using backstop::test::load_one;
using backstop::test::summary;
using Catch::Contains;
using Strings = std::vector<std::string>;

namespace {
constexpr const char* kHead = R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current = "/srv/web/current"
)";
}  // namespace

TEST_CASE("watch: every built-in rule compiles when its source exists, and tuning applies", "[policy][watch]") {
    auto result = load_one(std::string(kHead) + R"toml(use = ["service_down", "high_error_rate", "p95_latency", "crash_loop", "critical_log",
       "cpu_pressure", "memory_pressure", "disk_pressure", "database_down", "database_errors", "latency_regression"]
cooldown = "15m"

[service.web.health]
url = "http://127.0.0.1:8080/health"

[service.web.source.error_rate]
kind = "prometheus"
url = "http://127.0.0.1:9090"
query = "sum(rate(errors[1m])) / sum(rate(requests[1m]))"
[service.web.source.process]
kind = "unit"
unit = "web.service"
[service.web.source.app_log]
kind = "log"
path = "/var/log/web.log"
pattern = "CRITICAL|Traceback"
[service.web.source.app_log_db]
kind = "log"
path = "/var/log/web.log"
pattern = "could not connect to server"
[service.web.source.cpu]
kind = "cpu"
[service.web.source.memory]
kind = "memory"
[service.web.source.disk]
kind = "disk"
path = "/var/lib"
[service.web.source.database]
kind = "tcp"
port = 5432

[service.web.rules.high_error_rate]
threshold = 0.1
for = "30s"
then = "rollback:full"

[service.web.rollback]
levels = ["fast", "full", "manual"]
)toml");
    INFO(result.diagnostics.to_text());
    REQUIRE_FALSE(result.diagnostics.has_errors());
    const ServicePolicy& web = result.policies.services.at("web");
    CHECK(web.watch.triggers.size() == 11);
    CHECK(web.watch.cooldown == Duration{900'000});
    CHECK(web.rollback.level == "fast");
    CHECK(web.rollback.levels == Strings{"fast", "full", "manual"});
    const TriggerPolicy* errors = nullptr;
    for (const auto& t : web.watch.triggers)
        if (t.name == "high_error_rate") errors = &t;
    REQUIRE(errors);
    CHECK(errors->rule == "high_error_rate");
    CHECK(errors->hold == Duration{30'000});
    CHECK(errors->then.text() == "rollback:full");
    REQUIRE(errors->when.params.size() == 1);
    CHECK(errors->when.params[0].second == 0.1);
    // The health check doubles as the source "health".
    REQUIRE(web.watch.source("health"));
    CHECK(web.watch.source("health")->http().url == "http://127.0.0.1:8080/health");
}

TEST_CASE("watch: mistakes point at their place", "[policy][watch]") {
    auto result = load_one(std::string(kHead) + R"(use = ["service_dwn"]

[service.web.source.app_log]
kind = "logg"

[[service.web.trigger]]
name = "slow"
source = "helth"
when = "p95 > 800 and consecutive_failure > 2"

[[service.web.decide]]
when = "down"
then = "decide"

[[service.web.schedule]]
cron = "0 */6 * * 8"
then = "rollback"

[service.web.rules.critical_log]
lines = 2
)");
    CHECK(summary(result) == Strings{"no-health-check web.toml:1:1", "unknown-rule web.toml:5:8",     "bad-value web.toml:8:8",    "unknown-source web.toml:12:10",
                                     "expr-unknown-name web.toml:13:23", "bad-value web.toml:17:8", "bad-value web.toml:20:19",
                                     "unused-rule web.toml:23:20"});
    const auto& items = result.diagnostics.items();
    CHECK_THAT(items[1].message, Contains("did you mean \"service_down\"?"));
    CHECK_THAT(items[2].message, Contains("did you mean \"log\"?"));
    CHECK_THAT(items[4].message, Contains("did you mean \"consecutive_failures\"?"));
    CHECK_THAT(items[5].message, Contains("cannot `decide` again"));
    CHECK_THAT(items[6].message, Contains("day-of-week 8 out of range"));
    CHECK_THAT(items[7].message, Contains("add \"critical_log\" to `use`"));
}
