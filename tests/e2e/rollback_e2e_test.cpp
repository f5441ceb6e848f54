// The built binary against a real web service process in a temp folder: symlinks, HTTP answers,
// exit codes and history records. No mocks on this path.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "core/run_record.h"
#include "prim/lock_files.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

namespace {

nlohmann::json history(const QuickstartService& qs) {
    CliResult r = run_backstop(qs.cli({"history", "--json"}));
    REQUIRE(r.exit_code == 0);
    return r.json();
}

}  // namespace

TEST_CASE("rollback switches to the previous release, restarts, verifies and records", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    REQUIRE(qs.health().rfind("500 broken v2", 0) == 0);

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--reason", "bad deploy", "--actor", "alice"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(qs.current_release() == "v1");
    CHECK(qs.health() == "200 ok v1\n");
    CHECK(r.out.find("SUCCEEDED") != std::string::npos);

    auto h = history(qs);
    REQUIRE(h.size() == 1);
    CHECK(h[0]["service"] == "web");
    CHECK(h[0]["from"] == "v2");
    CHECK(h[0]["to"] == "v1");
    CHECK(h[0]["level"] == "fast");
    CHECK(h[0]["mode"] == "normal");
    CHECK(h[0]["outcome"] == "succeeded");
    CHECK(h[0]["actor"] == "alice");
    CHECK(h[0]["reason"] == "bad deploy");
    CHECK(h[0]["trigger"] == "manual");
    CHECK(h[0]["duration_ms"].get<int>() >= 0);
    std::vector<std::string> names;
    for (const auto& s : h[0]["steps"]) names.push_back(s["name"]);
    CHECK(names == std::vector<std::string>{"lock", "target", "pre", "switch", "restart", "verify", "health", "post", "record"});
}

TEST_CASE("natural ordering picks v9 before v10, and --to picks any release", "[e2e]") {
    QuickstartService qs;
    for (const char* v : {"v8", "v9", "v10"}) qs.add_release(v, true);
    qs.write_policy();
    qs.point_current_at("v10");
    qs.start();

    CHECK(run_backstop(qs.cli({"rollback", "web"})).exit_code == 0);
    CHECK(qs.current_release() == "v9");
    CHECK(run_backstop(qs.cli({"rollback", "web", "--to", "v10"})).exit_code == 0);
    CHECK(qs.current_release() == "v10");
    CHECK(qs.health() == "200 ok v10\n");

    CliResult missing = run_backstop(qs.cli({"rollback", "web", "--to", "v99"}));
    CHECK(missing.exit_code == 1);
    CHECK(missing.out.find("no release named `v99`") != std::string::npos);
    CHECK(qs.current_release() == "v10");
}

TEST_CASE("a dry run prints the plan and changes nothing", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--dry-run"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(qs.current_release() == "v2");
    CHECK(qs.health().rfind("500", 0) == 0);
    CHECK(r.out.find("[plan] switch") != std::string::npos);
    CHECK(r.out.find("current: v2 -> v1") != std::string::npos);
    CHECK(r.out.find("[plan] restart  ./ctl restart") != std::string::npos);
    CHECK(r.out.find("DRY RUN") != std::string::npos);

    auto h = history(qs);
    REQUIRE(h.size() == 1);
    CHECK(h[0]["mode"] == "dry_run");
    CHECK(h[0]["outcome"] == "dry_run");
}

TEST_CASE("nothing older to roll back to exits 1 and is recorded", "[e2e]") {
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.write_policy();
    qs.point_current_at("v1");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}));
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("nothing older than v1") != std::string::npos);
    CHECK(qs.current_release() == "v1");
    CHECK(history(qs)[0]["outcome"] == "failed");
}

TEST_CASE("a target that fails verification exits 2 and is not rolled forward", "[e2e]") {
    QuickstartService qs;
    qs.add_release("v1", false);
    qs.add_release("v2", false);
    qs.write_policy();
    qs.point_current_at("v2");
    qs.start();

    CliResult r = run_backstop(qs.cli({"rollback", "web"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(qs.current_release() == "v1");
    CHECK(qs.health().rfind("500 broken v1", 0) == 0);
    auto h = history(qs);
    CHECK(h[0]["outcome"] == "verify_failed");
    CHECK(h[0]["message"].get<std::string>().find("status 500") != std::string::npos);
}

TEST_CASE("an emergency rollback skips verification and records it with the reason", "[e2e]") {
    QuickstartService qs;
    qs.add_release("v1", false);
    qs.add_release("v2", false);
    qs.write_policy();
    qs.point_current_at("v2");
    qs.start();

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--emergency", "--reason", "site down"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(qs.current_release() == "v1");
    auto h = history(qs);
    CHECK(h[0]["mode"] == "emergency");
    CHECK(h[0]["outcome"] == "succeeded");
    CHECK(h[0]["reason"] == "site down");
    bool skipped = false;
    for (const auto& s : h[0]["steps"])
        if (s["name"] == "verify") skipped = s["status"] == "skipped";
    CHECK(skipped);
}

TEST_CASE("a held lock refuses with exit 3 and names the holder", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    auto locks = make_lock_files(qs.state() + "/locks");
    LockHolder holder;
    auto lock = locks->try_acquire("web", {"run-elsewhere", "bob", "host-b", 4242, now_epoch_ms()}, &holder);
    REQUIRE(lock);

    CliResult r = run_backstop(qs.cli({"rollback", "web"}));
    CHECK(r.exit_code == 3);
    CHECK(r.out.find("bob") != std::string::npos);
    CHECK(r.out.find("since") != std::string::npos);
    CHECK(qs.current_release() == "v2");
    CHECK(history(qs)[0]["outcome"] == "refused");

    lock.reset();
    CHECK(run_backstop(qs.cli({"rollback", "web"})).exit_code == 0);
}

TEST_CASE("max_attempts within window refuses with exit 3", "[e2e]") {
    QuickstartService qs;
    for (const char* v : {"v1", "v2", "v3"}) qs.add_release(v, true);
    qs.write_policy("[service.web.rollback]\nmax_attempts = 1\nwindow = \"1h\"\n");
    qs.point_current_at("v3");
    qs.start();

    CHECK(run_backstop(qs.cli({"rollback", "web"})).exit_code == 0);
    CliResult second = run_backstop(qs.cli({"rollback", "web"}));
    CHECK(second.exit_code == 3);
    CHECK(second.out.find("max_attempts") != std::string::npos);
    CHECK(qs.current_release() == "v2");
    // dry runs are not attempts, and still show what would happen
    CHECK(run_backstop(qs.cli({"rollback", "web", "--dry-run"})).exit_code == 3);
}

TEST_CASE("a failing pre hook aborts before anything changes, with runbook file:line", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua", "return {\n  pre = function(ctx)\n    error('database migration still running')\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("web.lua:3:") != std::string::npos);
    CHECK(r.out.find("database migration still running") != std::string::npos);
    CHECK(qs.current_release() == "v2");
    CHECK(history(qs)[0]["outcome"] == "failed");
}

TEST_CASE("a runaway runbook hook is stopped by its budget", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua", "return {\n  pre = function(ctx)\n    while true do end\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}), {}, 120);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);  // stopped by the CPU budget: the test's timeout would read -1
    CHECK(r.out.find("budget") != std::string::npos);
    CHECK(qs.current_release() == "v2");
}

TEST_CASE("a user runbook overrides verify and keeps the default level", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua",
                     "return {\n"
                     "  verify = function(ctx)\n"
                     "    for i = 1, 50 do\n"
                     "      local r = http.get('http://127.0.0.1:" + std::to_string(qs.port()) + "/health', { timeout = '1s' })\n"
                     "      if r and r.status == 200 then\n"
                     "        log.info('custom verify saw ' .. r.status .. ' after ' .. i .. ' tries')\n"
                     "        return true, 'custom check: ' .. r.body\n"
                     "      end\n"
                     "      sleep(0.1)\n"
                     "    end\n"
                     "    return false, 'custom check: never healthy'\n"
                     "  end,\n"
                     "}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\n");
    CliResult r = run_backstop(qs.cli({"rollback", "web"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(qs.current_release() == "v1");
    auto h = history(qs);
    CHECK(h[0]["outcome"] == "succeeded");
    REQUIRE(h[0]["log"].size() >= 1);
    CHECK(h[0]["log"][0]["message"].get<std::string>().find("custom verify saw") != std::string::npos);
}

TEST_CASE("verify --rollback detects a failing health check and rolls back", "[e2e]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();

    CliResult healthy_check = run_backstop(qs.cli({"verify", "web"}));
    CHECK(healthy_check.exit_code == 1);
    CHECK(healthy_check.out.find("UNHEALTHY") != std::string::npos);

    CliResult r = run_backstop(qs.cli({"verify", "web", "--rollback", "--actor", "ci"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(qs.current_release() == "v1");
    CHECK(qs.health() == "200 ok v1\n");
    auto h = history(qs);
    CHECK(h[0]["trigger"] == "health_check");
    CHECK(h[0]["reason"].get<std::string>().find("verification failed on v2") != std::string::npos);
    CHECK(run_backstop(qs.cli({"verify", "web"})).exit_code == 0);
}

TEST_CASE("points list shows releases newest first with the current one marked", "[e2e]") {
    QuickstartService qs;
    for (const char* v : {"v2", "v10", "v9"}) qs.add_release(v, true);
    qs.write_policy();
    qs.point_current_at("v9");

    CliResult r = run_backstop(qs.cli({"points", "list", "web", "--json"}));
    REQUIRE(r.exit_code == 0);
    auto j = r.json();
    CHECK(j["current"] == "v9");
    REQUIRE(j["points"].size() == 3);
    CHECK(j["points"][0]["name"] == "v10");
    CHECK(j["points"][1]["name"] == "v9");
    CHECK(j["points"][1]["current"] == true);
    CHECK(j["points"][2]["name"] == "v2");
    CliResult text = run_backstop(qs.cli({"points", "list", "web"}));
    CHECK(text.out.find("* v9") != std::string::npos);
}

TEST_CASE("history stats count outcomes and MTTR per service", "[e2e]") {
    QuickstartService qs;
    for (const char* v : {"v1", "v2", "v3"}) qs.add_release(v, true);
    qs.write_policy();
    qs.point_current_at("v3");
    qs.start();
    CHECK(run_backstop(qs.cli({"rollback", "web"})).exit_code == 0);
    CHECK(run_backstop(qs.cli({"rollback", "web", "--dry-run"})).exit_code == 0);
    CHECK(run_backstop(qs.cli({"rollback", "web", "--to", "v9"})).exit_code == 1);

    CliResult r = run_backstop(qs.cli({"history", "stats", "--json"}));
    REQUIRE(r.exit_code == 0);
    auto j = r.json();
    CHECK(j["total"] == 2);
    CHECK(j["succeeded"] == 1);
    CHECK(j["failed"] == 1);
    CHECK(j["dry_runs"] == 1);
    CHECK(j["success_rate"].get<double>() == Approx(0.5));
    CHECK(j["mttr_seconds"].get<double>() > 0);
    CHECK(j["per_service"]["web"]["total"] == 2);

    CliResult limited = run_backstop(qs.cli({"history", "--json", "--limit", "1"}));
    REQUIRE(limited.json().size() == 1);
    CHECK(limited.json()[0]["outcome"] == "failed");  // newest first: the --to v9 attempt
    CHECK(limited.json()[0]["message"].get<std::string>().find("v9") != std::string::npos);
}

TEST_CASE("usage errors exit 64", "[e2e]") {
    CHECK(run_backstop({"rollback"}).exit_code == 64);
    CHECK(run_backstop({"rollback", "web", "--bogus"}).exit_code == 64);
    CHECK(run_backstop({"frobnicate"}).exit_code == 64);
    CHECK(run_backstop({"--log-format", "xml", "history"}).exit_code == 64);
}
