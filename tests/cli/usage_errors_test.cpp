// Extra arguments and values out of range are usage errors (64) that name what is wrong and show
// the verb's usage, and nothing runs: no state is written.
#include <filesystem>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using backstop::test::CliResult;
using backstop::test::QuickstartService;
using backstop::test::run_backstop;

namespace {

void check_usage_error(const QuickstartService& qs, const std::vector<std::string>& args, const std::string& names,
                       const std::string& usage) {
    CliResult r = run_backstop(qs.cli(args));
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    INFO("backstop " << shown << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 64);
    CHECK(r.err.find(names) != std::string::npos);
    CHECK(r.err.find("usage: backstop " + usage) != std::string::npos);
}

}  // namespace

TEST_CASE("extra arguments are usage errors", "[cli]") {
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.point_current_at("v1");
    qs.write_policy();
    check_usage_error(qs, {"check", "web"}, "unexpected argument `web`", "check");
    check_usage_error(qs, {"history", "stats", "web"}, "unexpected argument `web`", "history");
    check_usage_error(qs, {"history", "web"}, "`history` takes stats, add or badge, not `web`", "history");
    check_usage_error(qs, {"simulate", "--event", "a.json", "b.json"}, "unexpected argument `b.json`", "simulate");
    check_usage_error(qs, {"serve", "--no-auth", "now"}, "unexpected argument `now`", "serve");
    check_usage_error(qs, {"rules", "list", "all"}, "unexpected argument `all`", "rules");
    check_usage_error(qs, {"rollback", "web", "v1"}, "unexpected argument `v1`", "rollback SERVICE");
    check_usage_error(qs, {"pause", "web", "30m"}, "unexpected argument `30m`", "pause SERVICE");
    check_usage_error(qs, {"points", "remove", "web"}, "`points` takes list, create or delete, not `remove`", "points list");
    check_usage_error(qs, {"rollback"}, "missing argument", "rollback SERVICE");
    check_usage_error(qs, {"rollback", "web", "--bogus"}, "unknown option --bogus", "rollback SERVICE");
    CHECK_FALSE(std::filesystem::exists(qs.state() + "/history.jsonl"));
}

TEST_CASE("values out of range are usage errors that name the option", "[cli]") {
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.point_current_at("v1");
    qs.write_policy();
    check_usage_error(qs, {"history", "--limit", "-1"}, "--limit N: wants a whole number from 1, not `-1`", "history");
    check_usage_error(qs, {"history", "--limit", "abc"}, "--limit N: wants a whole number from 1, not `abc`", "history");
    check_usage_error(qs, {"history", "--limit=0"}, "--limit N: wants a whole number from 1, not `0`", "history");
    check_usage_error(qs, {"history", "--limit", "18446744073709551617"}, "--limit N", "history");
    check_usage_error(qs, {"pause", "web", "--for", "soon"}, "--for DURATION: `soon` is not a duration", "pause SERVICE");
    check_usage_error(qs, {"pause", "web", "--for", "0s"}, "--for DURATION: must be more than zero", "pause SERVICE");
    check_usage_error(qs, {"hotfix", "web", "--eta", "-5m"}, "--eta DURATION: `-5m` is not a duration", "hotfix SERVICE");
    check_usage_error(qs, {"hotfix", "web"}, "hotfix needs --eta DURATION, or --clear", "hotfix SERVICE");
    check_usage_error(qs, {"hotfix", "web", "--eta", "10m", "--clear"}, "--eta and --clear contradict", "hotfix SERVICE");
    check_usage_error(qs, {"serve", "--no-auth", "--shutdown-timeout", "1 minute"}, "--shutdown-timeout D: `1 minute` is not a duration",
                      "serve");
    check_usage_error(qs, {"--log-format", "xml", "history"}, "--log-format FORMAT: must be text or json, not `xml`", "history");
    // Nothing ran: no pause, no hotfix notice, no history.
    CHECK_FALSE(std::filesystem::exists(qs.state() + "/paused"));
    CHECK_FALSE(std::filesystem::exists(qs.state() + "/hotfix"));
    CHECK_FALSE(std::filesystem::exists(qs.state() + "/history.jsonl"));
}
