// Which rollback points a service's retention (`keep` and `max_age` of [service.NAME.points])
// lets go, and pruning them: the newest point always stays, however old.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rollback_point.h"
#include "policy/policy.h"
#include "prim/point_store.h"

namespace backstop {

struct PrunedPoint {
    RollbackPoint point;
    std::string why;  // "beyond keep = 3", "older than max_age 30d"
};

// The points of `newest_first` that retention lets go, as of `now_ms`, oldest last.
std::vector<PrunedPoint> points_beyond_retention(const std::vector<RollbackPoint>& newest_first,
                                                 const PointSettings& retention, std::int64_t now_ms);

// Removes the service's points that retention lets go and returns them. Throws Error.
std::vector<PrunedPoint> prune_points(const ServicePolicy& service, PointStore& store, std::int64_t now_ms);

}  // namespace backstop
