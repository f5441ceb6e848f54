// Running external programs: argv only (never a shell), a deadline, output captured.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.h"

namespace backstop {

struct ProcessRequest {
    std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
    std::string working_dir;        // empty: inherit
    std::map<std::string, std::string> env_overrides;  // added to the inherited environment
    Duration timeout{60'000};
    std::size_t max_output = 1 << 20;  // per stream; the tail is kept when longer
};

struct ProcessResult {
    int exit_code = -1;        // valid when !signaled && !timed_out && started
    int signal = 0;            // terminating signal, if any
    bool started = false;      // false: could not be spawned (see error)
    bool timed_out = false;    // the whole process group was killed at the deadline
    std::string out;
    std::string err;
    std::string error;         // why it could not be spawned (or was reaped elsewhere)
    Duration elapsed{0};
    Duration timeout{0};       // the request's deadline, for summary()

    bool ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }
    // For logs and errors: "exit 3: <stderr tail>", "timed out after 5s", "killed by signal 9";
    // `lines` is how many lines of the output's tail an exit shows.
    std::string summary(int lines = 1) const;
};

class ProcessRunner {
public:
    virtual ~ProcessRunner() = default;
    virtual ProcessResult run(const ProcessRequest& request) = 0;
};

// Real runner: own process group per child, killed as a group at the deadline, reaped always.
std::unique_ptr<ProcessRunner> make_process_runner();

}  // namespace backstop
