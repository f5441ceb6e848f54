// Runbook hooks and checks against real programs (after Prime Spark 004): redis-cli SAVE before
// the switch and PING after it against a real redis-server, the API's /health waited for, a HUP
// delivered through a pid file, and exec refused for programs the policy does not allow.
#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "prim/process_runner.h"
#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

namespace {

// A real redis-server on a free loopback port, its data in the service's folder.
class Redis {
public:
    explicit Redis(const TempDir& dir) : port_(free_port()), dir_(dir.file("redis")) {
        std::filesystem::create_directories(dir_);
        ProcessRequest req;
        req.argv = {"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_,
                    "--save", "", "--daemonize", "yes", "--pidfile", dir_ + "/redis.pid", "--logfile", dir_ + "/redis.log"};
        REQUIRE(make_process_runner()->run(req).ok());
        for (int i = 0; i < 100 && !ping(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        REQUIRE(ping());
    }
    ~Redis() {
        ProcessRequest req;
        req.argv = {"redis-cli", "-p", std::to_string(port_), "shutdown", "nosave"};
        make_process_runner()->run(req);
    }
    bool ping() const {
        ProcessRequest req;
        req.argv = {"redis-cli", "-p", std::to_string(port_), "PING"};
        return make_process_runner()->run(req).out == "PONG\n";
    }
    int port() const { return port_; }
    bool saved() const { return std::filesystem::exists(dir_ + "/dump.rdb"); }

private:
    int port_;
    std::string dir_;
};

}  // namespace

TEST_CASE("hooks: redis SAVE before, PING and /health after, HUP through a pid file", "[e2e][hooks]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    Redis redis(qs.dir());
    // A real process that counts the HUPs it gets, like a server reloading its config.
    qs.dir().write_executable("reloader.sh",
                              "#!/bin/sh\ntrap 'echo hup >> reloads' HUP\necho $$ > reloader.pid\n"
                              "while true; do sleep 0.05; done\n");
    ProcessRequest daemon;
    daemon.argv = {"sh", "-c", "cd " + qs.dir().path() + " && ./reloader.sh </dev/null >/dev/null 2>&1 &"};
    REQUIRE(make_process_runner()->run(daemon).ok());
    for (int i = 0; i < 100 && !qs.dir().exists("reloader.pid"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));

    std::string port = std::to_string(redis.port());
    qs.write_runbook("runbook.lua",
                     "local REDIS = {'redis-cli', '-p', '" + port + "'}\n"
                     "-- PING only reads, so it may run in dry runs too; SAVE writes, so a dry run only plans it\n"
                     "local function redis(cmd, read_only)\n"
                     "  local argv = {table.unpack(REDIS)}; argv[#argv + 1] = cmd\n"
                     "  return exec(argv, { dry_run = read_only })\n"
                     "end\n"
                     "return {\n"
                     "  pre = function(ctx)\n"
                     "    local r = redis('SAVE')\n"
                     "    if not r.ok then error('redis SAVE failed: ' .. r.summary) end\n"
                     "  end,\n"
                     "  post = function(ctx)\n"
                     "    assert(wait_tcp('127.0.0.1', " + port + ", { deadline = '5s' }))\n"
                     "    local pong = redis('PING', true)\n"
                     "    if pong.stdout ~= 'PONG\\n' then error('redis did not answer PING: ' .. pong.stdout) end\n"
                     "    local ok, msg = wait_http('http://127.0.0.1:" + std::to_string(qs.port()) + "/health', { deadline = '30s', body = 'ok' })\n"
                     "    if not ok then error(msg) end\n"
                     "    signal('reloader.pid', 'HUP')\n"
                     "    local denied = pcall(exec, {'rm', '-rf', '/tmp/nothing'})\n"
                     "    log.info('rm allowed: ' .. tostring(denied))\n"
                     "  end,\n"
                     "}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbook.lua\"\nexec_allow = [\"redis-cli\"]\n");

    CliResult dry = run_backstop(qs.cli({"rollback", "web", "--dry-run"}));
    INFO(dry.out << dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("[plan] exec     redis-cli -p " + port + " SAVE") != std::string::npos);
    CHECK(dry.out.find("[plan] signal   HUP to the process in " + qs.dir().file("reloader.pid")) != std::string::npos);
    CHECK_FALSE(redis.saved());
    CHECK_FALSE(qs.dir().exists("reloads"));

    CliResult r = run_backstop(qs.cli({"rollback", "web"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(redis.saved());
    CHECK(qs.current_release() == "v1");
    for (int i = 0; i < 50 && !qs.dir().exists("reloads"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(qs.dir().read("reloads") == "hup\n");
    CHECK(r.err.find("rm allowed: false") != std::string::npos);
    CHECK(r.out.find("[ok  ] wait     GET http://127.0.0.1:" + std::to_string(qs.port()) + "/health until 2xx with \"ok\"") != std::string::npos);

    ProcessRequest stop;
    stop.argv = {"sh", "-c", "kill $(cat " + qs.dir().file("reloader.pid") + ")"};
    make_process_runner()->run(stop);
}

TEST_CASE("exec of a program not in exec_allow fails the hook before anything changes", "[e2e][hooks]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbook.lua", "return { pre = function(ctx) exec({'touch', 'pwned'}) end }\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbook.lua\"\n");

    CliResult r = run_backstop(qs.cli({"rollback", "web"}));
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("`touch` is not in rollback.exec_allow") != std::string::npos);
    CHECK_FALSE(qs.dir().exists("pwned"));
    CHECK(qs.current_release() == "v2");
}
