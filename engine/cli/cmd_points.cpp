// `backstop points list|create|delete`: a service's rollback points — its releases (or commits)
// and the points made with `points create`, which also keep config files and volumes.
#include <iostream>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "core/error.h"
#include "core/json_text.h"
#include "core/run_record.h"
#include "core/text.h"
#include "prim/point_store.h"
#include "prim/release_store.h"
#include "runtime/point_maker.h"

namespace backstop::cli {

namespace {

nlohmann::json point_json(const RollbackPoint& p) {
    nlohmann::json j = to_json(p);
    j["kind"] = "point";
    j["created"] = format_utc(p.created_ms);
    return j;
}

nlohmann::json pruned_json(const std::vector<PrunedPoint>& pruned) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : pruned) out.push_back(p.point.id);
    return out;
}

nlohmann::json pruned_reasons_json(const std::vector<PrunedPoint>& pruned) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : pruned)
        out.push_back({{"id", p.point.id}, {"created", format_utc(p.point.created_ms)}, {"why", p.why}});
    return out;
}

void print_pruned(const std::vector<PrunedPoint>& pruned, bool dry_run) {
    for (const auto& p : pruned)
        std::cout << (dry_run ? "  would prune " : "  pruned ") << p.point.id << " (made "
                  << format_utc(p.point.created_ms).substr(0, 19) << ", " << p.why << ")\n";
}

int list(App& app, const std::string& name) {
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(name, loaded);
    auto processes = make_process_runner();
    PointStore store(app.points_dir(), *processes);
    auto points = store.list(svc->key);

    nlohmann::json releases = nlohmann::json::array();
    std::string current;
    if (svc->strategy == "releases") {
        ReleaseStore rs(svc->releases, svc->current);
        auto names = rs.list();
        current = rs.current();
        for (auto it = names.rbegin(); it != names.rend(); ++it) {
            std::string path = rs.path_of(*it).string();
            struct stat st {};
            std::int64_t mtime_ms = ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 : 0;
            releases.push_back({{"name", *it}, {"kind", "release"}, {"current", *it == current}, {"path", path},
                                {"modified", mtime_ms ? format_utc(mtime_ms) : ""}});
        }
    }
    if (app.json) {
        nlohmann::json pts = nlohmann::json::array();
        for (const auto& p : points) {
            nlohmann::json j = point_json(p);
            j["size_bytes"] = store.size_on_disk(p);
            pts.push_back(std::move(j));
        }
        std::cout << json_text(nlohmann::json{{"service", svc->key}, {"current", current}, {"points", releases},
                                              {"rollback_points", pts}},
                               2)
                  << "\n";
        return 0;
    }
    if (svc->strategy == "releases") {
        std::cout << "Releases of " << svc->key << " (" << svc->releases.string() << "), newest first:\n";
        if (releases.empty()) std::cout << "  (no releases)\n";
        for (const auto& r : releases) {
            std::string n = r["name"].get<std::string>();
            bool is_current = r["current"].get<bool>();
            std::cout << (is_current ? "* " : "  ") << n << std::string(n.size() < 24 ? 24 - n.size() : 1, ' ')
                      << r["modified"].get<std::string>() << (is_current ? "  (current)" : "") << "\n";
        }
        if (current.empty()) std::cout << "  note: " << svc->current.string() << " does not point at any of these\n";
    }
    std::cout << "Rollback points of " << svc->key << ", newest first (backstop rollback " << svc->command_operand() << " --to ID):\n";
    if (points.empty()) std::cout << "  (none; make one with `backstop points create " << svc->command_operand() << " --description TEXT`)\n";
    for (const auto& p : points) {
        std::cout << "  " << p.id << "  " << format_utc(p.created_ms).substr(0, 19) << "  " << p.version << "  "
                  << human_bytes(store.size_on_disk(p)) << "  " << p.configs.size() << " config file(s), " << p.volumes.size() << " volume(s)  " << p.description << "\n";
    }
    return 0;
}

// What `points create --dry-run` would do: the point it would make and what retention would
// prune once it exists. Nothing is written or removed.
int plan_create(App& app, const ServicePolicy& svc, ProcessRunner& processes, PointStore& store, const PointRequest& request) {
    RollbackPoint p = plan_point(svc, processes, request);
    std::vector<RollbackPoint> after = store.list(svc.key);
    after.insert(after.begin(), p);
    auto pruned = points_beyond_retention(after, svc.points, p.created_ms);
    if (app.json) {
        nlohmann::json j = point_json(p);
        j.erase("id");  // made when the point is
        j["dry_run"] = true;
        j["would_prune"] = pruned_reasons_json(pruned);
        std::cout << json_text(j, 2) << "\n";
        return 0;
    }
    std::cout << "Dry run (nothing will change): would create a point of " << p.service << " at " << p.version
              << (p.version_id.empty() || p.version_id == p.version ? "" : " (" + p.version_id + ")") << ": "
              << p.configs.size() << " config file(s), " << p.volumes.size() << " volume(s)\n";
    for (const auto& c : p.configs) std::cout << "  config " << c.path << "\n";
    for (const auto& v : p.volumes)
        std::cout << "  volume " << (v.docker_volume.empty() ? v.path : "docker " + v.docker_volume + " (" + v.path + ")") << "\n";
    print_pruned(pruned, true);
    return 0;
}

int create(App& app, const std::string& name) {
    auto description = app.args.value("--description");
    if (!description) throw UsageError{"points create needs --description TEXT"};
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(name, loaded);
    auto processes = make_process_runner();
    PointStore store(app.points_dir(), *processes);
    PointRequest request{*description, app.args.has("--include-volumes"), default_actor(), this_host()};
    if (app.args.has("--dry-run")) return plan_create(app, *svc, *processes, store, request);
    std::vector<PrunedPoint> pruned;
    RollbackPoint p = create_point(*svc, *processes, store, request, &pruned);
    if (app.json) {
        nlohmann::json j = point_json(p);
        j["size_bytes"] = store.size_on_disk(p);
        j["pruned"] = pruned_json(pruned);
        j["pruned_reasons"] = pruned_reasons_json(pruned);
        std::cout << json_text(j, 2) << "\n";
        return 0;
    }
    std::cout << "Created " << p.id << " of " << p.service << " at " << p.version
              << (p.version_id.empty() || p.version_id == p.version ? "" : " (" + p.version_id + ")") << ": "
              << p.configs.size() << " config file(s), " << p.volumes.size() << " volume(s), "
              << human_bytes(store.size_on_disk(p)) << "\n";
    for (const auto& c : p.configs) std::cout << "  config " << c.path << "  sha256 " << c.sha256 << "\n";
    for (const auto& v : p.volumes)
        std::cout << "  volume " << (v.docker_volume.empty() ? v.path : "docker " + v.docker_volume + " (" + v.path + ")")
                  << "  " << v.archive << "\n";
    print_pruned(pruned, false);
    return 0;
}

// `latest` names the newest point of --service; an id may be checked against --service too.
std::optional<RollbackPoint> point_to_delete(App& app, const PointStore& store, const std::string& id) {
    auto service = app.args.value("--service");
    if (id == kLatestPoint && !service) throw UsageError{"points delete latest needs --service S: whose newest point?"};
    if (!service) return store.find(id);
    PolicyLoadResult loaded;
    auto p = store.find_of(app.service(*service, loaded)->key, id);
    if (!p && id == kLatestPoint) throw Error("service " + *service + " has no rollback points, so `latest` names none");
    return p;
}

int remove(App& app, const std::string& id) {
    auto processes = make_process_runner();
    PointStore store(app.points_dir(), *processes);
    auto p = point_to_delete(app, store, id);
    if (!p) throw Error("no rollback point " + id + (app.args.has("--service") ? " of service " + *app.args.value("--service") : "") +
                        " in " + app.points_dir().string());
    store.remove(*p);
    if (app.json) {
        std::cout << json_text(nlohmann::json{{"deleted", p->id}, {"service", p->service}, {"version", p->version}}, 2) << "\n";
        return 0;
    }
    std::cout << "Deleted " << p->id << " (" << p->service << " at " << p->version << ")\n";
    return 0;
}

}  // namespace

int run_points(App& app) {
    // The verb table has checked that pos[1] is one of these.
    const auto& pos = app.args.positionals;
    if (app.args.has("--dry-run") && pos[1] != "create") throw UsageError{"--dry-run is for `points create`"};
    if (app.args.has("--service") && pos[1] != "delete") throw UsageError{"--service is for `points delete`"};
    if (pos[1] == "list") return list(app, pos[2]);
    if (pos[1] == "create") return create(app, pos[2]);
    return remove(app, pos[2]);
}

}  // namespace backstop::cli
