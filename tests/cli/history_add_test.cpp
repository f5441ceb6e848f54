// `backstop history add` through the built binary: a rollback done by hand becomes a record marked
// as a manual entry, shown by `history` and counted by `history stats`, written by the same
// history writer as every run; bad input and --dry-run write nothing.
#include <filesystem>
#include <set>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using backstop::test::CliResult;
using backstop::test::QuickstartService;
using backstop::test::run_backstop;
using backstop::test::spawn_backstop;

namespace {

std::vector<std::string> add_args(const std::string& outcome) {
    return {"history", "add", "web", "--from", "v2", "--to", "v1", "--reason", "rolled back by hand at 3 a.m.",
            "--outcome", outcome, "--actor", "alice"};
}

nlohmann::json history_json(const QuickstartService& qs) {
    CliResult r = run_backstop(qs.cli({"history", "--json", "--limit", "100"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r.json();
}

}  // namespace

TEST_CASE("history add records a manual entry that history, history --json and history stats show", "[cli][history]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    // A real rollback first: its duration is the MTTR, which a manual entry (no duration) must not change.
    CliResult rolled = run_backstop(qs.cli({"rollback", "web", "--json"}));
    INFO(rolled.out << rolled.err);
    REQUIRE(rolled.exit_code == 0);
    const double real_seconds = rolled.json()["duration_ms"].get<double>() / 1000.0;

    CliResult added = run_backstop(qs.cli(add_args("succeeded")));
    INFO(added.out << added.err);
    REQUIRE(added.exit_code == 0);
    CHECK(added.out.find("manual entry") != std::string::npos);

    nlohmann::json runs = history_json(qs);
    REQUIRE(runs.size() == 2);
    const nlohmann::json& entry = runs[0];  // newest first
    CHECK(entry["manual_entry"] == true);
    CHECK(entry["service"] == "web");
    CHECK(entry["from"] == "v2");
    CHECK(entry["to"] == "v1");
    CHECK(entry["reason"] == "rolled back by hand at 3 a.m.");
    CHECK(entry["outcome"] == "succeeded");
    CHECK(entry["actor"] == "alice");
    CHECK(entry["steps"].empty());
    CHECK(runs[1]["manual_entry"] == false);

    CliResult text = run_backstop(qs.cli({"history"}));
    INFO(text.out);
    CHECK(text.out.find("by hand") != std::string::npos);
    CHECK(text.out.find("manual entry") != std::string::npos);

    CliResult stats = run_backstop(qs.cli({"history", "stats", "--json"}));
    INFO(stats.out << stats.err);
    REQUIRE(stats.exit_code == 0);
    nlohmann::json web = stats.json()["per_service"]["web"];
    CHECK(web["total"] == 2);
    CHECK(web["succeeded"] == 2);
    CHECK(web["manual_entries"] == 1);
    CHECK(web["mttr_seconds"].get<double>() == Approx(real_seconds));
    CliResult stats_text = run_backstop(qs.cli({"history", "stats"}));
    CHECK(stats_text.out.find("BY-HAND") != std::string::npos);
}

TEST_CASE("history add --dry-run prints the record and writes nothing", "[cli][history]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    CliResult dry = run_backstop(qs.cli([] {
        auto a = add_args("failed");
        a.push_back("--dry-run");
        return a;
    }()));
    INFO(dry.out << dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("would record") != std::string::npos);
    CHECK(dry.out.find("v2 -> v1, failed") != std::string::npos);
    CHECK(history_json(qs).empty());
}

TEST_CASE("history add refuses an unknown outcome or service and missing options, writing nothing", "[cli][history]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    for (const char* bad : {"fixed", "running", "incomplete", "dry_run"}) {
        INFO(bad);
        CliResult r = run_backstop(qs.cli(add_args(bad)));
        CHECK(r.exit_code == 64);
        CHECK(r.err.find("--outcome") != std::string::npos);
    }
    auto other = add_args("succeeded");
    other[2] = "api";
    CliResult unknown = run_backstop(qs.cli(other));
    CHECK(unknown.exit_code == 1);
    CHECK(unknown.err.find("unknown service `api`") != std::string::npos);
    CliResult no_reason = run_backstop(qs.cli({"history", "add", "web", "--from", "v2", "--to", "v1", "--outcome", "failed"}));
    CHECK(no_reason.exit_code == 64);
    CHECK(no_reason.err.find("--reason") != std::string::npos);
    CHECK(run_backstop(qs.cli({"history", "--outcome", "failed"})).exit_code == 64);
    CHECK(run_backstop(qs.cli({"history", "stats", "web"})).exit_code == 64);
    CHECK(history_json(qs).empty());
}

TEST_CASE("history add entries written at once by several processes are each kept whole", "[cli][history]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    constexpr int kWriters = 8;
    std::vector<pid_t> pids;
    for (int i = 0; i < kWriters; ++i) {
        auto args = add_args("succeeded");
        args[8] = "writer " + std::to_string(i);  // the --reason value
        pids.push_back(spawn_backstop(qs.cli(args)));
    }
    for (pid_t pid : pids) {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    nlohmann::json runs = history_json(qs);
    REQUIRE(runs.size() == kWriters);
    std::set<std::string> reasons;
    for (const auto& r : runs) {
        CHECK(r["manual_entry"] == true);
        reasons.insert(r["reason"].get<std::string>());
    }
    CHECK(reasons.size() == static_cast<std::size_t>(kWriters));
}
