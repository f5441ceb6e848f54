// What a fuzz target calls when the code under test broke a promise of its interface (not only a
// crash): prints the promise and aborts, which libFuzzer and the regression driver both report.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace backstop::fuzz {

inline void check(bool holds, std::string_view promise) {
    if (holds) return;
    std::fprintf(stderr, "fuzz: broken promise: %.*s\n", static_cast<int>(promise.size()), promise.data());
    std::abort();
}

}  // namespace backstop::fuzz
