// Turns `--policies PATH` into policy sources: a file, or every *.toml below a folder.
#pragma once

#include <filesystem>
#include <vector>

#include "policy/policy.h"

namespace backstop::cli {

// Throws backstop::Error when PATH does not exist or a file cannot be read.
std::vector<PolicySource> read_policy_sources(const std::filesystem::path& path);

}  // namespace backstop::cli
