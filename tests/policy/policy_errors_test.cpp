// Policies that do not load: each diagnostic code, its FILE:LINE:COL and quoted line, and that one
// call reports every problem of every file.
#include <catch2/catch.hpp>

#include "policy/policy.h"
#include "policy_test_support.h"

using namespace backstop;
using backstop::test::first_with_code;
using backstop::test::load_one;
using backstop::test::summary;
using Catch::Contains;
using Strings = std::vector<std::string>;

namespace {

// A valid service head to which tests append the line under test.
constexpr const char* kHead = R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current = "/srv/web/current"
)";

PolicyLoadResult load_with(const std::string& tail) { return load_one(std::string(kHead) + tail); }

}  // namespace

TEST_CASE("toml-syntax carries the parser's position and description", "[policy][errors]") {
    auto result = load_one("[service.web]\nstrategy = \"releases\"\nreleases = \n");
    REQUIRE_FALSE(result.successful());
    CHECK(summary(result) == Strings{"toml-syntax web.toml:3:12"});
    const Diagnostic& d = result.diagnostics.items()[0];
    CHECK_THAT(d.message, Contains("expected value"));
    CHECK(d.source_line == "releases = ");
    CHECK(result.policies.services.empty());
}

TEST_CASE("unknown-key is an error, with did-you-mean", "[policy][errors]") {
    auto result = load_with(R"(
[service.web.health]
url = "http://localhost/"
atempts = 3
)");
    REQUIRE_FALSE(result.successful());
    CHECK(summary(result) == Strings{"unknown-key web.toml:8:1"});
    const Diagnostic& d = result.diagnostics.items()[0];
    CHECK(d.severity == Severity::error);
    CHECK(d.message == "unknown key `atempts` in [service.web.health]; did you mean `attempts`?");
    CHECK(d.source_line == "atempts = 3");
    CHECK(result.policies.services.empty());
}

TEST_CASE("unknown-key suggestions: prefixes, sub-tables, misplaced keys, nothing close", "[policy][errors]") {
    SECTION("an abbreviation") {
        auto result = load_with("[service.web.rollback]\nmax = 2\n");
        REQUIRE(first_with_code(result, "unknown-key"));
        CHECK_THAT(first_with_code(result, "unknown-key")->message, Contains("did you mean `max_attempts`?"));
    }
    SECTION("a misspelt sub-table is reported at its key in the header") {
        auto result = load_with("[service.web.helth]\nurl = \"http://localhost/\"\n");
        CHECK(summary(result) == Strings{"no-health-check web.toml:1:1", "unknown-key web.toml:5:14"});
        CHECK_THAT(result.diagnostics.items()[1].message, Contains("did you mean `health`?"));
    }
    SECTION("a health key written in the service table") {
        auto result = load_with("url = \"http://localhost/\"\n");
        const Diagnostic* d = first_with_code(result, "unknown-key");
        REQUIRE(d);
        CHECK(d->where.line == 5);
        CHECK(d->message == "unknown key `url` in [service.web]; it belongs in [service.web.health]");
    }
    SECTION("a rollback key written in the health table") {
        auto result = load_with("[service.web.health]\nurl = \"http://localhost/\"\nmax_attempts = 2\n");
        const Diagnostic* d = first_with_code(result, "unknown-key");
        REQUIRE(d);
        CHECK(d->message == "unknown key `max_attempts` in [service.web.health]; it belongs in [service.web.rollback]");
    }
    SECTION("a key that is both misplaced and close to a local one") {
        auto result = load_with("[service.web.rollback]\nattempts = 2\n");
        const Diagnostic* d = first_with_code(result, "unknown-key");
        REQUIRE(d);
        CHECK(d->message == "unknown key `attempts` in [service.web.rollback]; did you mean `max_attempts`? "
                            "(`attempts` belongs in [service.web.health])");
    }
    SECTION("nothing close lists the known keys") {
        auto result = load_with("[service.web.rollback]\nzzz = 1\n");
        const Diagnostic* d = first_with_code(result, "unknown-key");
        REQUIRE(d);
        CHECK_THAT(d->message, Contains("known keys: runbook max_attempts window level hook_timeout"));
    }
    SECTION("a top-level key other than `service`") {
        auto result = load_one("services = 1\nstrategy = \"releases\"\n");
        CHECK(summary(result) == Strings{"unknown-key web.toml:1:1", "unknown-key web.toml:2:1"});
        CHECK(result.diagnostics.items()[0].message == "unknown top-level key `services`; did you mean `service`?");
        CHECK(result.diagnostics.items()[1].message ==
              "unknown top-level key `strategy`; it belongs in a [service.NAME] table");
    }
}

TEST_CASE("wrong-type names the key, the wanted type and the given one", "[policy][errors]") {
    auto result = load_with(R"(restart = "/srv/web/ctl restart"
env = 3
[service.web.health]
url = "http://localhost/"
attempts = "3"
expect_status = 200.0
)");
    CHECK(summary(result) == Strings{"wrong-type web.toml:5:11", "wrong-type web.toml:6:7", "wrong-type web.toml:9:12",
                                     "wrong-type web.toml:10:17"});
    const auto& items = result.diagnostics.items();
    CHECK_THAT(items[0].message, Contains("`restart` must be an array of strings (argv)"));
    CHECK_THAT(items[0].message, Contains("got string"));
    CHECK(items[1].message == "`env` must be a string, got integer");
    CHECK(items[2].message == "`attempts` must be an integer, got string");
    CHECK(items[2].source_line == "attempts = \"3\"");
    CHECK(items[3].message == "`expect_status` must be an integer, got float");
    CHECK(result.policies.services.empty());
}

TEST_CASE("wrong-type for tables and array elements", "[policy][errors]") {
    SECTION("an element of restart") {
        auto result = load_with("restart = [\"/srv/web/ctl\", 2]\n");
        CHECK(summary(result) == Strings{"no-health-check web.toml:1:1", "wrong-type web.toml:5:28"});
        CHECK(result.diagnostics.items()[1].message == "`restart[1]` must be a string, got integer");
    }
    SECTION("health written as a string") {
        auto result = load_with("health = \"http://localhost/\"\n");
        CHECK(summary(result) == Strings{"wrong-type web.toml:5:10"});
        CHECK(result.diagnostics.items()[0].message == "`health` must be a table ([service.web.health]), got string");
    }
    SECTION("a service that is not a table") {
        auto result = load_one("[service]\nweb = \"releases\"\n");
        CHECK(summary(result) == Strings{"wrong-type web.toml:2:7"});
        CHECK(result.diagnostics.items()[0].message == "service `web` must be a table ([service.web]), got string");
    }
    SECTION("`service` as an array of tables") {
        auto result = load_one("[[service]]\nname = \"web\"\n");
        CHECK(summary(result) == Strings{"wrong-type web.toml:1:1"});
    }
}

TEST_CASE("bad-duration quotes parse_duration's reason", "[policy][errors]") {
    auto result = load_with(R"(restart_timeout = "10"
[service.web.health]
url = "http://localhost/"
timeout = "5x"
interval = 100
)");
    CHECK(summary(result) == Strings{"bad-duration web.toml:5:19", "bad-duration web.toml:8:11",
                                     "wrong-type web.toml:9:12"});
    const auto& items = result.diagnostics.items();
    CHECK(items[0].message == "`restart_timeout` is not a duration: missing unit after 10 (use ms, s, m, h or d)");
    CHECK(items[1].message == "`timeout` is not a duration: unknown unit \"x\" (use ms, s, m, h or d)");
    CHECK_THAT(items[2].message, Contains("`interval` must be a duration string"));
}

TEST_CASE("missing-key points at the table that lacks it", "[policy][errors]") {
    auto result = load_one(R"(# web
[service.web]
releases = "/srv/web/releases"

[service.api]
strategy = "releases"

[service.api.health]
timeout = "1s"
)");
    CHECK(summary(result) == Strings{"missing-key web.toml:2:1", "no-health-check web.toml:2:1", "missing-key web.toml:5:1",
                                     "missing-key web.toml:5:1", "missing-key web.toml:8:1"});
    const auto& items = result.diagnostics.items();
    CHECK(items[0].message == "[service.web] is missing the required key `strategy`");
    CHECK(items[0].source_line == "[service.web]");
    CHECK(items[2].message == "[service.api] is missing the required key `releases`");
    CHECK(items[3].message == "[service.api] is missing the required key `current`");
    CHECK(items[4].message == "[service.api.health] is missing the required key `url`");
    CHECK(result.policies.services.empty());
}

TEST_CASE("bad-value: ranges, urls, empty restart, names, strategies", "[policy][errors]") {
    SECTION("integers out of range") {
        auto result = load_with(R"([service.web.health]
url = "http://localhost/"
attempts = 0
expect_status = 42
[service.web.rollback]
max_attempts = -1
)");
        CHECK(summary(result) == Strings{"bad-value web.toml:7:12", "bad-value web.toml:8:17", "bad-value web.toml:10:16"});
        CHECK(result.diagnostics.items()[0].message == "`attempts` must be at least 1, got 0");
        CHECK(result.diagnostics.items()[1].message == "`expect_status` must be between 100 and 599, got 42");
    }
    SECTION("an integer too large for the model") {
        auto result = load_with("[service.web.rollback]\nmax_attempts = 9999999999\n");
        CHECK(summary(result) == Strings{"no-health-check web.toml:1:1", "bad-value web.toml:6:16"});
    }
    SECTION("a url without http(s) scheme or host") {
        auto result = load_with("[service.web.health]\nurl = \"ftp://localhost/\"\n");
        CHECK(summary(result) == Strings{"bad-value web.toml:6:7"});
        CHECK_THAT(result.diagnostics.items()[0].message, Contains("http:// or https://"));
        CHECK(load_with("[service.web.health]\nurl = \"http:///health\"\n").diagnostics.has_errors());
        CHECK(load_with("[service.web.health]\nurl = \"localhost:8080\"\n").diagnostics.has_errors());
    }
    SECTION("an empty restart or program") {
        auto result = load_with("restart = []\n");
        CHECK(summary(result) == Strings{"no-health-check web.toml:1:1", "bad-value web.toml:5:11"});
        CHECK(load_with("restart = [\"\", \"x\"]\n").diagnostics.has_errors());
    }
    SECTION("empty paths and zero durations") {
        auto result = load_one(R"([service.web]
strategy = "releases"
releases = ""
current = "/srv/web/current"
restart_timeout = "0s"
[service.web.rollback]
runbook = ""
level = ""
)");
        CHECK(summary(result) == Strings{"no-health-check web.toml:1:1", "bad-value web.toml:3:12", "bad-value web.toml:5:19",
                                         "bad-value web.toml:7:11", "bad-value web.toml:8:9"});
        CHECK(result.diagnostics.items()[1].message == "`releases` must not be empty");
        CHECK(result.diagnostics.items()[2].message == "`restart_timeout` must be at least 1ms, got \"0s\"");
    }
    SECTION("current is the releases folder") {
        auto result = load_one("[service.web]\nstrategy = \"releases\"\nreleases = \"/srv/web\"\ncurrent = \"/srv/web/\"\n");
        CHECK(summary(result) == Strings{"no-health-check web.toml:1:1", "bad-value web.toml:4:11"});
    }
    SECTION("a service name outside [A-Za-z0-9_.-]") {
        auto result = load_one(R"([service."web app"]
strategy = "releases"
releases = "/srv/web/releases"
current = "/srv/web/current"
)");
        CHECK(summary(result) == Strings{"no-health-check web.toml:1:1", "bad-value web.toml:1:10"});
        CHECK(result.diagnostics.items()[1].message ==
              "service name \"web app\" may only use letters, digits, '_', '-' and '.'");
        CHECK(result.policies.services.empty());
    }
    SECTION("an unknown strategy lists the accepted ones") {
        auto result = load_one(R"([service.web]
strategy = "release"
)");
        CHECK(summary(result) == Strings{"no-health-check web.toml:1:1", "bad-value web.toml:2:12"});
        CHECK(result.diagnostics.items()[1].message ==
              "unknown strategy \"release\"; accepted: \"releases\" \"git\" \"docker\"; did you mean \"releases\"?");
        auto other = load_one("[service.web]\nstrategy = \"blue-green\"\n");
        REQUIRE(first_with_code(other, "bad-value"));
        CHECK(first_with_code(other, "bad-value")->message == "unknown strategy \"blue-green\"; accepted: \"releases\" \"git\" \"docker\"");
    }
}

TEST_CASE("every problem of a document is reported in one call, in line order", "[policy][errors]") {
    auto result = load_one(R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
curent = "/srv/web/current"
restart = []

[service.web.health]
url = "localhost"
timeout = "1 s"
attempts = "many"

[service.web.rollback]
window = "1hour"
max_attempts = 0

[service.api]
strategy = "releases"
releases = "/srv/api/releases"
current = "/srv/api/current"
[service.api.health]
url = "http://localhost:81/"
)");
    CHECK(summary(result) == Strings{
                                 "missing-key web.toml:1:1",   // `current`, since `curent` is not it
                                 "unknown-key web.toml:4:1",   //
                                 "bad-value web.toml:5:11",    // restart = []
                                 "bad-value web.toml:8:7",     // url
                                 "bad-duration web.toml:9:11", //
                                 "wrong-type web.toml:10:12",  // attempts
                                 "bad-duration web.toml:13:10",
                                 "bad-value web.toml:14:16",   // max_attempts
                             });
    CHECK_THAT(result.diagnostics.items()[1].message, Contains("did you mean `current`?"));
    CHECK(result.diagnostics.error_count() == 8);
    // The broken service is left out; its valid neighbour is kept.
    CHECK(result.policies.find("web") == nullptr);
    CHECK(result.policies.find("api") != nullptr);
}

TEST_CASE("duplicate-service: the second definition names the first's file:line", "[policy][errors]") {
    std::vector<PolicySource> sources = {
        {"a.toml", "# first\n[service.web]\nstrategy = \"releases\"\nreleases = \"/a/r\"\ncurrent = \"/a/c\"\n"
                   "[service.web.health]\nurl = \"http://localhost/\"\n", "/etc"},
        {"b.toml", "[service.api]\nstrategy = \"releases\"\nreleases = \"/b/r\"\ncurrent = \"/b/c\"\n"
                   "[service.api.health]\nurl = \"http://localhost/\"\n\n"
                   "[service.web]\nstrategy = \"releases\"\nreleases = \"/b/r\"\ncurrent = \"/b/c\"\n"
                   "[service.web.health]\nurl = \"http://localhost/\"\n", "/etc"},
    };
    auto result = load_policies(sources);
    CHECK(summary(result) == Strings{"duplicate-service b.toml:8:1"});
    const Diagnostic& d = result.diagnostics.items()[0];
    CHECK(d.message == "service `web` is already defined at a.toml:2; each service belongs to one policy file");
    CHECK(d.source_line == "[service.web]");
    // The first definition stands; the rest of the second file still loads.
    REQUIRE(result.policies.find("web"));
    CHECK(result.policies.find("web")->policy_file == "/etc/a.toml");
    CHECK(result.policies.find("api"));
}

TEST_CASE("a syntax error in one file does not stop checking the others", "[policy][errors]") {
    std::vector<PolicySource> sources = {
        {"broken.toml", "[service.db\nstrategy = \"releases\"\n", "/etc"},
        {"web.toml", std::string(kHead) + "[service.web.health]\nurl = \"http://localhost/\"\n", "/etc"},
        {"typo.toml", "[service.api]\nstrategy = \"releases\"\nreleases = \"/r\"\ncurrent = \"/c\"\ntimeout = \"1s\"\n",
         "/etc"},
    };
    auto result = load_policies(sources);
    CHECK(summary(result) == Strings{"toml-syntax broken.toml:1:12", "no-health-check typo.toml:1:1", "unknown-key typo.toml:5:1"});
    CHECK(result.diagnostics.items()[0].source_line == "[service.db");
    CHECK(result.policies.find("web"));
    CHECK_FALSE(result.policies.find("api"));
    CHECK_FALSE(result.policies.find("db"));
    CHECK_FALSE(result.successful());
}

TEST_CASE("diagnostics render with file:line:col, the line and a caret", "[policy][errors]") {
    auto result = load_with("[service.web.health]\nurl = \"http://localhost/\"\nattempts = \"3\"\n");
    CHECK(result.diagnostics.to_text() ==
          "web.toml:7:12: error: `attempts` must be an integer, got string [wrong-type]\n"
          "    attempts = \"3\"\n"
          "               ^\n");
}

TEST_CASE("docker_volumes in points needs strategy docker", "[policy][errors]") {
    auto result = load_with(R"(
[service.web.health]
url = "http://127.0.0.1:8080/health"

[service.web.points]
docker_volumes = ["pgdata"]
)");
    CHECK(summary(result) == Strings{"bad-value web.toml:10:18"});
    CHECK_THAT(result.diagnostics.items()[0].message, Contains("needs strategy \"docker\""));
}
