// What an operator sees: the confirmation on a terminal, machine-readable logs and results, and
// history that tells the truth about a run that was killed.
#include <sys/wait.h>

#include <csignal>
#include <filesystem>

#include <catch2/catch.hpp>

#include "core/run_record.h"
#include "prim/process_runner.h"
#include "support/backstop_cli.h"
#include "support/eventually.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

namespace {

// Runs backstop on a real pseudo-terminal (util-linux `script`), typing `answer` at the prompt.
ProcessResult on_terminal(const QuickstartService& qs, const std::string& answer) {
    std::string cmd = std::string(BACKSTOP_BINARY) + " --policies " + qs.policy() + " --state " + qs.state() + " rollback web";
    ProcessRequest req;
    req.argv = {"sh", "-c", "printf '" + answer + "\\n' | script -qec \"" + cmd + "\" /dev/null"};
    req.timeout = Duration{30'000};
    return make_process_runner()->run(req);
}

}  // namespace

TEST_CASE("on a terminal, rollback shows the plan and asks before acting", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();

    ProcessResult declined = on_terminal(qs, "n");
    INFO(declined.out << declined.err);
    CHECK(declined.out.find("Plan for web: v2 -> v1") != std::string::npos);
    CHECK(declined.out.find("switch") != std::string::npos);
    CHECK(declined.out.find("Roll back web from v2 to v1? [y/N]") != std::string::npos);
    CHECK(declined.out.find("nothing changed") != std::string::npos);
    CHECK(qs.current_release() == "v2");

    ProcessResult accepted = on_terminal(qs, "y");
    INFO(accepted.out << accepted.err);
    CHECK(accepted.out.find("SUCCEEDED") != std::string::npos);
    CHECK(qs.current_release() == "v1");

    // the preview before the question is not a run: only the real one is in history
    CliResult h = run_backstop(qs.cli({"history", "--json"}));
    CHECK(h.json().size() == 1);
}

TEST_CASE("JSON results and JSON logs are machine-readable", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbook.lua", "return { pre = function(ctx) log.warn('draining \"' .. ctx.from .. '\"') end }\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbook.lua\"\n");

    CliResult r = run_backstop(qs.cli({"--log-format", "json", "rollback", "web", "--json", "--reason", "json please"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    auto record = r.json();
    CHECK(record["outcome"] == "succeeded");
    CHECK(record["reason"] == "json please");
    CHECK(record["to"] == "v1");

    auto line = nlohmann::json::parse(r.err.substr(0, r.err.find('\n')), nullptr, false);
    REQUIRE_FALSE(line.is_discarded());
    CHECK(line["level"] == "warning");
    CHECK(line["message"] == "runbook: draining \"v2\"");
}

TEST_CASE("a rollback killed mid-run shows as incomplete, and its lock is free again", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    // The runbook marks that the run is in its pre hook (its start record is written by then), then
    // sleeps: the test kills the run at that point, by the PID it started.
    const std::string in_pre = (std::filesystem::path(qs.policy()).parent_path() / "in-pre").string();
    qs.write_runbook("runbook.lua", "return { pre = function(ctx) exec({'touch', '" + in_pre + "'}) sleep(30) end }\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbook.lua\"\nexec_allow = [\"touch\"]\n");

    pid_t run = spawn_backstop(qs.cli({"rollback", "web", "--actor", "victim"}));
    REQUIRE(eventually([&] { return std::filesystem::exists(in_pre); }));
    ::kill(run, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(run, &status, 0) == run);
    CHECK(WIFSIGNALED(status));

    CliResult h = run_backstop(qs.cli({"history", "--json"}));
    auto runs = h.json();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["outcome"] == "incomplete");
    CHECK(runs[0]["actor"] == "victim");
    CHECK(qs.current_release() == "v2");

    qs.write_policy();  // the default runbook again
    CliResult again = run_backstop(qs.cli({"rollback", "web"}));
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
}

TEST_CASE("runbook output that is not UTF-8 still reaches history", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbook.lua", "return { pre = function(ctx) log.info('bytes: \\255\\254') end }\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbook.lua\"\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}));
    CHECK(r.exit_code == 0);
    auto runs = run_backstop(qs.cli({"history", "--json"})).json();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["log"][0]["message"].get<std::string>().rfind("bytes: ", 0) == 0);
}
