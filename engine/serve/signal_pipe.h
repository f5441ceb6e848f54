// Signals as bytes on a pipe (the self-pipe trick): the handler only writes the signal's number,
// the daemon's main loop reads it and does the work outside the handler. Handlers are reset by
// exec, so children start with the default dispositions.
#pragma once

#include <csignal>
#include <initializer_list>
#include <map>

#include "core/duration.h"

namespace backstop {

class SignalPipe {
public:
    // Installs the handler for `signals`; throws Error when the pipe cannot be made. One at a time
    // per process.
    explicit SignalPipe(std::initializer_list<int> signals);
    ~SignalPipe();  // restores the previous handlers
    SignalPipe(const SignalPipe&) = delete;
    SignalPipe& operator=(const SignalPipe&) = delete;

    // The next signal received, waiting at most `timeout`; 0 when none came.
    int wait(Duration timeout);

private:
    int read_fd_ = -1;
    std::map<int, struct sigaction> previous_;
};

}  // namespace backstop
