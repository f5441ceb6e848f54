// A rollback point: what a service was at one moment — its version, the content of its config
// files and, optionally, archives of its data folders — so a rollback can return to all of it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace backstop {

struct PointFile {
    std::string path;    // absolute path of the config file on the host
    std::string sha256;  // of its content when the point was made
};

struct PointVolume {
    std::string path;           // absolute path of the folder (a docker volume's mount point)
    std::string docker_volume;  // name of the docker volume; empty for a plain folder
    std::string archive;  // file name of its tar.gz inside the point
    std::string sha256;   // of the archive
};

struct RollbackPoint {
    std::string id;  // "rb-" + 12 hex digits
    std::string service;
    std::string strategy;
    std::string version;     // release name, commit id or image reference
    std::string version_id;  // what `version` named then, immutably: full commit id, image id; may be empty
    std::string description;
    std::int64_t created_ms = 0;
    std::string actor;
    std::string host;
    std::string policy_commit;  // commit of the policy repository, if it is one
    std::vector<PointFile> configs;
    std::vector<PointVolume> volumes;
};

nlohmann::json to_json(const RollbackPoint& p);
RollbackPoint rollback_point_from_json(const nlohmann::json& j);  // throws nlohmann::json::exception

bool is_point_id(const std::string& s);  // "rb-" followed by 12 lower-case hex digits

// `--to latest`, `points delete latest`: the newest point of the service, whatever its id.
inline constexpr std::string_view kLatestPoint = "latest";
// A point id or `latest`: a target that names a rollback point rather than a version.
bool names_point(const std::string& s);

}  // namespace backstop
