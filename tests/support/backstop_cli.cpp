#include "support/backstop_cli.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "prim/process_runner.h"
#include "support/child_daemon.h"

namespace backstop::test {

nlohmann::json CliResult::json() const {
    auto j = nlohmann::json::parse(out, nullptr, false);
    INFO("stdout: " << out << "\nstderr: " << err);
    REQUIRE_FALSE(j.is_discarded());
    return j;
}

CliResult run_backstop(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, int timeout_seconds) {
    return run_backstop_via({}, args, env, timeout_seconds);
}

CliResult run_backstop_via(const std::vector<std::string>& wrapper, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env, int timeout_seconds) {
    ProcessRequest req;
    req.argv = wrapper;
    req.argv.push_back(BACKSTOP_BINARY);
    req.argv.insert(req.argv.end(), args.begin(), args.end());
    req.env_overrides = env;
    req.timeout = Duration{timeout_seconds * 1000};
    ProcessResult r = make_process_runner()->run(req);
    CliResult out;
    out.exit_code = r.ok() || (r.started && !r.timed_out && r.signal == 0) ? r.exit_code : -1;
    out.out = r.out;
    out.err = r.err;
    out.seconds = to_seconds(r.elapsed);
    return out;
}

pid_t spawn_backstop(const std::vector<std::string>& args) {
    std::vector<std::string> argv{BACKSTOP_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t pid = spawn_child(std::move(argv), "/dev/null", false);
    INFO("cannot start " << BACKSTOP_BINARY);
    REQUIRE(pid > 0);
    return pid;
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace backstop::test
