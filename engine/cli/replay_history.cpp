#include "cli/replay_history.h"

#include <nlohmann/json.hpp>

namespace backstop::cli {

std::vector<RunRecord> ReplayHistory::load() {
    std::vector<RunRecord> all = real_.load();
    all.insert(all.end(), replayed_.begin(), replayed_.end());
    return all;
}

void ReplayHistory::add_replayed(const ServicePolicy& service, const TriggerReport& report, std::int64_t at_ms) {
    if (report.action.empty()) return;
    RunRecord rec;
    rec.run_id = report.run_id;
    rec.service = service.name;  // as the watcher records it: the guards match name and env
    rec.env = service.env;
    rec.trigger = "trigger:" + report.trigger;
    rec.decision = {{"trigger", report.trigger}, {"action", report.action}};
    rec.started_ms = rec.ended_ms = at_ms;
    rec.level = report.level;
    rec.to = report.to;
    rec.outcome = report.outcome == Outcome::dry_run ? Outcome::succeeded : report.outcome;
    replayed_.push_back(std::move(rec));
}

}  // namespace backstop::cli
