#include "decide/firing_alerts.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace backstop {

bool FiringAlerts::update(const std::string& key, bool firing, std::int64_t now_ms) {
    if (!firing) return since_ms_.erase(key) > 0;
    if (since_ms_.count(key)) return false;
    if (since_ms_.size() >= kMaxTracked) {
        auto oldest = std::min_element(since_ms_.begin(), since_ms_.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
        since_ms_.erase(oldest);
    }
    since_ms_.emplace(key, now_ms);
    return true;
}

nlohmann::json FiringAlerts::to_json() const {
    nlohmann::json firing = nlohmann::json::object();
    for (const auto& [key, since] : since_ms_) firing[key] = since;
    return {{"firing", firing}};
}

void FiringAlerts::load_json(const nlohmann::json& j) {
    since_ms_.clear();
    if (!j.is_object() || !j.contains("firing") || !j["firing"].is_object()) return;
    for (const auto& [key, since] : j["firing"].items()) {
        if (!since.is_number_integer() || since_ms_.size() >= kMaxTracked) continue;
        since_ms_.emplace(key, since.get<std::int64_t>());
    }
}

}  // namespace backstop
