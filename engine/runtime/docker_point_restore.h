// Returning a docker service to a rollback point in Prime Spark's order: stop the container,
// restore the point's config files and volumes, start a container on the point's image (the run
// verifies next). A failure on the way puts back the old container on its image with the config
// files and volume content it had, so the service is never left half switched.
#pragma once

#include <string>

#include "core/rollback_point.h"
#include "prim/docker_cli.h"
#include "prim/point_store.h"
#include "runtime/docker_versions.h"
#include "runtime/point_files.h"
#include "runtime/step_recorder.h"

namespace backstop {

class DockerPointRestore {
public:
    DockerPointRestore(DockerVersions& versions, const RollbackPoint& point, const PointStore& store,
                       const DockerCli& docker, StepRecorder& steps);

    // A dry run: the same steps in the same order, planned; only reads reach docker.
    void plan(const std::string& from, const std::string& to);
    // Steps stage, stop, config…, volume…, start; on a failure after stage, put-back. Throws Error
    // saying what failed and whether the old container, files and volumes are back.
    void run(const std::string& from, const std::string& to, const std::string& run_id);

private:
    // The point with each docker volume's path set to where its data lives now. Throws Error.
    RollbackPoint with_live_volumes() const;
    // Undoes a failed restore; returns the sentence saying how that went.
    std::string put_back(const DockerVersions::Switch& s, PointFiles& files, const std::string& from);

    DockerVersions& versions_;
    const RollbackPoint& point_;
    const PointStore& store_;
    const DockerCli& docker_;
    StepRecorder& steps_;
};

}  // namespace backstop
