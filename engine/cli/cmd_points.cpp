// `backstop points list|create|delete`: a service's rollback points — its releases (or commits)
// and the points made with `points create`, which also keep config files and volumes.
#include <iostream>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "core/error.h"
#include "core/json_text.h"
#include "core/run_record.h"
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

int list(App& app, const std::string& name) {
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(name, loaded);
    auto processes = make_process_runner();
    PointStore store(app.points_dir(), *processes);
    auto points = store.list(svc->name);

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
        for (const auto& p : points) pts.push_back(point_json(p));
        std::cout << json_text(nlohmann::json{{"service", svc->name}, {"current", current}, {"points", releases},
                                              {"rollback_points", pts}},
                               2)
                  << "\n";
        return 0;
    }
    if (svc->strategy == "releases") {
        std::cout << "Releases of " << svc->name << " (" << svc->releases.string() << "), newest first:\n";
        if (releases.empty()) std::cout << "  (no releases)\n";
        for (const auto& r : releases) {
            std::string n = r["name"].get<std::string>();
            bool is_current = r["current"].get<bool>();
            std::cout << (is_current ? "* " : "  ") << n << std::string(n.size() < 24 ? 24 - n.size() : 1, ' ')
                      << r["modified"].get<std::string>() << (is_current ? "  (current)" : "") << "\n";
        }
        if (current.empty()) std::cout << "  note: " << svc->current.string() << " does not point at any of these\n";
    }
    std::cout << "Rollback points of " << svc->name << ", newest first (backstop rollback " << svc->name << " --to ID):\n";
    if (points.empty()) std::cout << "  (none; make one with `backstop points create " << svc->name << " --description TEXT`)\n";
    for (const auto& p : points) {
        std::cout << "  " << p.id << "  " << format_utc(p.created_ms).substr(0, 19) << "  " << p.version << "  "
                  << p.configs.size() << " config file(s), " << p.volumes.size() << " volume(s)  " << p.description << "\n";
    }
    return 0;
}

int create(App& app, const std::string& name) {
    auto description = app.args.value("--description");
    if (!description) throw UsageError{"points create needs --description TEXT"};
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(name, loaded);
    auto processes = make_process_runner();
    PointStore store(app.points_dir(), *processes);
    std::vector<std::string> pruned;
    RollbackPoint p = create_point(*svc, *processes, store,
                                   {*description, app.args.has("--include-volumes"), default_actor(), this_host()}, &pruned);
    if (app.json) {
        nlohmann::json j = point_json(p);
        j["pruned"] = pruned;
        std::cout << json_text(j, 2) << "\n";
        return 0;
    }
    std::cout << "Created " << p.id << " of " << p.service << " at " << p.version
              << (p.version_id.empty() || p.version_id == p.version ? "" : " (" + p.version_id + ")") << ": "
              << p.configs.size() << " config file(s), " << p.volumes.size() << " volume(s)\n";
    for (const auto& c : p.configs) std::cout << "  config " << c.path << "  sha256 " << c.sha256 << "\n";
    for (const auto& v : p.volumes)
        std::cout << "  volume " << (v.docker_volume.empty() ? v.path : "docker " + v.docker_volume + " (" + v.path + ")")
                  << "  " << v.archive << "\n";
    for (const auto& id : pruned) std::cout << "  pruned " << id << " (keep = " << svc->points.keep << ")\n";
    return 0;
}

int remove(App& app, const std::string& id) {
    auto processes = make_process_runner();
    PointStore store(app.points_dir(), *processes);
    auto p = store.find(id);
    if (!p) throw Error("no rollback point " + id + " in " + app.points_dir().string());
    store.remove(*p);
    if (app.json) {
        std::cout << json_text(nlohmann::json{{"deleted", id}, {"service", p->service}, {"version", p->version}}, 2) << "\n";
        return 0;
    }
    std::cout << "Deleted " << id << " (" << p->service << " at " << p->version << ")\n";
    return 0;
}

}  // namespace

int run_points(App& app) {
    // The verb table has checked that pos[1] is one of these.
    const auto& pos = app.args.positionals;
    if (pos[1] == "list") return list(app, pos[2]);
    if (pos[1] == "create") return create(app, pos[2]);
    return remove(app, pos[2]);
}

}  // namespace backstop::cli
