// Rollback points on disk: STATE/points/SERVICE/ID/ holds point.json, copies of the config files
// (named by their SHA-256) and tar.gz archives of the data folders. point.json is written last, so
// a point cut off while being made is never listed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/rollback_point.h"
#include "prim/process_runner.h"

namespace backstop {

class PointStore {
public:
    PointStore(std::filesystem::path root, ProcessRunner& processes, Duration timeout = Duration{600'000});

    // Stores the point: copies each config path in p.configs (filling its sha256) and, for each
    // p.volumes entry, archives the folder (filling archive and sha256). Throws Error; a failed
    // save leaves nothing behind.
    void save(RollbackPoint& p);
    std::vector<RollbackPoint> list(const std::string& service) const;  // newest first
    std::optional<RollbackPoint> find(const std::string& id) const;
    // `ref` a point id of `service`, or `latest`: its newest point. nullopt when there is none
    // (or the id is another service's).
    std::optional<RollbackPoint> find_of(const std::string& service, const std::string& ref) const;
    // Bytes of the files the point holds on disk (point.json, config copies, archives).
    std::uintmax_t size_on_disk(const RollbackPoint& p) const;
    void remove(const RollbackPoint& p);

    // Content of a stored config copy, checked against its digest. Throws Error.
    std::string config_content(const RollbackPoint& p, const PointFile& f) const;
    // Replaces the folder with the archive's content (extracted beside it, then renamed into
    // place), keeping the content it replaced in a hidden folder beside it, whose path it returns
    // ("" when the folder did not exist) for put_back_folder or drop_kept_folder.
    std::filesystem::path restore_volume_keeping(const RollbackPoint& p, const PointVolume& v) const;

private:
    std::filesystem::path dir_of(const RollbackPoint& p) const { return root_ / p.service / p.id; }
    void run(const std::vector<std::string>& argv) const;
    void save_config(const std::filesystem::path& dir, PointFile& c) const;

    std::filesystem::path root_;
    ProcessRunner& processes_;
    Duration timeout_;
};

// Writes `content` to `path` atomically (temp file in the same folder, fsync, rename), keeping
// the file's mode when it exists.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);
std::optional<std::string> read_whole_file(const std::filesystem::path& path);

// Undoes restore_volume_keeping: `folder` gets back the content kept in `kept` (or, when `kept`
// is empty, ceases to exist). Throws Error.
void put_back_folder(const std::filesystem::path& folder, const std::filesystem::path& kept);
// Forgets the content restore_volume_keeping kept.
void drop_kept_folder(const std::filesystem::path& kept);

}  // namespace backstop
