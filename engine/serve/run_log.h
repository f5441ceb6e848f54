// The daemon's log of what it did (spdlog, stderr): a rollback's steps and runbook lines as they
// happen, and one line per fired trigger or schedule with the action and why.
#pragma once

#include <string>

#include "runtime/run_observer.h"
#include "runtime/watcher.h"

namespace backstop {

// A run's progress, each line prefixed with the service: steps at debug (failed ones at warn),
// runbook lines at their own level.
class RunLog final : public RunObserver {
public:
    explicit RunLog(std::string service) : service_(std::move(service)) {}
    void step_started(const StepRecord& step) override;
    void step_finished(const StepRecord& step) override;
    void logged(const LogLine& line) override;

private:
    std::string service_;
};

// One line per report that did something: a fire ("web/service_down fired: rollback:fast (default
// tree #1: down) because consecutive_failures=2 failures=2 -> succeeded: …"), a hotfix deadline,
// a trigger clearing; quiet and holding steps only at debug.
void log_trigger_report(const TriggerReport& report);

}  // namespace backstop
