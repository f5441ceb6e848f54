// The badge's choice of run and its colours; shields.io reads the JSON from an endpoint badge URL
// (https://img.shields.io/endpoint?url=…), so the names are its colour names.
#include "core/service_key.h"
#include "runtime/history_badge.h"

#include <algorithm>
#include <optional>

#include "runtime/unfinished_runs.h"

namespace backstop {

namespace {

// The shields.io colour of a run's outcome; nullopt for the runs a badge passes over.
std::optional<std::string> badge_colour(const RunRecord& r) {
    if (r.mode == RunMode::dry_run) return std::nullopt;
    switch (r.outcome) {
        case Outcome::succeeded:
        case Outcome::verified: return "brightgreen";
        case Outcome::verify_failed: return "yellow";
        case Outcome::running: return "blue";
        case Outcome::failed:
        case Outcome::manual:
        case Outcome::incomplete:
        case Outcome::unrecorded:
        case Outcome::unhealthy: return "red";
        case Outcome::refused:
        case Outcome::dry_run:
        case Outcome::suppressed:
        case Outcome::paged:
        case Outcome::awaiting_hotfix:
        case Outcome::no_action:
        case Outcome::nothing_to_do: return std::nullopt;
    }
    return std::nullopt;
}

nlohmann::json endpoint_json(const std::string& label, const std::string& message, const std::string& colour) {
    return {{"schemaVersion", 1}, {"label", label}, {"message", message}, {"color", colour}};
}

}  // namespace

nlohmann::json service_badge(const std::string& service, HistoryStore& history, LockManager& locks) {
    std::vector<RunRecord> runs = history.load();
    runs.erase(std::remove_if(runs.begin(), runs.end(), [&](const RunRecord& r) { return service_key(r.service, r.env) != service; }), runs.end());
    mark_incomplete_runs(runs, locks);
    std::stable_sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.started_ms > b.started_ms; });
    for (const RunRecord& r : runs)
        if (auto colour = badge_colour(r)) return endpoint_json(service, to_string(r.outcome), *colour);
    return endpoint_json(service, "no runs", "lightgrey");
}

}  // namespace backstop
