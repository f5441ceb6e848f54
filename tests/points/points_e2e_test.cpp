// Rollback points through the built binary: a point keeps the version, config files (with their
// SHA-256) and data folders; `rollback --to rb-…` brings all of it back.
#include <filesystem>

#include <catch2/catch.hpp>

#include "core/sha256.h"
#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

namespace {

void service_with_state(QuickstartService& qs, const std::string& keep = "") {
    qs.add_release("v1", true);
    qs.add_release("v2", false);
    qs.point_current_at("v1");
    qs.dir().write("app.conf", "pool_size = 10\n");
    qs.dir().write("data/users.db", "alice\nbob\n");
    qs.write_policy("[service.web.rollback]\nmax_attempts = 10\n\n[service.web.points]\nconfig = [\"app.conf\"]\n"
                    "volumes = [\"data\"]\n" + keep);
    qs.start();
}

}  // namespace

TEST_CASE("a point restores version, config files and volumes, and a dry run names each change", "[points]") {
    QuickstartService qs;
    service_with_state(qs);

    CliResult made = run_backstop(qs.cli({"points", "create", "web", "--description", "before migration", "--include-volumes", "--json"}));
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    auto point = made.json();
    std::string id = point["id"];
    CHECK(id.rfind("rb-", 0) == 0);
    CHECK(id.size() == 15);
    CHECK(point["version"] == "v1");
    CHECK(point["configs"][0]["sha256"] == sha256_hex("pool_size = 10\n"));
    CHECK(point["volumes"].size() == 1);
    CHECK_FALSE(point["host"].get<std::string>().empty());

    // A bad deploy that also changed the config and the data.
    qs.point_current_at("v2");
    qs.start();
    qs.dir().write("app.conf", "pool_size = 0\n");
    qs.dir().write("data/users.db", "corrupted\n");
    qs.dir().write("data/migration.tmp", "half done\n");

    CliResult dry = run_backstop(qs.cli({"rollback", "web", "--to", id, "--dry-run"}));
    INFO(dry.out << dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("[plan] config   " + qs.dir().file("app.conf")) != std::string::npos);
    CHECK(dry.out.find("[plan] volume   " + qs.dir().file("data")) != std::string::npos);
    CHECK(dry.out.find("point " + id + ": before migration") != std::string::npos);
    CHECK(qs.dir().read("app.conf") == "pool_size = 0\n");
    CHECK(qs.current_release() == "v2");

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--to", id}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(qs.current_release() == "v1");
    CHECK(qs.dir().read("app.conf") == "pool_size = 10\n");
    CHECK(qs.dir().read("data/users.db") == "alice\nbob\n");
    CHECK_FALSE(qs.dir().exists("data/migration.tmp"));
    CHECK(qs.health() == "200 ok v1\n");
    CHECK(r.out.find("sha256 verified") != std::string::npos);
}

TEST_CASE("points list shows releases beside points, keep prunes the oldest, delete removes", "[points]") {
    QuickstartService qs;
    service_with_state(qs, "keep = 2\n");
    std::vector<std::string> ids;
    for (int i = 1; i <= 3; ++i) {
        CliResult made = run_backstop(qs.cli({"points", "create", "web", "--description", "point " + std::to_string(i), "--json"}));
        REQUIRE(made.exit_code == 0);
        ids.push_back(made.json()["id"]);
    }
    auto listed = run_backstop(qs.cli({"points", "list", "web", "--json"})).json();
    REQUIRE(listed["rollback_points"].size() == 2);
    CHECK(listed["rollback_points"][0]["id"] == ids[2]);  // newest first
    CHECK(listed["rollback_points"][1]["id"] == ids[1]);
    CHECK(listed["points"][0]["name"] == "v2");            // releases beside them
    CHECK(listed["current"] == "v1");

    CliResult text = run_backstop(qs.cli({"points", "list", "web"}));
    CHECK(text.out.find(ids[2]) != std::string::npos);
    CHECK(text.out.find("point 3") != std::string::npos);

    CHECK(run_backstop(qs.cli({"points", "delete", ids[2]})).exit_code == 0);
    CliResult gone = run_backstop(qs.cli({"rollback", "web", "--to", ids[2]}));
    CHECK(gone.exit_code == 1);
    CHECK(gone.out.find("no rollback point " + ids[2]) != std::string::npos);
    CHECK(run_backstop(qs.cli({"points", "delete", ids[0]})).exit_code == 1);  // pruned earlier
}
