// `backstop pause SERVICE [--for 30m]`: planned work during which triggers do not act. A pause
// is a small file in the state folder, so every process (eval from cron, the daemon) sees it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace backstop {

struct ServicePause {
    std::string service;
    std::int64_t since_ms = 0;
    std::int64_t until_ms = 0;  // 0: until `backstop resume`
    std::string actor;
    std::string reason;
};

// The pause in force at `now_ms`, if any (an expired one is ignored).
std::optional<ServicePause> read_pause(const std::filesystem::path& state_dir, const std::string& service, std::int64_t now_ms);
void write_pause(const std::filesystem::path& state_dir, const ServicePause& pause);
// True when a pause was lifted.
bool clear_pause(const std::filesystem::path& state_dir, const std::string& service);

// "paused by alice until 2026-11-23T18:30:00.000Z: database migration"
std::string describe(const ServicePause& pause);

}  // namespace backstop
