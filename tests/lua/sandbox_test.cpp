// The sandbox refuses what a runbook must not reach: files, processes, bytecode, the debug library.
#include <catch2/catch.hpp>

#include "support/recording_host.h"

using namespace backstop;
using backstop::test::RunbookFixture;

namespace {

// Runs `body` in a pre hook and expects it to fail with a message containing `expected`.
void expect_refused(const std::string& body, const std::string& expected) {
    RunbookFixture f;
    HookOutcome out = f.run(body);
    INFO(body << " → " << to_string(out.status) << ": " << out.message);
    CHECK(out.status == HookOutcome::Status::error);
    CHECK_THAT(out.message, Catch::Contains(expected));
    CHECK_THAT(out.message, Catch::Contains("runbook.lua:2:"));
}

}  // namespace

TEST_CASE("unsafe libraries and functions are absent", "[lua][sandbox]") {
    expect_refused("io.open('/etc/passwd')", "global 'io'");
    expect_refused("os.execute('true')", "global 'os'");
    expect_refused("dofile('/etc/passwd')", "global 'dofile'");
    expect_refused("loadfile('/etc/passwd')", "global 'loadfile'");
    expect_refused("debug.traceback()", "global 'debug'");
    expect_refused("package.loadlib('libc.so.6', 'system')", "global 'package'");
    expect_refused("string.dump(function() end)", "field 'dump'");
    expect_refused("local f = ('x').dump; f(print)", "local 'f'");
    expect_refused("collectgarbage('count'); warn('x')", "global 'warn'");
    // Finalizers run with debug hooks off: the budget could not stop a looping one.
    expect_refused("setmetatable({}, {__gc = function() while true do end end})", "__gc metamethods are not allowed");
}

TEST_CASE("require refuses absolute paths, parent folders and unknown stdlib names", "[lua][sandbox]") {
    expect_refused("require('/etc/passwd')", "is not a module name");
    expect_refused("require('../secrets')", "is not a module name");
    expect_refused("require('lib..x')", "is not a module name");
    expect_refused("require('lib/../../x')", "is not a module name");
    expect_refused("require('backstop.nope')", "no stdlib module `backstop.nope`");
    expect_refused("require('missing.module')", "module `missing.module` not found");
}

TEST_CASE("load is text only and defaults to the caller's environment", "[lua][sandbox]") {
    RunbookFixture f;
    SECTION("a binary chunk is refused") {
        HookOutcome out = f.run("return load('\\27Lua\\x54\\0\\x19\\x93\\r\\n\\x1a\\n', 'x', 'b')");
        REQUIRE(out.ok());
        REQUIRE(out.returns.size() == 2);
        CHECK(out.returns[0].is_null());
        CHECK_THAT(out.returns[1].get<std::string>(), Catch::Contains("binary chunk"));
    }
    SECTION("text chunks run and see the runbook's globals") {
        HookOutcome out = f.run("answer = 41\nreturn load('return answer + 1')()");
        REQUIRE(out.ok());
        CHECK(out.returns.at(0) == 42);
    }
    SECTION("an explicit env is honoured") {
        HookOutcome out = f.run("return load('return x', 'chunk', 't', { x = 7 })()");
        REQUIRE(out.ok());
        CHECK(out.returns.at(0) == 7);
    }
    SECTION("a syntax error comes back as nil, message") {
        HookOutcome out = f.run("return load('return +', '=snippet')");
        REQUIRE(out.ok());
        CHECK(out.returns.at(0).is_null());
        CHECK_THAT(out.returns.at(1).get<std::string>(), Catch::StartsWith("snippet:1:"));
    }
}

TEST_CASE("each chunk has its own _ENV over read-only shared globals", "[lua][sandbox]") {
    RunbookFixture f;
    f.dir.write("lib/peek.lua", "return function() return leaked end\n");
    f.load(R"(
local peek = require "lib.peek"
leaked = "from runbook"
string_backup = string
return {
  pre = function(ctx) return peek(), leaked, getmetatable(_ENV), _G == _ENV end,
  post = function(ctx) setmetatable(_ENV, nil) end,
}
)");
    HookOutcome pre = f.call("pre");
    REQUIRE(pre.ok());
    REQUIRE(pre.returns.size() == 4);
    CHECK(pre.returns[0].is_null());  // the helper's _ENV does not see the runbook's globals
    CHECK(pre.returns[1] == "from runbook");
    CHECK(pre.returns[2] == false);  // the metatable is protected
    CHECK(pre.returns[3] == true);

    HookOutcome post = f.call("post");
    CHECK(post.status == HookOutcome::Status::error);
    CHECK_THAT(post.message, Catch::Contains("protected metatable"));
}

TEST_CASE("safe libraries are available", "[lua][sandbox]") {
    RunbookFixture f;
    HookOutcome out = f.run(R"(
local co = coroutine.wrap(function() coroutine.yield(1) end)
return string.format("%d", 3), table.concat({"a", "b"}, ","), math.max(1, 2), utf8.char(72), co()
)");
    REQUIRE(out.ok());
    CHECK(out.returns == std::vector<nlohmann::json>{"3", "a,b", 2, "H", 1});
}

TEST_CASE("xpcall keeps working: handlers, extra arguments, yields", "[lua][sandbox]") {
    RunbookFixture f;
    HookOutcome out = f.run(R"(
local ok, handled = xpcall(function() error("x", 0) end, function(e) return "handled " .. e end)
local ok2, sum = xpcall(function(a, b) return a + b end, print, 2, 3)
local co = coroutine.wrap(function() return xpcall(function() coroutine.yield(5) return 6 end, print) end)
return ok, handled, ok2, sum, co(), co()
)");
    REQUIRE(out.ok());
    CHECK(out.returns == std::vector<nlohmann::json>{false, "handled x", true, 5, 5, true, 6});
}
