// Strategy "docker": `container`, `image`, `docker_host`, `docker_timeout`.
#include <catch2/catch.hpp>

#include "policy/policy.h"
#include "policy_test_support.h"

using namespace backstop;
using backstop::test::first_with_code;
using backstop::test::load_one;
using backstop::test::summary;
using Strings = std::vector<std::string>;

namespace {

PolicyLoadResult load_docker(const std::string& keys) {
    return load_one("[service.web]\nstrategy = \"docker\"\n" + keys +
                    "\n[service.web.health]\nurl = \"http://127.0.0.1:8080/health\"\n");
}

}  // namespace

TEST_CASE("docker keys are read, image, host and timeout have defaults", "[policy][docker]") {
    auto result = load_docker("container = \"web\"\nimage = \"registry:5000/app\"\n"
                              "docker_host = \"unix:///tmp/d.sock\"\ndocker_timeout = \"5s\"\n");
    REQUIRE(result.successful());
    const ServicePolicy& s = result.policies.services.at("web");
    CHECK(s.strategy == "docker");
    CHECK(s.docker.container == "web");
    CHECK(s.docker.image == "registry:5000/app");
    CHECK(s.docker.host == "unix:///tmp/d.sock");
    CHECK(s.docker.timeout == Duration{5000});

    auto defaults = load_docker("container = \"web\"\n");
    REQUIRE(defaults.successful());
    const ServicePolicy& d = defaults.policies.services.at("web");
    CHECK(d.docker.image.empty());
    CHECK(d.docker.host.empty());
    CHECK(d.docker.timeout == Duration{60'000});
}

TEST_CASE("strategy docker needs a container name", "[policy][docker]") {
    auto missing = load_docker("");
    CHECK(summary(missing) == Strings{"missing-key web.toml:1:1"});
    auto bad = load_docker("container = \"--rm\"\n");
    REQUIRE(first_with_code(bad, "bad-value"));
    CHECK(first_with_code(bad, "bad-value")->message == "`container` must be a container name, got \"--rm\"");
}
