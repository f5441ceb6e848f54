#include "serve/run_log.h"

#include <spdlog/spdlog.h>

namespace backstop {

void RunLog::step_started(const StepRecord& step) { spdlog::debug("{}: step {} started: {}", service_, step.name, step.detail); }

void RunLog::step_finished(const StepRecord& step) {
    auto level = step.status == StepStatus::failed ? spdlog::level::warn : spdlog::level::debug;
    spdlog::log(level, "{}: step {} {} in {}ms: {} {}", service_, step.name, to_string(step.status), step.duration_ms, step.detail,
                step.message);
}

void RunLog::logged(const LogLine& line) {
    auto level = line.level == "error"  ? spdlog::level::err
                 : line.level == "warn" ? spdlog::level::warn
                 : line.level == "debug" ? spdlog::level::debug
                                         : spdlog::level::info;
    spdlog::log(level, "{}: runbook: {}", service_, line.message);
}

void log_trigger_report(const TriggerReport& r) {
    if (!r.action.empty()) {
        bool bad = r.outcome == Outcome::failed || r.outcome == Outcome::verify_failed || r.outcome == Outcome::refused;
        std::string why = r.observed.empty() ? r.rule : r.rule + " because " + r.observed;
        spdlog::log(bad ? spdlog::level::err : spdlog::level::warn, "{}/{} fired: {} ({}) -> {}: {}{}", r.service, r.trigger, r.action,
                    why, to_string(r.outcome), r.message, r.run_id.empty() ? "" : " [run " + r.run_id + "]");
        return;
    }
    if (r.step == TriggerStep::cleared) {
        spdlog::info("{}/{} cleared: {}", r.service, r.trigger, r.observed);
        return;
    }
    spdlog::debug("{}/{}: {} {}", r.service, r.trigger, to_string(r.step), r.observed);
}

}  // namespace backstop
