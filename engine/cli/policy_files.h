// Turns `--policies PATH` into policy sources: a file, or every *.toml below a folder. A path that
// cannot be read (a dangling link, a folder that cannot be listed, a FIFO) is an error at that path,
// never skipped in silence.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "policy/policy.h"

namespace backstop::cli {

struct PolicyFiles {
    std::vector<PolicySource> sources;  // every policy file that could be read, sorted by path
    Diagnostics problems;               // each path that could not be read, at that path
};

// Policy files (and policy test files) larger than this are refused before they are parsed: the
// largest hand-written or generated ones are a few hundred KiB, and toml++ holds the whole tree.
inline constexpr std::size_t kMaxPolicyFileBytes = 4u << 20;

// The text of one regular file of at most kMaxPolicyFileBytes, or nullopt with `error` saying why
// not ("cannot read policy file: …", "too large: …"); `what` names the file in it ("policy", "test").
std::optional<std::string> read_toml_file(const std::filesystem::path& file, std::string_view what, std::string& error);

// Throws backstop::Error only when PATH does not exist; every other problem is in `problems`.
PolicyFiles read_policy_files(const std::filesystem::path& path);

// The same, throwing backstop::Error at the first problem: for callers that need every file.
std::vector<PolicySource> read_policy_sources(const std::filesystem::path& path);

}  // namespace backstop::cli
