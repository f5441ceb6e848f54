// The alerts of one event source that fire now, each known by a key (Alertmanager's fingerprint,
// else a digest of its name and labels). Alertmanager groups instances of an alert into one
// notification, so one instance resolving says nothing about the others: the source is ok only
// when none of its alerts fires. Kept with the watch state across restarts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace backstop {

class FiringAlerts {
public:
    // More keys than this (a flood of distinct alerts) drop the one that has fired longest.
    static constexpr std::size_t kMaxTracked = 10'000;

    // Records the alert `key` as firing since `now_ms` (unless it already was) or as resolved.
    // True when the set of firing alerts changed.
    bool update(const std::string& key, bool firing, std::int64_t now_ms);
    std::size_t firing() const { return since_ms_.size(); }

    nlohmann::json to_json() const;
    void load_json(const nlohmann::json& j);  // ignores what it does not understand

private:
    std::map<std::string, std::int64_t> since_ms_;  // key -> when it began firing
};

}  // namespace backstop
