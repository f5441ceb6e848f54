// Issue 10, D20-D24: what a run claims, how it is counted, what a person confirming sees, and what
// the README promises about notifications, checked on the built binary.
#include <fstream>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include "policy/policy.h"
#include "support/backstop_cli.h"
#include "support/quickstart_service.h"
#include "serve/serve_process.h"

using namespace backstop;
using namespace backstop::test;

namespace {

nlohmann::json history(const QuickstartService& qs) {
    CliResult r = run_backstop(qs.cli({"history", "--json"}));
    REQUIRE(r.exit_code == 0);
    return r.json();
}

nlohmann::json stats(const QuickstartService& qs) {
    CliResult r = run_backstop(qs.cli({"history", "stats", "--json"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r.json();
}

// The totals of `history stats --json`, wherever the command puts them.
const nlohmann::json& totals(const nlohmann::json& s) { return s.contains("all") ? s["all"] : s; }

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

TEST_CASE("a dry run whose verify fails claims no change, exits 0 and is not counted", "[faults][outcomes]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua", "return {\n  verify = function(ctx)\n    return false, 'health says 500'\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--dry-run"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("switched") == std::string::npos);
    CHECK(r.out.find("and restarted") == std::string::npos);
    CHECK(r.out.find("would roll web back from v2 to v1") != std::string::npos);
    CHECK(r.out.find("health says 500") != std::string::npos);
    CHECK(qs.current_release() == "v2");
    CHECK(history(qs)[0]["outcome"] == "dry_run");
    nlohmann::json s = totals(stats(qs));
    CHECK(s["verify_failed"] == 0);
    CHECK(s["total"] == 0);
}

TEST_CASE("a failed dry run is a dry run in stats, not a failed rollback", "[faults][outcomes]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua", "return {\n  pre = function(ctx)\n    error('migration running')\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\n");

    CHECK(run_backstop(qs.cli({"rollback", "web", "--dry-run"})).exit_code == 1);
    nlohmann::json s = totals(stats(qs));
    INFO(s.dump());
    CHECK(s["failed"] == 0);
    CHECK(s["total"] == 0);
    CHECK(s["dry_runs"] == 1);
}

TEST_CASE("a pre hook that finds nothing to do ends the run as nothing_to_do, not a failure", "[faults][outcomes]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua",
                     "return {\n  pre = function(ctx)\n    return nothing_to_do('artifact intact (sha256 abc)')\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\nmax_attempts = 2\nwindow = \"1h\"\n");

    for (int i = 0; i < 3; ++i) {  // more than max_attempts: nothing_to_do never counts as an attempt
        CliResult r = run_backstop(qs.cli({"rollback", "web"}));
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("NOTHING TO DO") != std::string::npos);
        CHECK(r.out.find("artifact intact") != std::string::npos);
    }
    CHECK(qs.current_release() == "v2");
    nlohmann::json h = history(qs);
    REQUIRE(h.size() == 3);
    CHECK(h[0]["outcome"] == "nothing_to_do");
    nlohmann::json s = totals(stats(qs));
    CHECK(s["total"] == 0);
    CHECK(s["failed"] == 0);
}

TEST_CASE("the confirmation for --to rb-… shows the point's id, description and creation time", "[faults][outcomes]") {
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.add_release("v2", false);
    qs.write_policy();
    qs.point_current_at("v1");
    CliResult made = run_backstop(qs.cli({"points", "create", "web", "--description", "before the v2 schema", "--json"}));
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    std::string id = made.json()["id"].get<std::string>();
    qs.point_current_at("v2");  // the bad deploy
    qs.start();

    std::string command = shell_quote(BACKSTOP_BINARY);
    for (const auto& a : qs.cli({"rollback", "web", "--to", id})) command += " " + shell_quote(a);
    // A terminal on stdin (script(1) gives the command a pty), answered "n".
    std::string out;
    {
        std::string full = "printf 'n\\n' | script -qec " + shell_quote(command) + " /dev/null";
        FILE* p = popen(full.c_str(), "r");
        REQUIRE(p != nullptr);
        char buf[4096];
        std::size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        pclose(p);
    }
    INFO(out);
    CHECK(out.find(id) != std::string::npos);
    CHECK(out.find("before the v2 schema") != std::string::npos);
    CHECK(out.find("created ") != std::string::npos);
    CHECK(out.find("Not confirmed; nothing changed.") != std::string::npos);
    CHECK(qs.current_release() == "v2");
}

TEST_CASE("the README's default notification events are the ones a channel gets", "[faults][outcomes]") {
    std::ifstream readme(std::string(BACKSTOP_SOURCE_DIR) + "/README.md");
    std::string line, row;
    while (std::getline(readme, line))
        if (line.rfind("| `events` |", 0) == 0) row = line;
    REQUIRE(!row.empty());
    // | `events` | TYPE | DEFAULT | MEANING |: the backticked words of the default cell.
    std::vector<std::string> cells;
    std::stringstream split(row);
    std::string cell;
    while (std::getline(split, cell, '|')) cells.push_back(cell);
    REQUIRE(cells.size() >= 4);
    std::vector<std::string> documented;
    std::regex word("`([a-z_]+)`");
    for (std::sregex_iterator it(cells[3].begin(), cells[3].end(), word), end; it != end; ++it) documented.push_back((*it)[1]);

    auto loaded = load_policies({PolicySource{"n.toml", "[[notify]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\n", "/tmp"}});
    REQUIRE(loaded.successful());
    CHECK(documented == loaded.policies.channels.at(0).events);
}

TEST_CASE("/metrics of a daemon without triggers has build info, process metrics and every family", "[faults][outcomes]") {
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.write_policy();  // a service and no trigger
    qs.point_current_at("v1");
    int port = free_port();
    ServeProcess serve(serve_args(qs, port, {"--no-auth"}), port);
    REQUIRE(serve.ready());
    HttpResponse r = serve.get("/metrics");
    INFO(r.body);
    REQUIRE(r.status == 200);
    // The same version and commit `backstop --version` names.
    std::smatch version;
    const std::string version_line = run_backstop({"--version"}).out;
    REQUIRE(std::regex_search(version_line, version, std::regex("backstop (\\S+) \\((\\S+)\\)")));
    CHECK(r.body.find("backstop_build_info{commit=\"" + std::string(version[2]) + "\",version=\"" +
                      std::string(version[1]) + "\"} 1\n") != std::string::npos);
    CHECK(r.body.find("# TYPE backstop_rollbacks_total counter") != std::string::npos);
    CHECK(r.body.find("# TYPE backstop_events_total counter") != std::string::npos);
    CHECK(r.body.find("# HELP backstop_reloads_total ") != std::string::npos);
    CHECK(metric_value(r.body, "process_resident_memory_bytes") > 0);
    CHECK(metric_value(r.body, "process_open_fds") > 0);
    CHECK(metric_value(r.body, "process_max_fds") > 0);
    CHECK(metric_value(r.body, "process_start_time_seconds") > 1.6e9);
    CHECK(r.body.find("# TYPE process_cpu_seconds_total counter") != std::string::npos);
}
