// `pause`, `resume` and `hotfix` print JSON with --json, as the other verbs do: the service, what
// holds now, times as UTC text beside epoch milliseconds, and what was there before.
#include <filesystem>

#include <catch2/catch.hpp>

#include "core/run_record.h"
#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using backstop::test::CliResult;
using backstop::test::QuickstartService;
using backstop::test::run_backstop;

namespace {

nlohmann::json json_of(const QuickstartService& qs, const std::vector<std::string>& args) {
    CliResult r = run_backstop(qs.cli(args));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r.json();
}

QuickstartService& with_policy(QuickstartService& qs) {
    qs.add_release("v1", true);
    qs.point_current_at("v1");
    qs.write_policy();
    return qs;
}

}  // namespace

TEST_CASE("pause and resume --json", "[cli]") {
    QuickstartService qs;
    with_policy(qs);
    const std::int64_t before = backstop::now_epoch_ms();
    nlohmann::json paused = json_of(qs, {"pause", "web", "--for", "30m", "--reason", "migration", "--actor", "alice", "--json"});
    CHECK(paused["service"] == "web");
    CHECK(paused["paused"] == true);
    CHECK(paused["actor"] == "alice");
    CHECK(paused["reason"] == "migration");
    const std::int64_t since = paused["since_ms"].get<std::int64_t>();
    CHECK(since >= before);
    CHECK(paused["until_ms"].get<std::int64_t>() == since + 30 * 60 * 1000);
    CHECK(paused["since"] == backstop::format_utc(since));
    CHECK(paused["until"] == backstop::format_utc(since + 30 * 60 * 1000));
    CHECK(std::filesystem::exists(qs.state() + "/paused/web.json"));

    nlohmann::json open_ended = json_of(qs, {"pause", "web", "--json"});
    CHECK(open_ended["until"] == "");
    CHECK(open_ended["until_ms"] == 0);

    nlohmann::json resumed = json_of(qs, {"resume", "web", "--json"});
    CHECK(resumed == nlohmann::json{{"service", "web"}, {"paused", false}, {"was_paused", true}});
    CHECK_FALSE(std::filesystem::exists(qs.state() + "/paused/web.json"));
    CHECK(json_of(qs, {"resume", "web", "--json"})["was_paused"] == false);
}

TEST_CASE("hotfix --json, and hotfix --clear --json", "[cli]") {
    QuickstartService qs;
    with_policy(qs);
    nlohmann::json announced = json_of(qs, {"hotfix", "web", "--eta", "10m", "--reason", "fix in CI", "--actor", "bob", "--json"});
    CHECK(announced["service"] == "web");
    CHECK(announced["hotfix"] == true);
    CHECK(announced["actor"] == "bob");
    CHECK(announced["reason"] == "fix in CI");
    const std::int64_t declared = announced["declared_ms"].get<std::int64_t>();
    CHECK(announced["eta_ms"].get<std::int64_t>() == declared + 10 * 60 * 1000);
    CHECK(announced["eta"] == backstop::format_utc(declared + 10 * 60 * 1000));
    CHECK(std::filesystem::exists(qs.state() + "/hotfix/web.json"));

    nlohmann::json cleared = json_of(qs, {"hotfix", "web", "--clear", "--json"});
    CHECK(cleared == nlohmann::json{{"service", "web"}, {"hotfix", false}, {"was_announced", true}});
    CHECK_FALSE(std::filesystem::exists(qs.state() + "/hotfix/web.json"));
    CHECK(json_of(qs, {"hotfix", "web", "--clear", "--json"})["was_announced"] == false);
}

TEST_CASE("a verb that fails with --json says why on stderr and prints no half JSON", "[cli]") {
    QuickstartService qs;
    with_policy(qs);
    CliResult r = run_backstop(qs.cli({"pause", "nosuch", "--json"}));
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err.find("unknown service `nosuch`") != std::string::npos);
}
