// `backstop points list SERVICE`: the rollback points of a service, newest first.
#include <iostream>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "core/json_text.h"
#include "core/run_record.h"
#include "prim/release_store.h"

namespace backstop::cli {

int run_points(App& app) {
    const auto& pos = app.args.positionals;
    if (pos.size() != 3 || pos[1] != "list") throw UsageError{"usage: backstop points list SERVICE [--json]"};
    PolicyLoadResult loaded;
    const ServicePolicy* svc = app.service(pos[2], loaded);
    ReleaseStore store(svc->releases, svc->current);
    auto names = store.list();
    std::string current = store.current();

    nlohmann::json points = nlohmann::json::array();
    for (auto it = names.rbegin(); it != names.rend(); ++it) {
        std::string path = store.path_of(*it).string();
        struct stat st {};
        std::int64_t mtime_ms = ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 : 0;
        points.push_back({{"name", *it}, {"kind", "release"}, {"current", *it == current}, {"path", path},
                          {"modified", mtime_ms ? format_utc(mtime_ms) : ""}});
    }
    if (app.json) {
        std::cout << json_text(nlohmann::json{{"service", svc->name}, {"current", current}, {"points", points}}, 2) << "\n";
        return 0;
    }
    std::cout << "Rollback points of " << svc->name << " (" << svc->releases.string() << "), newest first:\n";
    if (points.empty()) std::cout << "  (no releases)\n";
    for (const auto& p : points) {
        std::string name = p["name"].get<std::string>();
        std::cout << (p["current"].get<bool>() ? "* " : "  ") << name << std::string(name.size() < 24 ? 24 - name.size() : 1, ' ')
                  << p["modified"].get<std::string>() << (p["current"].get<bool>() ? "  (current)" : "") << "\n";
    }
    if (current.empty()) std::cout << "  note: " << svc->current.string() << " does not point at any of these\n";
    return 0;
}

}  // namespace backstop::cli
