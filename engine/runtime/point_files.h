// Putting a rollback point's config files and data folders back in place, one step each, with
// what they replaced kept aside until the run commits, so a rollback that fails later can return
// the service's own files and volume content.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/rollback_point.h"
#include "prim/point_store.h"
#include "runtime/step_recorder.h"

namespace backstop {

class PointFiles {
public:
    // `point`'s volume paths must be where the data lives now (a docker volume's mount point).
    PointFiles(const RollbackPoint& point, const PointStore& store, StepRecorder& steps);
    ~PointFiles();  // commits what was not put back
    PointFiles(const PointFiles&) = delete;
    PointFiles& operator=(const PointFiles&) = delete;

    // A dry run: a planned step for each file and folder that would change, nothing touched.
    void plan();
    // Steps "config" (each file whose content differs, checked against the point's SHA-256) and
    // "volume" (each folder). Throws Error at the first failure; what was restored before it stays
    // until put_back or commit.
    void restore();
    // Returns every restored file and folder to what it was before restore(). Throws Error naming
    // what could not be put back (after trying all).
    void put_back();
    // Forgets the kept content: the point's files stay.
    void commit();

private:
    struct KeptFile {
        std::string path;
        std::optional<std::string> content;  // nullopt: the file did not exist
    };
    struct KeptFolder {
        std::string path;
        std::filesystem::path kept;  // empty: the folder did not exist
    };
    void restore_config(const PointFile& f);
    void restore_volume(const PointVolume& v);
    std::string config_detail(const PointFile& f, const std::optional<std::string>& now_sha256) const;
    std::string volume_detail(const PointVolume& v) const;

    const RollbackPoint& point_;
    const PointStore& store_;
    StepRecorder& steps_;
    std::vector<KeptFile> files_;
    std::vector<KeptFolder> folders_;
};

}  // namespace backstop
