// What every verb needs: global options, the policies, the state folder, the real primitives.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cli/args.h"
#include "core/history_store.h"
#include "core/service_lock.h"
#include "policy/policy.h"

namespace backstop::cli {

// `unrecorded`: the run ended as for `ok`, but its end could not be written to history.
enum class Exit : int { ok = 0, failed = 1, verify_failed = 2, refused = 3, unrecorded = 4, usage = 64 };

struct App {
    Args args;
    std::filesystem::path policies_path;
    std::filesystem::path state_dir;
    bool json = false;

    // Reads every policy file and loads it; problems are in the result's diagnostics.
    PolicyLoadResult load_policies() const;
    // Loads policies and returns the named service, printing why when it cannot.
    // `holder` keeps the PolicySet alive.
    const ServicePolicy* service(const std::string& name, PolicyLoadResult& holder) const;

    std::filesystem::path history_file() const { return state_dir / "history.jsonl"; }
    std::filesystem::path lock_dir() const { return state_dir / "locks"; }
    std::filesystem::path points_dir() const { return state_dir / "points"; }
    std::unique_ptr<HistoryStore> history() const;
    std::unique_ptr<LockManager> locks() const;
};

std::filesystem::path default_policies_path();
std::filesystem::path default_state_dir();
std::string this_host();
std::string default_actor();

}  // namespace backstop::cli
