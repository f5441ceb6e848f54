// `backstop check` on real files: every problem in one run, FILE:LINE:COL, exit codes, --json.
#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/temp_dir.h"

using namespace backstop::test;

TEST_CASE("check reports every problem across policies and runbooks", "[e2e]") {
    TempDir dir;
    dir.write("policies/web.toml",
              "[service.web]\n"
              "strategy = \"releases\"\n"
              "releases = \"/srv/web/releases\"\n"
              "current  = \"/srv/web/current\"\n"
              "\n[service.web.health]\n"
              "url = \"http://127.0.0.1:1/health\"\n"
              "atempts = 3\n"
              "\n[service.web.rollback]\n"
              "runbook = \"runbooks/missing.lua\"\n"
              "window = \"soon\"\n");
    dir.write("policies/api.toml",
              "[service.api]\n"
              "strategy = \"releases\"\n"
              "releases = \"r\"\n"
              "current = \"c\"\n"
              "[service.api.rollback]\n"
              "runbook = \"api.lua\"\n");
    dir.write("policies/api.lua", "return {\n  pre = function(ctx)\n    if then end\n  end\n}\n");

    CliResult r = run_backstop({"--policies", dir.file("policies"), "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("web.toml:8:1: error:") != std::string::npos);
    CHECK(r.out.find("did you mean `attempts`") != std::string::npos);
    CHECK(r.out.find("web.toml:11:11: error: runbook file not found") != std::string::npos);
    CHECK(r.out.find("web.toml:12:10: error:") != std::string::npos);
    CHECK(r.out.find("api.lua:3:") != std::string::npos);
    CHECK(r.out.find("    atempts = 3") != std::string::npos);

    CliResult j = run_backstop({"--policies", dir.file("policies"), "check", "--json"});
    CHECK(j.exit_code == 1);
    auto json = j.json();
    CHECK(json["ok"] == false);
    CHECK(json["errors"].get<int>() >= 4);
}

TEST_CASE("check passes the quickstart example", "[e2e]") {
    CliResult r = run_backstop({"--policies", std::string(BACKSTOP_SOURCE_DIR) + "/examples/quickstart/backstop.toml", "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("1 service(s), 0 error(s)") != std::string::npos);
}

TEST_CASE("check passes every example", "[e2e]") {
    CliResult r = run_backstop({"--policies", std::string(BACKSTOP_SOURCE_DIR) + "/examples", "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(" 0 error(s)") != std::string::npos);
}

TEST_CASE("check reports levels the service's runbook does not have", "[e2e]") {
    TempDir dir;
    dir.write("policies/web.toml",
              "[service.web]\n"
              "strategy = \"releases\"\n"
              "releases = \"r\"\n"
              "current = \"c\"\n"
              "\n[service.web.rollback]\n"
              "levels = [\"fast\", \"fulll\", \"manual\"]\n"
              "\n[service.web.source.deploys]\n"
              "kind = \"event\"\n"
              "\n[[service.web.trigger]]\n"
              "name = \"deploy_failed\"\n"
              "source = \"deploys\"\n"
              "when = \"failed\"\n"
              "then = \"rollback:ful\"\n"
              "\n[[service.web.decide]]\n"
              "when = \"down\"\n"
              "then = \"rollback:full\"\n"
              "\n[[service.web.schedule]]\n"
              "cron = \"0 3 * * *\"\n"
              "then = \"rollback:nightly\"\n");
    dir.write("policies/api.toml",
              "[service.api]\n"
              "strategy = \"releases\"\n"
              "releases = \"r\"\n"
              "current = \"c\"\n"
              "[service.api.rollback]\n"
              "runbook = \"runbooks/api.lua\"\n"
              "levels = [\"fast\", \"full\", \"manual\"]\n"
              "[[service.api.decide]]\n"
              "when = \"down\"\n"
              "then = \"rollback:ful\"\n");
    dir.write("policies/runbooks/api.lua", "return { levels = { full = function(ctx) end } }\n");

    CliResult r = run_backstop({"--policies", dir.file("policies"), "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const std::string api = dir.file("policies") + "/api.toml";
    const std::string web = dir.file("policies") + "/web.toml";
    CHECK(r.out.find(api + ":10:8: error: unknown level `ful`; runbooks/api.lua has: fast, full, manual; "
                           "did you mean `full`? [unknown-level]\n"
                           "    then = \"rollback:ful\"\n"
                           "           ^\n") != std::string::npos);
    const std::string hint = "; the default runbook has: fast, manual (a runbook's `levels` table defines more) [unknown-level]\n";
    CHECK(r.out.find(web + ":7:19: error: unknown level `fulll`" + hint + "    levels = [\"fast\", \"fulll\", \"manual\"]\n"
                           "                      ^\n") != std::string::npos);
    CHECK(r.out.find(web + ":16:8: error: unknown level `ful`" + hint + "    then = \"rollback:ful\"\n") != std::string::npos);
    CHECK(r.out.find(web + ":20:8: error: unknown level `full`" + hint + "    then = \"rollback:full\"\n") != std::string::npos);
    CHECK(r.out.find(web + ":24:8: error: unknown level `nightly`" + hint + "    then = \"rollback:nightly\"\n") != std::string::npos);
    CHECK(r.out.find("2 service(s), 5 error(s)") != std::string::npos);
}

TEST_CASE("check accepts the levels of the runbook and of the default runbook and manual", "[e2e]") {
    TempDir dir;
    dir.write("policies/api.toml",
              "[service.api]\n"
              "strategy = \"releases\"\n"
              "releases = \"r\"\n"
              "current = \"c\"\n"
              "[service.api.rollback]\n"
              "runbook = \"runbooks/api.lua\"\n"
              "levels = [\"fast\", \"full\", \"manual\"]\n"
              "level = \"full\"\n"
              "[service.api.source.deploys]\n"
              "kind = \"event\"\n"
              "[[service.api.trigger]]\n"
              "name = \"deploy_failed\"\n"
              "source = \"deploys\"\n"
              "when = \"failed\"\n"
              "then = \"rollback:full\"\n"
              "[[service.api.decide]]\n"
              "when = \"down\"\n"
              "then = \"rollback:manual\"\n"
              "[[service.api.schedule]]\n"
              "cron = \"0 3 * * *\"\n"
              "then = \"rollback:fast\"\n");
    dir.write("policies/runbooks/api.lua", "return { levels = { full = function(ctx) end } }\n");

    CliResult r = run_backstop({"--policies", dir.file("policies"), "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("1 service(s), 0 error(s)") != std::string::npos);
}

TEST_CASE("check judges each runbook's levels as a run would, whatever another runbook changed", "[e2e]") {
    TempDir dir;
    // a.lua adds a level to the shared default runbook from its top level; in a run of b that
    // never happened, so b's `sneaky` is unknown.
    dir.write("policies/a.toml",
              "[service.a]\nstrategy = \"releases\"\nreleases = \"r\"\ncurrent = \"c\"\n"
              "[service.a.rollback]\nrunbook = \"a.lua\"\nlevels = [\"fast\", \"sneaky\"]\n");
    dir.write("policies/a.lua",
              "local std = require(\"backstop.default\")\n"
              "std.levels.sneaky = function(ctx) end\n"
              "return {}\n");
    dir.write("policies/b.toml",
              "[service.b]\nstrategy = \"releases\"\nreleases = \"r\"\ncurrent = \"c\"\n"
              "[service.b.rollback]\nrunbook = \"b.lua\"\nlevels = [\"fast\", \"sneaky\"]\n");
    dir.write("policies/b.lua", "return { levels = { full = function(ctx) end } }\n");

    CliResult r = run_backstop({"--policies", dir.file("policies"), "check"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find(dir.file("policies") + "/b.toml:7:19: error: unknown level `sneaky`; b.lua has: fast, full, manual") !=
          std::string::npos);
    CHECK(r.out.find("a.toml:7") == std::string::npos);
    CHECK(r.out.find("2 service(s), 1 error(s)") != std::string::npos);
}
