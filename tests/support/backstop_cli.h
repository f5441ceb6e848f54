// Runs the built `backstop` binary as a user would, through the real process runner.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/types.h>

namespace backstop::test {

struct CliResult {
    int exit_code = -1;
    std::string out;
    std::string err;
    double seconds = 0;

    nlohmann::json json() const;  // stdout parsed; fails the test when it is not JSON
};

// `backstop` with `args`; stdin is not a terminal, so it never prompts.
CliResult run_backstop(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                       int timeout_seconds = 60);
// The same, started through `wrapper` (its argv comes first, then the binary and `args`): a shell
// that sets a umask, setpriv dropping capabilities, and the like. A child still running after
// `timeout_seconds` is killed by its PID and reads exit_code -1.
CliResult run_backstop_via(const std::vector<std::string>& wrapper, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {}, int timeout_seconds = 60);

// Starts `backstop` with `args` as the test's own child (stdin and stdout /dev/null, stderr
// inherited) and returns its PID at once, for tests that signal a run mid-way: the caller kills it
// by that PID and reaps it. Fails the test when it cannot be started.
pid_t spawn_backstop(const std::vector<std::string>& args);

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

}  // namespace backstop::test
