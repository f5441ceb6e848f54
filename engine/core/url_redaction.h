// A URL as it may be shown: in logs, history, errors and plans, where credentials and query
// strings (tokens) must never appear.
#pragma once

#include <string>

namespace backstop {

// Drops credentials and the query string from a URL before it is shown anywhere.
std::string redact_url(const std::string& url);

}  // namespace backstop
