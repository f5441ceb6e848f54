// The CPU budget, wall-clock timeout and memory ceiling end runaway runbooks, pcall or not.
#include <catch2/catch.hpp>

#include <chrono>

#include "support/recording_host.h"

using namespace backstop;
using backstop::test::RunbookFixture;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

SandboxLimits cpu_limit(Duration d) {
    SandboxLimits limits;
    limits.cpu_budget = d;
    return limits;
}

}  // namespace

TEST_CASE("an endless loop ends at the default CPU budget of 2s", "[lua][budget]") {
    RunbookFixture f;
    auto start = std::chrono::steady_clock::now();
    HookOutcome out = f.run("while true do end");
    double took = seconds_since(start);
    CHECK(out.status == HookOutcome::Status::budget_exceeded);
    CHECK(out.message == f.dir.file("runbook.lua") + ":2: runbook exceeded its CPU budget of 2s in hook `pre`");
    CHECK(took >= 1.5);  // a lower bound: 2 s of CPU time take at least that long
    // That the CPU budget stopped it, not the 5-minute wall-clock limit, shows in the message.
}

TEST_CASE("pcall and xpcall cannot swallow the budget", "[lua][budget]") {
    RunbookFixture f(cpu_limit(Duration(300)));
    std::string body = GENERATE(as<std::string>{},
                                "while true do pcall(function() while true do end end) end",
                                "for i = 1, 1e9 do pcall(error, 'x') end",
                                "while true do xpcall(function() while true do end end, function(e) while true do end end) end",
                                "local ok = pcall(function() while true do end end)\nreturn 'survived'",
                                "local co = coroutine.wrap(function() while true do end end)\npcall(co)\nreturn 'survived'");
    HookOutcome out = f.run(body);
    INFO(body << " → " << out.message);
    CHECK(out.status == HookOutcome::Status::budget_exceeded);
    CHECK_THAT(out.message, Catch::Contains("exceeded its CPU budget of 300ms in hook `pre`"));
}

TEST_CASE("the budget is per call and re-armed afterwards", "[lua][budget]") {
    RunbookFixture f(cpu_limit(Duration(200)));
    f.load(R"(
local co = coroutine.create(function() while true do coroutine.yield() end end)
return {
  pre = function() coroutine.resume(co) while true do end end,
  post = function() for i = 1, 1000 do coroutine.resume(co) end return "fine" end,
}
)");
    CHECK(f.call("pre").status == HookOutcome::Status::budget_exceeded);
    HookOutcome post = f.call("post");
    REQUIRE(post.ok());
    CHECK(post.returns.at(0) == "fine");
}

TEST_CASE("time spent sleeping or in primitives is not CPU time", "[lua][budget]") {
    RunbookFixture f(cpu_limit(Duration(100)));
    f.host.really_sleep = true;
    HookOutcome out = f.run("sleep(0.4) return 'awake'");
    REQUIRE(out.ok());
    CHECK(out.returns.at(0) == "awake");
}

TEST_CASE("the wall-clock timeout ends a loop of primitives", "[lua][budget]") {
    SandboxLimits limits;
    limits.wall_timeout = Duration(300);
    RunbookFixture f(limits);
    f.host.really_sleep = true;
    HookOutcome out = f.run("while true do pcall(sleep, 0.1) end");
    CHECK(out.status == HookOutcome::Status::budget_exceeded);
    CHECK_THAT(out.message, Catch::Contains("runbook exceeded its wall-clock timeout of 300ms in hook `pre`"));

    SECTION("a long sleep is cut at the deadline") {
        auto start = std::chrono::steady_clock::now();
        out = f.run("sleep('1h')");
        CHECK(out.status == HookOutcome::Status::budget_exceeded);
        CHECK_THAT(out.message, Catch::Contains("wall-clock timeout of 300ms"));
        CHECK(seconds_since(start) < 600);  // hang guard: an uncut sleep takes an hour
    }
}

TEST_CASE("an endless loop at load time is a load error", "[lua][budget]") {
    RunbookFixture f(cpu_limit(Duration(200)));
    try {
        f.load("while true do end\nreturn {}\n");
        FAIL("load should have thrown");
    } catch (const RunbookLoadError& e) {
        CHECK(e.code() == "lua-load");
        CHECK(e.where().line == 1);
        CHECK_THAT(e.what(), Catch::Contains("exceeded its CPU budget of 200ms while loading"));
    }
}

TEST_CASE("the memory ceiling stops a runbook and the engine stays usable", "[lua][memory]") {
    SandboxLimits limits;
    limits.memory_bytes = 8u << 20;
    RunbookFixture f(limits);
    std::string body = GENERATE(as<std::string>{},
                                "local s = 'x' while true do s = s .. s end",
                                "local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end",
                                "local t = {} for i = 1, 1e9 do t[i] = string.rep('y', 100) .. i end",
                                "return string.rep('z', 1 << 30)");
    f.load("return { pre = function(ctx)\n" + body + "\nend, post = function() return #string.rep('a', 1000) end }\n");
    HookOutcome out = f.call("pre");
    INFO(body << " → " << out.message);
    CHECK(out.status == HookOutcome::Status::out_of_memory);
    CHECK(out.message == "runbook exceeded its memory limit of 8 MiB in hook `pre`");

    HookOutcome post = f.call("post");
    REQUIRE(post.ok());
    CHECK(post.returns.at(0) == 1000);
    CHECK(f.engine.memory_used() < (4u << 20));
}

TEST_CASE("a runbook may catch running out of memory itself", "[lua][memory]") {
    SandboxLimits limits;
    limits.memory_bytes = 8u << 20;
    RunbookFixture f(limits);
    HookOutcome out = f.run("local ok, err = pcall(string.rep, 'x', 1 << 30)\nreturn ok, err");
    REQUIRE(out.ok());
    CHECK(out.returns.at(0) == false);
    CHECK(out.returns.at(1) == "not enough memory");
}

TEST_CASE("a memory ceiling below what the stdlib needs is reported", "[lua][memory]") {
    SandboxLimits limits;
    limits.memory_bytes = 4096;
    CHECK_THROWS_AS(RunbookEngine(limits), Error);
}
