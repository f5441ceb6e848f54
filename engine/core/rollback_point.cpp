#include "core/rollback_point.h"

namespace backstop {

nlohmann::json to_json(const RollbackPoint& p) {
    nlohmann::json configs = nlohmann::json::array(), volumes = nlohmann::json::array();
    for (const auto& c : p.configs) configs.push_back({{"path", c.path}, {"sha256", c.sha256}});
    for (const auto& v : p.volumes) {
        nlohmann::json j = {{"path", v.path}, {"archive", v.archive}, {"sha256", v.sha256}};
        if (!v.docker_volume.empty()) j["docker_volume"] = v.docker_volume;
        volumes.push_back(j);
    }
    return {{"id", p.id},         {"service", p.service}, {"strategy", p.strategy},       {"version", p.version}, {"version_id", p.version_id},
            {"description", p.description}, {"created_ms", p.created_ms}, {"actor", p.actor}, {"host", p.host},
            {"policy_commit", p.policy_commit}, {"configs", configs}, {"volumes", volumes}};
}

RollbackPoint rollback_point_from_json(const nlohmann::json& j) {
    RollbackPoint p;
    p.id = j.at("id").get<std::string>();
    p.service = j.at("service").get<std::string>();
    p.strategy = j.value("strategy", "");
    p.version = j.at("version").get<std::string>();
    p.version_id = j.value("version_id", "");
    p.description = j.value("description", "");
    p.created_ms = j.value("created_ms", std::int64_t{0});
    p.actor = j.value("actor", "");
    p.host = j.value("host", "");
    p.policy_commit = j.value("policy_commit", "");
    for (const auto& c : j.value("configs", nlohmann::json::array())) p.configs.push_back({c.at("path"), c.at("sha256")});
    for (const auto& v : j.value("volumes", nlohmann::json::array()))
        p.volumes.push_back({v.at("path"), v.value("docker_volume", ""), v.at("archive"), v.at("sha256")});
    return p;
}

bool is_point_id(const std::string& s) {
    if (s.size() != 15 || s.rfind("rb-", 0) != 0) return false;
    for (std::size_t i = 3; i < s.size(); ++i)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

bool names_point(const std::string& s) { return s == kLatestPoint || is_point_id(s); }

}  // namespace backstop
