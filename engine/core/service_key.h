// The name a service's state is kept under (history matching, locks, pauses, points, watch state):
// NAME, or NAME@ENV for a service with an environment. '@' is never part of a name.
#pragma once

#include <string>

namespace backstop {

inline std::string service_key(const std::string& name, const std::string& env) {
    return env.empty() ? name : name + "@" + env;
}

}  // namespace backstop
