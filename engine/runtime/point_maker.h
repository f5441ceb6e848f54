// Making a rollback point of a service as it is now, and keeping only the newest `keep`.
#pragma once

#include <string>

#include "core/rollback_point.h"
#include "policy/policy.h"
#include "prim/point_store.h"
#include "prim/process_runner.h"

namespace backstop {

struct PointRequest {
    std::string description;
    bool include_volumes = false;
    std::string actor;
    std::string host;
};

// Saves the point (throws Error, leaving nothing behind) and returns it with the ids of the
// points pruned by `points.keep`.
RollbackPoint create_point(const ServicePolicy& service, ProcessRunner& processes, PointStore& store,
                           const PointRequest& request, std::vector<std::string>* pruned);

std::string new_point_id();

}  // namespace backstop
