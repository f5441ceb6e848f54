// Turns `--policies PATH` into policy sources: a file, or every *.toml below a folder. A path that
// cannot be read (a dangling link, a folder that cannot be listed, a FIFO) is an error at that path,
// never skipped in silence.
#pragma once

#include <filesystem>
#include <vector>

#include "core/diagnostic.h"
#include "policy/policy.h"

namespace backstop::cli {

struct PolicyFiles {
    std::vector<PolicySource> sources;  // every policy file that could be read, sorted by path
    Diagnostics problems;               // each path that could not be read, at that path
};

// Throws backstop::Error only when PATH does not exist; every other problem is in `problems`.
PolicyFiles read_policy_files(const std::filesystem::path& path);

// The same, throwing backstop::Error at the first problem: for callers that need every file.
std::vector<PolicySource> read_policy_sources(const std::filesystem::path& path);

}  // namespace backstop::cli
