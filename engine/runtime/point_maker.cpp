#include "runtime/point_maker.h"

#include <random>

#include "core/error.h"
#include "core/run_record.h"
#include "prim/docker_cli.h"
#include "prim/git_checkout.h"
#include "runtime/version_store.h"

namespace backstop {

std::string new_point_id() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char hex[13];
    std::snprintf(hex, sizeof hex, "%012llx", static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
    return std::string("rb-") + hex;
}

RollbackPoint plan_point(const ServicePolicy& service, ProcessRunner& processes, const PointRequest& request) {
    RollbackPoint p;
    p.id = new_point_id();
    p.service = service.key;
    p.strategy = service.strategy;
    p.description = request.description;
    p.created_ms = now_epoch_ms();
    p.actor = request.actor;
    p.host = request.host;
    auto versions = make_version_store(service, processes);
    p.version = versions->current();
    if (p.version.empty()) throw Error("service " + service.key + " has no current version to record");
    p.version_id = versions->version_id(p.version);
    try {
        GitCheckout policy_repo(processes, service.policy_file.parent_path(), Duration{5000});
        p.policy_commit = policy_repo.head();
    } catch (const Error&) {
        // The policies are not in a git repository: nothing to record.
    }
    for (const auto& f : service.points.config) p.configs.push_back({f.string(), ""});
    if (request.include_volumes) {
        for (const auto& v : service.points.volumes) p.volumes.push_back({v.string(), "", "", ""});
        if (!service.points.docker_volumes.empty()) {
            DockerCli docker(processes, service.docker.host, service.docker.timeout);
            for (const auto& name : service.points.docker_volumes)
                p.volumes.push_back({docker.volume_mountpoint(name), name, "", ""});
        }
    }
    return p;
}

RollbackPoint create_point(const ServicePolicy& service, ProcessRunner& processes, PointStore& store,
                           const PointRequest& request, std::vector<PrunedPoint>* pruned) {
    RollbackPoint p = plan_point(service, processes, request);
    store.save(p);
    auto gone = prune_points(service, store, now_epoch_ms());
    if (pruned) *pruned = std::move(gone);
    return p;
}

}  // namespace backstop
