// Polling for something another process does (a daemon rolls back, a receiver gets a request):
// the limit only bounds a hang, it is never the assertion.
#pragma once

#include <chrono>
#include <thread>

namespace backstop::test {

// True once `done()` holds (checked every 50 ms); false when `limit` passed first.
template <class Condition>
bool eventually(Condition done, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

}  // namespace backstop::test
