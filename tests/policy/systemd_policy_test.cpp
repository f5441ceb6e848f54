// `unit`, `scope` and `unit_timeout`: a service run as a systemd unit.
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

constexpr const char* kHead = R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current = "/srv/web/current"
)";

// The line under test is line 5 (and on); a health table follows so no warning is expected.
PolicyLoadResult load_with(const std::string& tail) {
    return load_one(std::string(kHead) + tail + "\n[service.web.health]\nurl = \"http://127.0.0.1:8080/health\"\n");
}

}  // namespace

TEST_CASE("unit and scope are read, scope defaults to system", "[policy][systemd]") {
    auto result = load_with("unit = \"web.service\"\nscope = \"user\"\nunit_timeout = \"5s\"\n");
    REQUIRE(result.successful());
    const ServicePolicy& s = result.policies.services.at("web");
    CHECK(s.systemd.unit == "web.service");
    CHECK(s.systemd.scope == "user");
    CHECK(s.systemd.timeout == Duration{5000});
    CHECK(s.restart.empty());

    auto defaults = load_with("unit = \"app@1.service\"\n");
    REQUIRE(defaults.successful());
    CHECK(defaults.policies.services.at("web").systemd.scope == "system");
    CHECK(defaults.policies.services.at("web").systemd.timeout == Duration{60'000});

    auto none = load_with("");
    REQUIRE(none.successful());
    CHECK(none.policies.services.at("web").systemd.unit.empty());
}

TEST_CASE("bad unit names and scopes are reported where they are written", "[policy][systemd]") {
    auto scope = load_with("unit = \"web.service\"\nscope = \"session\"\n");
    CHECK(summary(scope) == Strings{"bad-value web.toml:6:9"});
    CHECK_THAT(first_with_code(scope, "bad-value")->message, Contains("\"system\"") && Contains("\"user\""));

    auto suffix = load_with("unit = \"web\"\n");
    CHECK(summary(suffix) == Strings{"bad-value web.toml:5:8"});
    CHECK_THAT(first_with_code(suffix, "bad-value")->message, Contains("did you mean \"web.service\"?"));

    auto option = load_with("unit = \"--force.service\"\n");
    CHECK(summary(option) == Strings{"bad-value web.toml:5:8"});

    auto spaces = load_with("unit = \"web app.service\"\n");
    CHECK(summary(spaces) == Strings{"bad-value web.toml:5:8"});

    auto orphan = load_with("scope = \"user\"\n");
    CHECK(summary(orphan) == Strings{"bad-value web.toml:5:9"});
    CHECK_THAT(first_with_code(orphan, "bad-value")->message, Contains("`scope` needs `unit`"));
}
