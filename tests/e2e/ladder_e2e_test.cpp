// The level ladder against the real quickstart service: a level whose verification fails hands
// over to the next one, and when every automatic level fails the run ends with a checklist for a
// person (`manual`) instead of silently stopping.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

TEST_CASE("ladder: fast fails verification, full switches and verifies", "[e2e][ladder]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbook.lua",
                     "return { levels = {\n"
                     "  fast = function(ctx) service.restart() end,  -- a restart alone does not cure v2\n"
                     "  full = function(ctx) service.switch(ctx.to); service.restart() end,\n"
                     "} }\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbook.lua\"\nlevels = [\"fast\", \"full\", \"manual\"]\nmax_attempts = 10\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--yes", "--json"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto rec = r.json();
    CHECK(rec["outcome"] == "succeeded");
    CHECK(rec["level"] == "full");
    CHECK(qs.current_release() == "v1");
    bool escalated = false;
    for (const auto& step : rec["steps"])
        if (step["name"] == "escalate") {
            escalated = true;
            CHECK(step["detail"] == "fast -> full");
            CHECK(step["message"].get<std::string>().rfind("fast: verification failed", 0) == 0);
        }
    CHECK(escalated);
}

TEST_CASE("ladder: when every automatic level fails, manual sends a checklist and stops", "[e2e][ladder]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbook.lua",
                     "return { levels = {\n"
                     "  fast = function(ctx) service.restart() end,\n"
                     "  full = function(ctx) error('the database migration cannot be undone automatically') end,\n"
                     "} }\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbook.lua\"\nlevels = [\"fast\", \"full\", \"manual\"]\nmax_attempts = 10\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--yes", "--json"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    auto rec = r.json();
    CHECK(rec["outcome"] == "manual");
    CHECK(rec["level"] == "manual");
    std::string message = rec["message"];
    CHECK(message.find("a person must take over") != std::string::npos);
    CHECK(message.find("[ ] web is now on v2") != std::string::npos);
    CHECK(message.find("[ ] level fast: verification failed") != std::string::npos);
    CHECK(message.find("[ ] level full: ") != std::string::npos);
    CHECK(message.find("cannot be undone automatically") != std::string::npos);
    CHECK(message.find("backstop pause web --for 1h") != std::string::npos);
    CHECK(qs.current_release() == "v2");

    CliResult unknown = run_backstop(qs.cli({"rollback", "web", "--yes", "--level", "full"}));
    CHECK(unknown.exit_code == 1);  // full raises, then manual: still a person's job
}

TEST_CASE("ladder: a level on the ladder the runbook lacks is refused before anything changes", "[e2e][ladder]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_policy("[service.web.rollback]\nlevels = [\"fast\", \"fulll\"]\nmax_attempts = 10\n");
    CliResult r = run_backstop(qs.cli({"rollback", "web", "--yes"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("unknown level `fulll`") != std::string::npos);
    CHECK(qs.current_release() == "v2");
}
