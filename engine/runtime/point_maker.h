// Making a rollback point of a service as it is now, then pruning what retention lets go.
#pragma once

#include <string>

#include "core/rollback_point.h"
#include "policy/policy.h"
#include "prim/point_store.h"
#include "prim/process_runner.h"
#include "runtime/point_retention.h"

namespace backstop {

struct PointRequest {
    std::string description;
    bool include_volumes = false;
    std::string actor;
    std::string host;
};

// The point `create_point` would save now, with nothing saved (its configs and volumes not yet
// read: no digests, no archives). Throws Error when the service has no current version.
RollbackPoint plan_point(const ServicePolicy& service, ProcessRunner& processes, const PointRequest& request);

// Saves the point (throws Error, leaving nothing behind) and returns it with the points pruned
// by `points.keep` and `points.max_age`.
RollbackPoint create_point(const ServicePolicy& service, ProcessRunner& processes, PointStore& store,
                           const PointRequest& request, std::vector<PrunedPoint>* pruned);

std::string new_point_id();

}  // namespace backstop
