// Runbook hooks and checks against real programs (after Prime Spark 004): redis-cli SAVE before
// the switch and PING after it against a real redis-server, the API's /health waited for, a real
// Prometheus reloading a rewritten config on a HUP delivered through a pid file, and exec refused
// for programs the policy does not allow.
#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "prim/process_runner.h"
#include "support/backstop_cli.h"
#include "support/prometheus_server.h"
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
    // A real Prometheus scraping itself; beside its config, the one the post hook switches to: the
    // same plus a job whose name only shows in the running config once Prometheus reloaded.
    PrometheusConfig config;
    config.files["prometheus.next.yml"] = config.yml +
                                          "  - job_name: reloaded-by-backstop\n"
                                          "    static_configs:\n"
                                          "      - targets: ['{{address}}']\n";
    PrometheusServer prometheus(config);
    qs.dir().write("prometheus.pid", std::to_string(prometheus.pid()) + "\n");
    std::string next_config = prometheus.dir().file("prometheus.next.yml");
    std::string status_config = prometheus.url() + "/api/v1/status/config";

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
                     "    local cp = exec({'cp', '" + next_config + "', '" + prometheus.config_path() + "'})\n"
                     "    if not cp.ok then error('cannot rewrite prometheus.yml: ' .. cp.summary) end\n"
                     "    signal('prometheus.pid', 'HUP')\n"
                     "    ok, msg = wait_http('" + status_config + "', { body = 'reloaded-by-backstop', deadline = '10s' })\n"
                     "    if not ok then error('prometheus did not reload: ' .. msg) end\n"
                     "    local denied = pcall(exec, {'rm', '-rf', '/tmp/nothing'})\n"
                     "    log.info('rm allowed: ' .. tostring(denied))\n"
                     "  end,\n"
                     "}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbook.lua\"\nexec_allow = [\"redis-cli\", \"cp\"]\n");

    std::string config_before = prometheus.dir().read("prometheus.yml");
    CliResult dry = run_backstop(qs.cli({"rollback", "web", "--dry-run"}));
    INFO(dry.out << dry.err);
    CHECK(dry.exit_code == 0);
    CHECK(dry.out.find("[plan] exec     redis-cli -p " + port + " SAVE") != std::string::npos);
    CHECK(dry.out.find("[plan] exec     cp " + next_config + " " + prometheus.config_path()) != std::string::npos);
    CHECK(dry.out.find("[plan] signal   HUP to the process in " + qs.dir().file("prometheus.pid")) != std::string::npos);
    CHECK_FALSE(redis.saved());
    CHECK(prometheus.dir().read("prometheus.yml") == config_before);
    CHECK(prometheus.loaded_config().find("job_name: prometheus") != std::string::npos);
    CHECK(prometheus.loaded_config().find("reloaded-by-backstop") == std::string::npos);

    CliResult r = run_backstop(qs.cli({"rollback", "web"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(redis.saved());
    CHECK(qs.current_release() == "v1");
    CHECK(r.err.find("rm allowed: false") != std::string::npos);
    CHECK(r.out.find("[ok  ] wait     GET http://127.0.0.1:" + std::to_string(qs.port()) + "/health until 2xx with \"ok\"") != std::string::npos);
    CHECK(r.out.find("[ok  ] wait     GET " + status_config + " until 2xx with \"reloaded-by-backstop\"") != std::string::npos);
    CHECK((r.out + r.err).find("prometheus did not reload") == std::string::npos);
    // The same API, asked by the test: the running config is the rewritten one, so the HUP reloaded it.
    CHECK(prometheus.loaded_config().find("job_name: reloaded-by-backstop") != std::string::npos);
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
