// The built binary and a service run as a real systemd user unit: rollbacks restart through the
// unit, verification watches the unit's state, dry runs only plan, and the Lua systemd module drives
// the real manager. The unit runs the quickstart app from the release `current` points to.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/quickstart_service.h"
#include "support/systemd_user_manager.h"

using namespace backstop;
using namespace backstop::test;

namespace {

struct UnitService {
    SystemdUserManager& manager = SystemdUserManager::shared();
    QuickstartService qs;
    std::string unit = "web-" + std::to_string(qs.port()) + ".service";

    // The unit runs `exec_start` (default: the app on this service's port) in `current`.
    void write_unit(const std::string& exec_start = "", const std::string& service_extra = "") {
        std::string dir = qs.dir().path();
        manager.write_unit(unit, "[Unit]\nDescription=backstop test app\n\n[Service]\n"
                                 "WorkingDirectory=" + dir + "/current\n"
                                 "ExecStart=" + (exec_start.empty() ? "/usr/bin/python3 " + dir + "/app.py " +
                                                                          std::to_string(qs.port())
                                                                    : exec_start) + "\n"
                                 "StandardOutput=append:" + dir + "/web.log\n"
                                 "StandardError=append:" + dir + "/web.log\n" + service_extra);
    }

    // No `restart` key: the restart goes through the unit.
    void write_policy(const std::string& extra = "", int attempts = 10) {
        qs.dir().write("backstop.toml", "[service.web]\n"
                                        "strategy = \"releases\"\n"
                                        "releases = \"releases\"\n"
                                        "current  = \"current\"\n"
                                        "unit     = \"" + unit + "\"\n"
                                        "scope    = \"user\"\n"
                                        "\n[service.web.health]\n"
                                        "url      = \"http://127.0.0.1:" + std::to_string(qs.port()) + "/health\"\n"
                                        "timeout  = \"1s\"\n"
                                        "interval = \"100ms\"\n"
                                        "attempts = " + std::to_string(attempts) + "\n"
                                        "\n[service.web.rollback]\nmax_attempts = 10\nwindow = \"1h\"\n" + extra);
    }

    // v1 healthy, v2 broken and live, the unit running v2.
    void bad_deploy() {
        qs.add_release("v1", true);
        qs.add_release("v2", false);
        qs.point_current_at("v2");
        write_unit();
        write_policy();
        start();
        REQUIRE(qs.health().rfind("500 broken v2", 0) == 0);
    }

    void start() {
        ProcessResult r = manager.systemctl({"start", unit});
        REQUIRE(r.ok());
        for (int i = 0; i < 100 && qs.health().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }

    CliResult backstop(const std::vector<std::string>& args) const { return run_backstop(qs.cli(args), manager.env()); }
    std::string main_pid() const { return manager.show(unit, "MainPID"); }

    ~UnitService() { manager.systemctl({"stop", unit}); }
};

}  // namespace

TEST_CASE("rollback restarts the service through its systemd unit", "[systemd][e2e]") {
    UnitService s;
    s.bad_deploy();
    std::string pid = s.main_pid();
    std::string entered = s.manager.show(s.unit, "ActiveEnterTimestampMonotonic");
    REQUIRE(pid != "0");

    CliResult r = s.backstop({"rollback", "web", "--yes", "--reason", "bad deploy"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("systemctl --user restart " + s.unit) != std::string::npos);
    CHECK(r.out.find("SUCCEEDED") != std::string::npos);
    CHECK(s.qs.current_release() == "v1");
    CHECK(s.manager.state(s.unit) == "active");
    CHECK(s.main_pid() != pid);
    CHECK(s.main_pid() != "0");
    CHECK(std::stoull(s.manager.show(s.unit, "ActiveEnterTimestampMonotonic")) > std::stoull(entered));
    CHECK(s.qs.health() == "200 ok v1\n");
}

TEST_CASE("a unit that fails right after the restart fails verification", "[systemd][e2e]") {
    UnitService s;
    s.bad_deploy();
    // v1's release.json is missing, so the app exits 1 as soon as systemd has started it.
    std::filesystem::remove(s.qs.dir().file("releases/v1/release.json"));

    CliResult r = s.backstop({"rollback", "web", "--yes"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find(s.unit + " is failed") != std::string::npos);
    CHECK(s.manager.state(s.unit) == "failed");
    CHECK(s.qs.current_release() == "v1");

    CliResult h = s.backstop({"history", "--json"});
    REQUIRE(h.exit_code == 0);
    auto runs = h.json();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["outcome"] == "verify_failed");
}

TEST_CASE("a unit that systemd restarts during the verification window fails verification", "[systemd][e2e]") {
    UnitService s;
    s.bad_deploy();
    // After the switch the unit's first start runs 200 ms and crashes; systemd restarts it 100 ms
    // later and then the app answers healthy. The health check alone would pass; the unit's
    // restart count does not. (v2 keeps running: it was started from the old unit file.)
    std::string dir = s.qs.dir().path();
    s.write_unit("/bin/sh -c 'if [ -e " + dir + "/current/crashed-once ]; then exec /usr/bin/python3 " + dir +
                     "/app.py " + std::to_string(s.qs.port()) + "; fi; touch " + dir +
                     "/current/crashed-once; sleep 0.2; exit 1'",
                 "Restart=on-failure\nRestartSec=100ms\n");
    s.write_policy("", 100);

    CliResult r = s.backstop({"rollback", "web", "--yes"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find(s.unit) != std::string::npos);
    bool named = r.out.find(s.unit + " restarted during verification") != std::string::npos ||
                 r.out.find(s.unit + " is activating") != std::string::npos;
    CHECK(named);
    for (int i = 0; i < 100 && s.manager.state(s.unit) != "active"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(s.manager.show(s.unit, "NRestarts") == "1");
    CHECK(s.qs.health() == "200 ok v1\n");
}

TEST_CASE("a dry run plans the unit's restart and changes nothing", "[systemd][e2e]") {
    UnitService s;
    s.bad_deploy();
    std::string pid = s.main_pid();

    CliResult r = s.backstop({"rollback", "web", "--dry-run"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("[plan] restart  systemctl --user restart " + s.unit) != std::string::npos);
    CHECK(s.main_pid() == pid);
    CHECK(s.manager.state(s.unit) == "active");
    CHECK(s.qs.current_release() == "v2");
    CHECK(s.qs.health().rfind("500 broken v2", 0) == 0);
}

TEST_CASE("verify requires the unit to be active", "[systemd][e2e]") {
    UnitService s;
    s.bad_deploy();
    s.qs.point_current_at("v1");
    REQUIRE(s.manager.systemctl({"restart", s.unit}).ok());
    for (int i = 0; i < 100 && s.qs.health() != "200 ok v1\n"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));

    CliResult healthy = s.backstop({"verify", "web"});
    INFO(healthy.out << healthy.err);
    CHECK(healthy.exit_code == 0);
    CHECK(healthy.out.find("HEALTHY: web on v1") != std::string::npos);

    REQUIRE(s.manager.systemctl({"stop", s.unit}).ok());
    CliResult stopped = s.backstop({"verify", "web"});
    INFO(stopped.out << stopped.err);
    CHECK(stopped.exit_code != 0);
    CHECK(stopped.out.find("UNHEALTHY: web on v1: " + s.unit + " is inactive (expected active)") != std::string::npos);
}

TEST_CASE("the Lua systemd module drives the real manager", "[systemd][lua]") {
    UnitService s;
    s.bad_deploy();
    s.qs.write_runbook("runbook.lua", R"(
return {
  verify = function(ctx)
    local unit = ctx.service.unit
    local out = {}
    local function add(k, v) out[#out + 1] = k .. "=" .. tostring(v) end
    local active, state = systemd.is_active(unit)
    add("before", state .. "/" .. tostring(active))
    local pid = systemd.show(unit, "MainPID")
    systemd.stop(unit)
    active, state = systemd.is_active(unit)
    add("stopped", state .. "/" .. tostring(active))
    add("pid_stopped", systemd.show(unit, "MainPID"))
    systemd.start(unit)
    add("started", select(2, systemd.is_active(unit)))
    local new_pid = systemd.show(unit, "MainPID")
    add("pid_changed", new_pid ~= pid and new_pid ~= "0")
    systemd.restart(unit)
    add("restarted", systemd.show(unit, "MainPID") ~= new_pid)
    add("scope", ctx.service.scope)
    local ok, err = pcall(systemd.start, "no-such-unit-here.service")
    add("missing", tostring(ok) .. " [" .. err .. "]")
    return true, table.concat(out, " ")
  end,
}
)");
    s.write_policy("runbook = \"runbook.lua\"\n");
    std::string pid = s.main_pid();

    CliResult r = s.backstop({"verify", "web", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    std::string message = r.json()["message"];
    CHECK(message.find("before=active/true ") != std::string::npos);
    CHECK(message.find("stopped=inactive/false ") != std::string::npos);
    CHECK(message.find("pid_stopped=0 ") != std::string::npos);
    CHECK(message.find("started=active ") != std::string::npos);
    CHECK(message.find("pid_changed=true ") != std::string::npos);
    CHECK(message.find("restarted=true ") != std::string::npos);
    CHECK(message.find("scope=user ") != std::string::npos);
    CHECK(message.find("missing=false [") != std::string::npos);
    CHECK(message.find("systemctl --user start no-such-unit-here.service` failed: exit 5") != std::string::npos);
    CHECK(s.manager.state(s.unit) == "active");
    CHECK(s.main_pid() != pid);
}
