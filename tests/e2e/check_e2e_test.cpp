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
