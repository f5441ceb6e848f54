// Errors that cross module boundaries. `Error` is recoverable and carries a message meant for an
// on-call engineer; the CLI maps it to an exit code. Timeouts are a kind of Error so callers can tell.
#pragma once

#include <stdexcept>
#include <string>

namespace backstop {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class TimeoutError : public Error {
public:
    using Error::Error;
};

}  // namespace backstop
