// Which processes belong to a run. Every process the runner starts while a run is under way on
// this thread carries the run's id in its environment (BACKSTOP_RUN_ID, inherited by whatever it
// starts in turn), so when a run dies (kill -9, power loss of the host's agent) the next holder
// of its service's lock can find what it left running and end it before acting itself.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace backstop {

inline constexpr const char* kRunIdVariable = "BACKSTOP_RUN_ID";

// Marks the processes this thread starts until the scope ends as belonging to `run_id`.
class RunProcessScope {
public:
    explicit RunProcessScope(std::string run_id);
    ~RunProcessScope();
    RunProcessScope(const RunProcessScope&) = delete;
    RunProcessScope& operator=(const RunProcessScope&) = delete;

private:
    std::string previous_;
};

// The run id of the scope this thread is in; "" outside runs.
const std::string& current_run_id();

struct RunProcess {
    pid_t pid = 0;
    std::string command;  // the command line, for the record ("sh -c sleep 300")
};

// Live processes whose environment says they belong to `run_id` (zombies left out).
std::vector<RunProcess> find_run_processes(const std::string& run_id);

// SIGTERM to each, SIGKILL to those still alive after `grace`. Returns what was ended.
std::vector<RunProcess> end_run_processes(const std::vector<RunProcess>& processes, std::chrono::milliseconds grace);

}  // namespace backstop
