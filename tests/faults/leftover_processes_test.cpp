// Issue 10, B5: a command started by a run that is killed with -9 must not act later, in the middle
// of the next run. The next holder of the service's lock finds what the dead run left running,
// ends it, and says so.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/eventually.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

namespace {

bool alive(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("what a run killed with -9 left running is ended by the next run, which says so", "[faults][processes]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    const std::string marker = (std::filesystem::path(qs.policy()).parent_path() / "leftover.pid").string();
    qs.write_runbook("runbooks/web.lua", "return {\n  pre = function(ctx)\n    exec({'sh', '-c', 'echo $$ > " + marker +
                                              "; exec sleep 300'}, {timeout = '10m'})\n  end,\n}\n");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\nexec_allow = [\"sh\"]\nhook_timeout = \"10m\"\n");

    pid_t run = spawn_backstop(qs.cli({"rollback", "web"}));
    REQUIRE(eventually([&] { return std::ifstream(marker).good() && std::ifstream(marker).peek() != EOF; }));
    pid_t leftover = 0;
    std::ifstream(marker) >> leftover;
    REQUIRE(leftover > 0);
    ::kill(run, SIGKILL);
    int status = 0;
    ::waitpid(run, &status, 0);
    CHECK(alive(leftover));  // it outlived the run that started it

    qs.write_runbook("runbooks/web.lua", "return {}\n");
    CliResult next = run_backstop(qs.cli({"rollback", "web"}));
    INFO(next.out << next.err);
    CHECK(next.out.find("left by run") != std::string::npos);
    CHECK(next.out.find("pid " + std::to_string(leftover)) != std::string::npos);
    CHECK(eventually([&] { return !alive(leftover); }));
    if (alive(leftover)) ::kill(leftover, SIGKILL);
    CliResult history = run_backstop(qs.cli({"history", "--json"}));
    CHECK(history.out.find("\"leftovers\"") != std::string::npos);
}
