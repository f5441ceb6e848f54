// `backstop hotfix SERVICE --eta 10m`: someone says a fix is on its way. Decision rules read the
// time left as `hotfix_eta` (the default tree waits for a hotfix due within 15 minutes instead of
// rolling back). A small file in the state folder, like a pause.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace backstop {

struct HotfixNotice {
    std::string service;
    std::int64_t declared_ms = 0;
    std::int64_t eta_ms = 0;  // when the fix is expected live
    std::string actor;
    std::string reason;
};

// The notice in force at `now_ms` (one whose eta passed more than an hour ago is stale and ignored).
std::optional<HotfixNotice> read_hotfix_notice(const std::filesystem::path& state_dir, const std::string& service,
                                               std::int64_t now_ms);
void write_hotfix_notice(const std::filesystem::path& state_dir, const HotfixNotice& notice);
bool clear_hotfix_notice(const std::filesystem::path& state_dir, const std::string& service);

}  // namespace backstop
