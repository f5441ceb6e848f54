// The version backstop was built as, and the commit it was built from.
#pragma once

#include <string>

namespace backstop {

// "abc1234", "abc1234-dirty", or "" outside a git checkout.
std::string build_commit();

// "0.1.0 (abc1234)", "0.1.0 (abc1234-dirty)", or "0.1.0 (unknown commit)" outside a git checkout.
std::string build_version();

}  // namespace backstop
