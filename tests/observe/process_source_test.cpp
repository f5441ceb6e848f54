// The process source with a real child process: running, exited (a zombie counts as dead), reaped,
// and pid files that are missing or hold no pid.
#include <cmath>
#include <csignal>
#include <spawn.h>
#include <thread>

#include <catch2/catch.hpp>

#include "observe/source.h"
#include "support/temp_dir.h"
#include "support/wait_exit.h"

using namespace backstop;
using namespace backstop::test;

extern char** environ;

namespace {

Observation observe_pid_file(const std::string& path) {
    SourceSpec spec;
    spec.name = "worker";
    spec.kind = SourceKind::process;
    spec.process().pid_file = path;
    auto runner = make_process_runner();
    auto http = make_http_client();
    SourceDeps deps{*runner, *http};
    return make_source(spec, deps)->observe();
}

}  // namespace

TEST_CASE("process: alive while the pid in the file runs, dead once it exits", "[observe][process]") {
    TempDir dir{"backstop-observe-pid"};
    pid_t child = -1;
    const char* argv[] = {"/bin/sleep", "60", nullptr};
    REQUIRE(::posix_spawn(&child, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
    std::string pid_file = dir.write("worker.pid", std::to_string(child) + "\n");

    Observation running = observe_pid_file(pid_file);
    CHECK(running.status == ObservationStatus::ok);
    CHECK(running.state == "running");
    CHECK(running.value == child);
    CHECK(running.detail == "pid " + std::to_string(child) + " (" + pid_file + ") is running");

    ::kill(child, SIGKILL);
    // Not reaped yet: a zombie, which kill(pid, 0) still finds. Wait until /proc shows it exited.
    Observation zombie;
    for (int i = 0; i < 500; ++i) {
        zombie = observe_pid_file(pid_file);
        if (zombie.state == "dead") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(zombie.status == ObservationStatus::failed);
    CHECK(zombie.state == "dead");
    REQUIRE(wait_exit(child, std::chrono::seconds(10)));

    Observation reaped = observe_pid_file(pid_file);
    CHECK(reaped.status == ObservationStatus::failed);
    CHECK(reaped.state == "dead");
    CHECK(reaped.value == child);
}

TEST_CASE("process: a missing pid file is dead, one without a pid is unknown", "[observe][process]") {
    TempDir dir{"backstop-observe-pid"};
    Observation missing = observe_pid_file(dir.file("none.pid"));
    CHECK(missing.status == ObservationStatus::failed);
    CHECK(missing.state == "dead");
    CHECK(missing.detail == "no pid file " + dir.file("none.pid"));

    for (std::string text : {"", "abc\n", "12 13\n", "-5\n", "0\n"}) {
        Observation o = observe_pid_file(dir.write("bad.pid", text));
        CHECK(o.status == ObservationStatus::unknown);
        CHECK(o.error == "pid file " + dir.file("bad.pid") + " does not hold a pid");
    }

    Observation self = observe_pid_file(dir.write("self.pid", "  " + std::to_string(::getpid()) + "\r\n"));
    CHECK(self.status == ObservationStatus::ok);

    Observation folder = observe_pid_file(dir.mkdir("folder.pid"));
    CHECK(folder.status == ObservationStatus::unknown);
    CHECK_THAT(folder.error, Catch::StartsWith("cannot read pid file"));
}
