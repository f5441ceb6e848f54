// SystemdUnits (the systemctl primitive) against a real user manager: states, properties, and errors
// that carry systemctl's exit code, stderr and the deadline.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "prim/systemd_units.h"
#include "support/systemd_user_manager.h"

using namespace backstop;
using namespace backstop::test;

namespace {

// Polls until the unit's state is `want` (or 5 s pass); returns the last state seen.
std::string wait_state(const SystemdUnits& units, const std::string& unit, const std::string& want) {
    std::string state;
    for (int i = 0; i < 250; ++i) {
        state = units.is_active(unit);
        if (state == want) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return state;
}

}  // namespace

TEST_CASE("start, restart, stop and show drive a real unit", "[systemd]") {
    SystemdUserManager& manager = SystemdUserManager::shared();
    manager.write_unit("sleeper.service", "[Service]\nExecStart=/bin/sleep 600\n");
    auto runner = make_process_runner();
    SystemdUnits units(*runner, SystemdScope::user, Duration{10'000});

    CHECK(units.command({"restart", "x.service"}) == std::vector<std::string>{"systemctl", "--user", "restart", "x.service"});
    CHECK(units.is_active("sleeper.service") == "inactive");
    units.start("sleeper.service");
    CHECK(units.is_active("sleeper.service") == "active");
    std::string pid = units.show("sleeper.service", "MainPID");
    CHECK(pid != "0");
    CHECK(pid == manager.show("sleeper.service", "MainPID"));

    units.restart("sleeper.service");
    CHECK(units.is_active("sleeper.service") == "active");
    CHECK(units.show("sleeper.service", "MainPID") != pid);
    CHECK(units.show("sleeper.service", "MainPID") == manager.show("sleeper.service", "MainPID"));

    units.stop("sleeper.service");
    CHECK(units.is_active("sleeper.service") == "inactive");
    CHECK(manager.state("sleeper.service") == "inactive");
    CHECK(units.show("sleeper.service", "MainPID") == "0");
}

TEST_CASE("a unit whose process exits non-zero is failed", "[systemd]") {
    SystemdUserManager& manager = SystemdUserManager::shared();
    manager.write_unit("crasher.service", "[Service]\nExecStart=/bin/sh -c 'sleep 0.1; exit 3'\n");
    auto runner = make_process_runner();
    SystemdUnits units(*runner, SystemdScope::user, Duration{10'000});
    units.start("crasher.service");  // Type=simple: the start job is done once the process runs
    CHECK(wait_state(units, "crasher.service", "failed") == "failed");
    CHECK(units.show("crasher.service", "Result") == "exit-code");
    CHECK(units.show("crasher.service", "ExecMainStatus") == "3");
}

TEST_CASE("systemctl failures carry its exit code and stderr", "[systemd]") {
    SystemdUserManager& manager = SystemdUserManager::shared();
    manager.write_unit("oneshot-fails.service", "[Service]\nType=oneshot\nExecStart=/bin/false\n");
    auto runner = make_process_runner();
    SystemdUnits units(*runner, SystemdScope::user, Duration{10'000});

    CHECK(units.is_active("no-such-unit.service") == "inactive");
    try {
        units.restart("no-such-unit.service");
        FAIL("restart of a missing unit succeeded");
    } catch (const Error& e) {
        std::string m = e.what();
        CHECK(m.find("`systemctl --user restart no-such-unit.service` failed: exit 5") != std::string::npos);
        CHECK(m.find("not found") != std::string::npos);
    }
    try {
        units.start("oneshot-fails.service");
        FAIL("a failing start job succeeded");
    } catch (const Error& e) {
        std::string m = e.what();
        CHECK(m.find("exit 1") != std::string::npos);
        CHECK(m.find("oneshot-fails.service") != std::string::npos);
    }
    CHECK(units.is_active("oneshot-fails.service") == "failed");
    CHECK_THROWS_WITH(units.start("-bad"), Catch::Contains("starts with '-'"));
    CHECK_THROWS_WITH(units.show("oneshot-fails.service", "A=B"), Catch::Contains("not valid"));
}

TEST_CASE("a systemctl command is killed at its deadline", "[systemd]") {
    SystemdUserManager& manager = SystemdUserManager::shared();
    // The start job lasts a minute: only the 300ms deadline can end `systemctl start` before that.
    manager.write_unit("slow-start.service", "[Service]\nType=oneshot\nExecStart=/bin/sleep 60\n");
    auto runner = make_process_runner();
    SystemdUnits units(*runner, SystemdScope::user, Duration{300});
    CHECK_THROWS_AS(units.start("slow-start.service"), TimeoutError);
    SystemdUnits patient(*runner, SystemdScope::user, Duration{10'000});
    patient.stop("slow-start.service");
}
