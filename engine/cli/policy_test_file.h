// A policy test file (`backstop test FILE`): which policies, what they are fed (recorded observations
// or events, as `simulate` takes them, or observations written inline) and what the triggers must do.
// Read with the policy reader, so every mistake is an error at FILE:LINE:COL.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/policy_files.h"
#include "core/diagnostic.h"

namespace backstop::cli {

// One step the replay must contain: a trigger of a service doing `step`, and what it decided.
struct ExpectedStep {
    SourcePosition at;                 // where the expectation is written
    std::optional<std::int64_t> at_ms;  // when, after the start; any time when absent
    std::string service;
    std::string trigger;
    std::string step = "fire";
    std::optional<std::string> action;
    std::optional<std::string> rule;
    std::optional<std::string> outcome;
    std::optional<std::string> to;                 // the planned run's target version
    std::optional<std::vector<std::string>> plan;  // every step of the planned run, in order; [] = none planned
    std::optional<std::string> guard;              // pause, cooldown, max_attempts or lock held it back
};

struct PolicyTestCase {
    std::string name;
    SourcePosition at;
    std::optional<std::filesystem::path> observations_file;  // as `simulate --observations` reads
    std::optional<std::filesystem::path> events_file;        // as `simulate --event` reads
    std::string inline_observations;                         // [[test.observation]], as JSON lines
    std::vector<ExpectedStep> expect;
};

struct PolicyTestFile {
    std::filesystem::path path;
    std::optional<std::filesystem::path> policies;  // absent: the --policies of the command line
    std::vector<PolicyTestCase> tests;
};

// A test file larger than this is refused before it is parsed, as a policy file is.
inline constexpr std::size_t kMaxTestFileBytes = kMaxPolicyFileBytes;

// The file's tests, or nullopt with every problem in `out`.
std::optional<PolicyTestFile> read_policy_test_file(const std::filesystem::path& path, Diagnostics& out);

}  // namespace backstop::cli
