// Issue 10, A: a runbook stops at its limits whatever it calls. Lua's budget hook only runs between
// VM instructions, so these call into C (pattern matching, JSON, primitives) where it cannot look.
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/quickstart_service.h"
#include "support/recording_host.h"

using namespace backstop;
using namespace backstop::test;

namespace {

SandboxLimits limits(Duration cpu, Duration wall = Duration{300'000}) {
    SandboxLimits l;
    l.cpu_budget = cpu;
    l.wall_timeout = wall;
    return l;
}

nlohmann::json last_run(const QuickstartService& qs) {
    CliResult r = run_backstop(qs.cli({"history", "--json"}));
    REQUIRE(r.exit_code == 0);
    nlohmann::json h = r.json();
    REQUIRE(!h.empty());
    return h.back();
}

// A TCP listener that never accepts: connects succeed (the kernel's backlog), requests are never
// answered. What a hung upstream looks like to http.get.
class SilentListener {
public:
    SilentListener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~SilentListener() { ::close(fd_); }
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace

TEST_CASE("a pattern match that backtracks for minutes stops at the CPU budget", "[faults][runbook-limits]") {
    RunbookFixture f(limits(Duration{500}));
    std::string body = GENERATE(as<std::string>{}, "string.rep('a', 2e4):find('.-.-.-.-b')",
                                "return (string.rep('a', 3e4):gsub('.-.-.-b', ''))",
                                "return string.rep('a', 2e4):match('^(.-)%s*(.-)%s*(.-)%s*b$')");
    INFO(body);
    HookOutcome out = f.run(body);
    CHECK(out.status == HookOutcome::Status::budget_exceeded);
    CHECK_THAT(out.message, Catch::Contains("CPU budget of 500ms in hook `pre`"));
    // The engine goes on: the next call runs in a new runbook process with the runbook loaded again.
    f.load("return { post = function() return 'still here' end }");
    HookOutcome next = f.call("post");
    REQUIRE(next.ok());
    CHECK(next.returns.at(0) == "still here");
}

TEST_CASE("decide() stuck in a C call ends at the decision's wall clock", "[faults][runbook-limits]") {
    RunbookFixture f(limits(Duration{200}, Duration{2000}));
    f.load("return { decide = function(ctx) string.rep('a', 2e4):find('.-.-.-.-b') return {action='rollback'} end }");
    HookOutcome out = f.engine.call_pure_hook("decide", nlohmann::json::object());
    CHECK(out.status == HookOutcome::Status::budget_exceeded);
    CHECK_THAT(out.message, Catch::Contains("in hook `decide`"));
}

TEST_CASE("a rollback whose pre hook spins in a C call fails at its budget and changes nothing", "[faults][runbook-limits]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua", "return {\n  pre = function(ctx)\n    string.rep('a', 2e4):find('.-.-.-.-b')\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\nhook_timeout = \"3s\"\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}), {}, 120);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    // Which limit ends it first (2 s of CPU or 3 s of wall clock) depends on how loaded the
    // machine is; either way it is a limit, named, in `pre`.
    CHECK(r.out.find("exceeded its") != std::string::npos);
    CHECK(r.out.find("in hook `pre`") != std::string::npos);
    CHECK(qs.current_release() == "v2");
    CHECK(last_run(qs)["outcome"] == "failed");
}

TEST_CASE("json.encode of a table that doubles per level is refused, not built", "[faults][runbook-limits]") {
    RunbookFixture f;
    HookOutcome out = f.run("local t = {} for i = 1, 40 do t = {t, t} end return json.encode(t)");
    CHECK(out.status == HookOutcome::Status::error);
    CHECK_THAT(out.message, Catch::Contains("too large to convert to JSON"));
    HookOutcome pretty = f.run("local t = {} for i = 1, 18 do t = {t, t} end return json.encode(t, {indent = 16})");
    CHECK_THAT(pretty.message, Catch::Contains("too large to convert to JSON"));
    CHECK(f.run("return json.encode({a = {1, 2, 3}})").returns.at(0) == R"({"a":[1,2,3]})");
}

TEST_CASE("json.decode refuses text over its size and depth limits before parsing", "[faults][runbook-limits]") {
    RunbookFixture f;
    HookOutcome big = f.run("local v, err = json.decode('[' .. string.rep('1,', 12e6) .. '1]') return v == nil, err");
    REQUIRE(big.ok());
    CHECK(big.returns.at(0) == true);
    CHECK_THAT(big.returns.at(1).get<std::string>(), Catch::Contains("over the limit of 4 MiB"));
    HookOutcome deep = f.run("local v, err = json.decode(string.rep('[', 5000) .. string.rep(']', 5000)) return v == nil, err");
    REQUIRE(deep.ok());
    CHECK(deep.returns.at(0) == true);
    CHECK_THAT(deep.returns.at(1).get<std::string>(), Catch::Contains("nested deeper than 100 levels"));
}

TEST_CASE("a runbook that logs megabytes gets a capped log with a truncated marker", "[faults][runbook-limits]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua",
                     "return {\n  pre = function(ctx)\n    local line = string.rep('x', 1e6)\n"
                     "    for i = 1, 200 do log.info(line) end\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}), {}, 120);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(qs.current_release() == "v1");
    nlohmann::json run = last_run(qs);
    std::size_t bytes = 0;
    for (const auto& line : run["log"]) bytes += line["message"].get<std::string>().size();
    CHECK(bytes < (1u << 20) + 64 * 1024);
    REQUIRE(!run["log"].empty());
    CHECK_THAT(run["log"].back()["message"].get<std::string>(), Catch::Contains("[log truncated"));
    CHECK_THAT(run["log"].front()["message"].get<std::string>(), Catch::Contains("more bytes cut]"));
}

TEST_CASE("exec with a longer timeout of its own ends with the hook", "[faults][runbook-limits]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua",
                     "return {\n  pre = function(ctx)\n    exec({'sleep', '20'}, {timeout = '30s'})\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\nhook_timeout = \"2s\"\nexec_allow = [\"sleep\"]\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}), {}, 120);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("wall-clock timeout of 2s in hook `pre`") != std::string::npos);
    CHECK(qs.current_release() == "v2");
    nlohmann::json run = last_run(qs);
    CHECK(run["outcome"] == "failed");
    bool exec_bounded = false;
    for (const auto& s : run["steps"])
        if (s["name"] == "exec") exec_bounded = s["detail"].get<std::string>().find("timeout 30s") == std::string::npos;
    CHECK(exec_bounded);
}

TEST_CASE("a verify hook waiting on a silent upstream past hook_timeout is not a success", "[faults][runbook-limits]") {
    SilentListener upstream;
    QuickstartService qs;
    qs.simulate_bad_deploy();
    std::string url = "http://127.0.0.1:" + std::to_string(upstream.port()) + "/health";
    qs.write_runbook("runbooks/web.lua",
                     "return {\n  verify = function(ctx)\n    http.get('" + url + "', {timeout = '30s'})\n"
                     "    return true, 'upstream answered'\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\nhook_timeout = \"2s\"\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}), {}, 120);
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.out.find("wall-clock timeout of 2s in hook `verify`") != std::string::npos);
    CHECK(last_run(qs)["outcome"] != "succeeded");
}

TEST_CASE("the string metatable is read-only", "[faults][runbook-limits]") {
    RunbookFixture f;
    HookOutcome seen = f.run("return getmetatable('')");
    REQUIRE(seen.ok());
    CHECK(seen.returns.at(0) == false);
    HookOutcome write = f.run("getmetatable('').__index = { upper = function() return 'pwned' end }");
    CHECK(write.status == HookOutcome::Status::error);
    CHECK(f.run("return ('abc'):upper()").returns.at(0) == "ABC");
}
