// Policies that load: the documented example verbatim, defaults, optional keys, path resolution,
// several files.
#include <catch2/catch.hpp>

#include "policy/policy.h"
#include "policy_test_support.h"

using namespace backstop;
using backstop::test::load_one;
using backstop::test::summary;

namespace {

// The example from the policy documentation; it must load exactly as written.
constexpr const char* kExample = R"([service.web]
strategy = "releases"                 # versions are folders; `current` is a symlink to one
releases = "/srv/web/releases"
current  = "/srv/web/current"
restart  = ["/srv/web/ctl", "restart"] # argv run after a switch

[service.web.health]
url      = "http://127.0.0.1:18080/health"
timeout  = "1s"
interval = "100ms"
attempts = 30                         # verification gives up after this many failed probes

[service.web.rollback]
runbook      = "runbooks/web.lua"     # optional; relative to this file; default runbook from stdlib
max_attempts = 3                      # rollbacks of this service allowed within `window`
window       = "1h"
)";

}  // namespace

TEST_CASE("the documented example loads verbatim", "[policy]") {
    auto result = load_one(kExample, "/etc/backstop/web.toml", "/etc/backstop");
    INFO(result.diagnostics.to_text());
    REQUIRE(result.successful());
    CHECK(result.diagnostics.items().empty());
    REQUIRE(result.policies.services.size() == 1);

    const ServicePolicy* web = result.policies.find("web");
    REQUIRE(web);
    CHECK(web->name == "web");
    CHECK(web->strategy == "releases");
    CHECK(web->releases == "/srv/web/releases");
    CHECK(web->current == "/srv/web/current");
    CHECK(web->restart == std::vector<std::string>{"/srv/web/ctl", "restart"});
    CHECK(web->restart_timeout == Duration{60'000});
    CHECK(web->env.empty());
    CHECK(web->policy_file == "/etc/backstop/web.toml");
    CHECK(web->defined_at.file == "/etc/backstop/web.toml");
    CHECK(web->defined_at.line == 1);
    CHECK(web->defined_at.column == 1);

    REQUIRE(web->health);
    CHECK(web->health->url == "http://127.0.0.1:18080/health");
    CHECK(web->health->timeout == Duration{1000});
    CHECK(web->health->interval == Duration{100});
    CHECK(web->health->attempts == 30);
    CHECK(web->health->expect_status == 0);
    CHECK(web->health->expect_body.empty());
    CHECK(web->health->defined_at.line == 7);

    CHECK(web->rollback.runbook == "/etc/backstop/runbooks/web.lua");
    CHECK(web->rollback.runbook_at.file == "/etc/backstop/web.toml");
    CHECK(web->rollback.runbook_at.line == 14);
    CHECK(web->rollback.runbook_at.column == 16);
    CHECK(web->rollback.max_attempts == 3);
    CHECK(web->rollback.window == Duration{3'600'000});
    CHECK(web->rollback.level == "fast");
    CHECK(web->rollback.hook_timeout == Duration{300'000});

    CHECK(result.policies.find("api") == nullptr);
}

TEST_CASE("defaults for everything optional", "[policy]") {
    auto result = load_one(R"([service.api]
strategy = "releases"
releases = "/srv/api/releases"
current = "/srv/api/current"
)");
    REQUIRE(result.successful());
    const ServicePolicy* api = result.policies.find("api");
    REQUIRE(api);
    CHECK(api->restart.empty());
    CHECK(api->restart_timeout == Duration{60'000});
    CHECK_FALSE(api->health);
    CHECK(api->rollback.runbook.empty());
    CHECK(api->rollback.runbook_at.line == 0);
    CHECK(api->rollback.max_attempts == 3);
    CHECK(api->rollback.window == Duration{3'600'000});
    CHECK(api->rollback.level == "fast");
    CHECK(api->rollback.hook_timeout == Duration{300'000});

    // Without a health check a rollback is only as verified as the restart's exit status.
    REQUIRE(result.diagnostics.items().size() == 1);
    const Diagnostic& w = result.diagnostics.items()[0];
    CHECK(w.severity == Severity::warning);
    CHECK(w.code == "no-health-check");
    CHECK(w.where.line == 1);
    CHECK(w.where.column == 1);
    CHECK(w.source_line == "[service.api]");
}

TEST_CASE("every optional key is read", "[policy]") {
    auto result = load_one(R"([service.api]
strategy = "releases"
releases = "/srv/api/releases"
current = "/srv/api/current"
restart = ["systemctl", "restart", "api"]
restart_timeout = "2m"
env = "prod"

[service.api.health]
url = "https://api.example.com/healthz"
timeout = "250ms"
interval = "0s"
attempts = 1
expect_status = 204
expect_body = "ok"

[service.api.rollback]
runbook = "/opt/runbooks/api.lua"
max_attempts = 1
window = "1h30m"
level = "safe"
hook_timeout = "45s"
)");
    INFO(result.diagnostics.to_text());
    REQUIRE(result.successful());
    CHECK(result.diagnostics.items().empty());
    REQUIRE(result.policies.find("api@prod"));  // a service with an environment is kept under NAME@ENV
    const ServicePolicy& api = *result.policies.find_named("api");
    CHECK(api.restart == std::vector<std::string>{"systemctl", "restart", "api"});
    CHECK(api.restart_timeout == Duration{120'000});
    CHECK(api.env == "prod");
    CHECK(api.health->url == "https://api.example.com/healthz");
    CHECK(api.health->timeout == Duration{250});
    CHECK(api.health->interval == Duration{0});
    CHECK(api.health->attempts == 1);
    CHECK(api.health->expect_status == 204);
    CHECK(api.health->expect_body == "ok");
    CHECK(api.rollback.runbook == "/opt/runbooks/api.lua");
    CHECK(api.rollback.max_attempts == 1);
    CHECK(api.rollback.window == Duration{5'400'000});
    CHECK(api.rollback.level == "safe");
    CHECK(api.rollback.hook_timeout == Duration{45'000});
}

TEST_CASE("relative paths resolve against base_dir and are normalised", "[policy]") {
    auto result = load_one(R"([service.web]
strategy = "releases"
releases = "../apps/web/./releases/"
current = "/srv//web/current/"
[service.web.rollback]
runbook = "runbooks/../runbooks/web.lua"
)",
                           "policies/web.toml", "/etc/backstop/policies");
    INFO(result.diagnostics.to_text());
    REQUIRE(result.successful());
    const ServicePolicy& web = *result.policies.find("web");
    CHECK(web.releases == "/etc/backstop/apps/web/releases");
    CHECK(web.current == "/srv/web/current");
    CHECK(web.rollback.runbook == "/etc/backstop/policies/runbooks/web.lua");
    CHECK(web.releases.is_absolute());
}

TEST_CASE("several services in one file, several files in one call", "[policy]") {
    std::vector<PolicySource> sources = {
        {"a.toml", R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current = "/srv/web/current"
[service.web.health]
url = "http://localhost/health"

[service."web.v2"]
strategy = "releases"
releases = "/srv/web2/releases"
current = "/srv/web2/current"
[service."web.v2".health]
url = "http://localhost:8081/"
)",
         "/etc/a"},
        {"b.toml", R"([service.worker-1]
strategy = "releases"
releases = "releases"
current = "current"
[service.worker-1.health]
url = "http://localhost:9000/"
)",
         "/srv/worker"},
    };
    auto result = load_policies(sources);
    INFO(result.diagnostics.to_text());
    REQUIRE(result.successful());
    CHECK(result.diagnostics.items().empty());
    CHECK(result.policies.services.size() == 3);
    REQUIRE(result.policies.find("web.v2"));
    CHECK(result.policies.find("web.v2")->defined_at.line == 8);
    REQUIRE(result.policies.find("worker-1"));
    CHECK(result.policies.find("worker-1")->releases == "/srv/worker/releases");
    CHECK(result.policies.find("worker-1")->policy_file == "/srv/worker/b.toml");  // absolute: base_dir + file name
}

TEST_CASE("an empty document or no sources at all load as no services", "[policy]") {
    CHECK(load_one("").successful());
    CHECK(load_one("# nothing yet\n").policies.services.empty());
    CHECK(load_policies({}).successful());
}
