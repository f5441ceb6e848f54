// The immutable policy model: what `backstop` knows about each service once the TOML files are
// loaded and checked. Built only by the policy loader; everything downstream reads it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/duration.h"

namespace backstop {

struct HealthCheck {
    std::string url;
    Duration timeout{1000};
    Duration interval{1000};
    int attempts = 30;          // verification gives up after this many failed probes
    int expect_status = 0;      // 0: any 2xx; otherwise this exact status
    std::string expect_body;    // substring the body must contain; empty: no check
    SourcePosition defined_at;
};

struct RollbackSettings {
    std::filesystem::path runbook;  // absolute; empty: the default runbook from stdlib
    SourcePosition runbook_at;      // where `runbook` was written, for diagnostics
    int max_attempts = 3;           // rollbacks allowed within `window`
    Duration window{3'600'000};
    std::string level = "fast";     // level used when the CLI names none
    Duration hook_timeout{300'000}; // wall-clock limit of one runbook hook call
};

struct ServicePolicy {
    std::string name;
    std::string strategy;               // "releases"
    std::filesystem::path releases;     // absolute folder holding one folder per release
    std::filesystem::path current;      // absolute path of the symlink to the live release
    std::vector<std::string> restart;   // argv run after a switch; empty: nothing to restart
    Duration restart_timeout{60'000};
    std::optional<HealthCheck> health;
    RollbackSettings rollback;
    std::string env;                    // free label, e.g. "prod"; shown in history and plans
    std::filesystem::path policy_file;  // the file that defined the service
    SourcePosition defined_at;
};

struct PolicySet {
    std::map<std::string, ServicePolicy> services;  // by name

    const ServicePolicy* find(const std::string& name) const {
        auto it = services.find(name);
        return it == services.end() ? nullptr : &it->second;
    }
};

// One policy document: its text and the name errors should carry (normally its path).
struct PolicySource {
    std::string name;                // file path as shown in diagnostics
    std::string text;
    std::filesystem::path base_dir;  // relative paths in the document resolve against this
};

// A runbook a policy names, so its file can be checked even when the service has other errors.
struct RunbookReference {
    std::string service;
    std::filesystem::path file;
    SourcePosition at;
};

struct PolicyLoadResult {
    PolicySet policies;  // services without errors
    std::vector<RunbookReference> runbooks;
    Diagnostics diagnostics;
    bool successful() const { return !diagnostics.has_errors(); }
};

// Parses and checks every source, collecting every problem rather than stopping at the first.
// Does not read files: runbook existence and Lua syntax are checked by the runbook loader.
PolicyLoadResult load_policies(const std::vector<PolicySource>& sources);

}  // namespace backstop
