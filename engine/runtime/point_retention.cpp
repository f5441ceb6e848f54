// Retention of rollback points by count and by age (see the header).
#include "runtime/point_retention.h"

#include "core/duration.h"

namespace backstop {

namespace {

std::string reason_to_prune(std::size_t index, const RollbackPoint& p, const PointSettings& retention, std::int64_t now_ms) {
    // A service that has not deployed for a month must still have a point to roll back to.
    if (index == 0) return "";
    if (retention.keep > 0 && index >= static_cast<std::size_t>(retention.keep))
        return "beyond keep = " + std::to_string(retention.keep);
    if (retention.max_age.count() > 0 && now_ms - p.created_ms > retention.max_age.count())
        return "older than max_age " + format_duration(retention.max_age);
    return "";
}

}  // namespace

std::vector<PrunedPoint> points_beyond_retention(const std::vector<RollbackPoint>& newest_first,
                                                 const PointSettings& retention, std::int64_t now_ms) {
    std::vector<PrunedPoint> out;
    for (std::size_t i = 0; i < newest_first.size(); ++i) {
        std::string why = reason_to_prune(i, newest_first[i], retention, now_ms);
        if (!why.empty()) out.push_back({newest_first[i], std::move(why)});
    }
    return out;
}

std::vector<PrunedPoint> prune_points(const ServicePolicy& service, PointStore& store, std::int64_t now_ms) {
    auto pruned = points_beyond_retention(store.list(service.key), service.points, now_ms);
    for (const auto& p : pruned) store.remove(p.point);
    return pruned;
}

}  // namespace backstop
