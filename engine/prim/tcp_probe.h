// Whether something accepts TCP connections on host:port, within a timeout.
#pragma once

#include <string>

#include "core/duration.h"

namespace backstop {

// Empty when a connection was accepted; else why not ("connection refused", "timed out after 1s").
std::string tcp_connect_error(const std::string& host, int port, Duration timeout);

}  // namespace backstop
