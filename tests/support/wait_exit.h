// Waiting for a child process the test started itself (a daemon under test), with a limit.
#pragma once

#include <chrono>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>

namespace backstop::test {

// True once `pid` has exited and was reaped (or is not our child); false when `limit` passed first.
inline bool wait_exit(pid_t pid, std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid || r < 0) return true;
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace backstop::test
