// The real process runner against real processes: exit codes, capture, deadlines, process trees.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "prim/process_runner.h"
#include "support/temp_dir.h"

using namespace backstop;
using backstop::test::TempDir;
using namespace std::chrono_literals;

namespace {

ProcessResult run(std::vector<std::string> argv, Duration timeout = 10s) {
    ProcessRequest request;
    request.argv = std::move(argv);
    request.timeout = timeout;
    return make_process_runner()->run(request);
}

ProcessResult sh(const std::string& script, Duration timeout = 10s) { return run({"sh", "-c", script}, timeout); }

// A killed grandchild is an orphan whose reaping is up to PID 1, which may take its time here:
// a zombie counts as gone.
bool alive(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno != EPERM) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    auto paren = line.rfind(')');
    return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

// Polls because the kernel may take a moment to deliver the kill and the parent to reap.
bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (!alive(pid)) return true;
        std::this_thread::sleep_for(10ms);
    }
    return !alive(pid);
}

// Every child we ever spawned has been reaped: no zombies of ours.
bool no_children() {
    int status = 0;
    return ::waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD;
}

pid_t read_pid(const TempDir& dir, const std::string& rel) {
    auto until = std::chrono::steady_clock::now() + 30s;  // hang guard
    while (std::chrono::steady_clock::now() < until) {
        if (dir.exists(rel)) {
            std::string text = dir.read(rel);
            if (!text.empty() && text.back() == '\n') return static_cast<pid_t>(std::stol(text));
        }
        std::this_thread::sleep_for(10ms);
    }
    FAIL("no pid written to " << rel);
    return -1;
}

}  // namespace

TEST_CASE("exit codes are reported", "[process]") {
    auto ok = run({"true"});
    CHECK(ok.started);
    CHECK(ok.exit_code == 0);
    CHECK(ok.ok());
    CHECK(ok.summary() == "exit 0");

    auto three = sh("echo oops >&2; echo more details >&2; exit 3");
    CHECK(three.started);
    CHECK(three.exit_code == 3);
    CHECK_FALSE(three.ok());
    CHECK(three.summary() == "exit 3: more details");
}

TEST_CASE("stdout and stderr are captured separately", "[process]") {
    auto r = sh("printf 'to out\\n'; printf 'to err\\n' >&2");
    CHECK(r.out == "to out\n");
    CHECK(r.err == "to err\n");
    CHECK(r.ok());
}

TEST_CASE("argv is passed as is, never through a shell", "[process]") {
    auto r = run({"printf", "%s|", "a b", "$HOME", "*", "'q'"});
    CHECK(r.out == "a b|$HOME|*|'q'|");
}

TEST_CASE("large output does not stall and the tail is kept", "[process]") {
    auto r = sh("head -c 3000000 /dev/zero | tr '\\0' x; printf END", 20s);
    REQUIRE(r.ok());
    CHECK(r.out.size() == (1u << 20));
    CHECK(r.out.ends_with("xxxEND"));

    ProcessRequest small;
    small.argv = {"sh", "-c", "head -c 1500000 /dev/zero >&2; echo tail >&2"};
    small.max_output = 10;
    auto s = make_process_runner()->run(small);
    CHECK(s.err == std::string(5, '\0') + "tail\n");
}

TEST_CASE("the deadline kills the whole process group", "[process]") {
    TempDir dir;
    // 2 s: time enough for the shell to start its background child even on a loaded machine.
    auto r = sh("sleep 30 & echo $! > '" + dir.file("bg.pid") + "'; sleep 30", 2s);
    CHECK(r.started);
    CHECK(r.timed_out);
    CHECK_FALSE(r.ok());
    CHECK(r.summary() == "timed out after 2s");
    pid_t grandchild = read_pid(dir, "bg.pid");
    CHECK(gone_within(grandchild, 20s));  // hang guard: left alone, it sleeps 30 s
    CHECK(no_children());
}

TEST_CASE("a group member that ignores SIGTERM is killed too", "[process]") {
    TempDir dir;
    auto r = sh("trap '' TERM; (trap '' TERM; sleep 30) & echo $! > '" + dir.file("bg.pid") + "'; sleep 30",
                2s);
    CHECK(r.timed_out);
    CHECK(gone_within(read_pid(dir, "bg.pid"), 20s));  // hang guard: left alone, it sleeps 30 s
}

TEST_CASE("a daemon holding the pipes does not delay the result and is left alone", "[process]") {
    TempDir dir;
    auto r = sh("sleep 600 & echo $! > '" + dir.file("daemon.pid") + "'; echo started");
    CHECK(r.ok());
    CHECK(r.out == "started\n");
    pid_t daemon = read_pid(dir, "daemon.pid");
    CHECK(alive(daemon));  // the result came while the daemon still held the pipes
    ::kill(daemon, SIGKILL);
}

TEST_CASE("death by signal is reported", "[process]") {
    auto r = sh("kill -9 $$");
    CHECK(r.started);
    CHECK_FALSE(r.timed_out);
    CHECK(r.signal == SIGKILL);
    CHECK_FALSE(r.ok());
    CHECK(r.summary() == "killed by signal 9");
    CHECK(no_children());
}

TEST_CASE("programs that cannot be run are reported, not thrown", "[process]") {
    auto missing = run({"backstop-no-such-program"});
    CHECK_FALSE(missing.started);
    CHECK(missing.error == "cannot run `backstop-no-such-program`: No such file or directory");
    CHECK(missing.summary() == missing.error);

    auto missing_path = run({"/nonexistent/tool", "x"});
    CHECK_FALSE(missing_path.started);
    CHECK(missing_path.error == "cannot run `/nonexistent/tool`: No such file or directory");

    TempDir dir;
    std::string script = dir.write("not-executable.sh", "#!/bin/sh\nexit 0\n");
    auto denied = run({script});
    CHECK_FALSE(denied.started);
    CHECK(denied.error == "cannot run `" + script + "`: Permission denied");

    auto empty = run({});
    CHECK_FALSE(empty.started);
    CHECK_FALSE(empty.error.empty());

    ProcessRequest bad_dir;
    bad_dir.argv = {"true"};
    bad_dir.working_dir = dir.file("missing");
    auto r = make_process_runner()->run(bad_dir);
    CHECK_FALSE(r.started);
    CHECK(r.error.find("working directory") != std::string::npos);
}

TEST_CASE("env overrides are added to the inherited environment", "[process]") {
    ::setenv("BACKSTOP_TEST_INHERITED", "from-parent", 1);
    ProcessRequest request;
    request.argv = {"sh", "-c", "echo \"$BACKSTOP_TEST_X|$BACKSTOP_TEST_INHERITED|$HOME\""};
    request.env_overrides = {{"BACKSTOP_TEST_X", "hello world"}, {"HOME", "/overridden"}};
    auto r = make_process_runner()->run(request);
    CHECK(r.out == "hello world|from-parent|/overridden\n");
}

TEST_CASE("PATH from the overrides is used to find the program", "[process]") {
    TempDir dir;
    dir.write_executable("bin/backstop-test-tool", "#!/bin/sh\necho tool ran\n");
    ProcessRequest request;
    request.argv = {"backstop-test-tool"};
    request.env_overrides = {{"PATH", dir.file("bin") + ":/usr/bin:/bin"}};
    auto r = make_process_runner()->run(request);
    CHECK(r.ok());
    CHECK(r.out == "tool ran\n");
}

TEST_CASE("working_dir sets the child's current directory", "[process]") {
    TempDir dir;
    dir.write_executable("sub/run.sh", "#!/bin/sh\npwd\n");
    ProcessRequest request;
    request.argv = {"./run.sh"};
    request.working_dir = dir.file("sub");
    auto r = make_process_runner()->run(request);
    CHECK(r.ok());
    CHECK(r.out == dir.file("sub") + "\n");
}

TEST_CASE("the child gets its own process group and no stdin", "[process]") {
    auto r = sh("echo $$ $(cut -d' ' -f5 /proc/$$/stat); cat; echo end");
    REQUIRE(r.ok());
    long pid = 0, pgid = 0;
    REQUIRE(std::sscanf(r.out.c_str(), "%ld %ld", &pid, &pgid) == 2);
    CHECK(pgid == pid);
    CHECK(pgid != static_cast<long>(::getpgrp()));
    CHECK(r.out.ends_with("end\n"));
}

TEST_CASE("several threads can run processes at once", "[process]") {
    // Each process marks its start, then waits until all six have started (for at most 30 s):
    // only processes that run at the same time all see six marks and exit with their number.
    TempDir dir;
    auto runner = make_process_runner();
    std::vector<ProcessResult> results(6);
    std::vector<std::thread> threads;
    const std::string marks = dir.path();
    for (std::size_t i = 0; i < results.size(); ++i)
        threads.emplace_back([&, i] {
            ProcessRequest request;
            request.argv = {"sh", "-c",
                            "touch \"$1/$2\"; n=0; while [ \"$(ls \"$1\" | wc -l)\" -lt 6 ]; do"
                            " n=$((n + 1)); [ $n -gt 600 ] && exit 99; sleep 0.05; done; echo $2; exit $2",
                            "sh", marks, std::to_string(i)};
            request.timeout = 60s;
            results[i] = runner->run(request);
        });
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < results.size(); ++i) {
        CHECK(results[i].exit_code == static_cast<int>(i));
        CHECK(results[i].out == std::to_string(i) + "\n");
    }
}
