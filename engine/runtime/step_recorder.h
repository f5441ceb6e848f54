// Appends steps to a run record as they start and end, timing them and telling the observer.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/run_record.h"
#include "runtime/run_observer.h"

namespace backstop {

class StepRecorder {
public:
    StepRecorder(RunRecord& record, RunObserver& observer) : record_(record), observer_(observer) {}

    // Returns the step's index for finish().
    std::size_t start(std::string name, std::string detail);
    void finish(std::size_t index, StepStatus status, std::string message = {});
    // Runs `act` as one step: ok with the message `act` returns; failed with the error's text, then
    // rethrown, when it throws Error.
    void run(std::string name, std::string detail, const std::function<std::string()>& act);
    // A step that takes no time: planned in a dry run, or skipped.
    void note(std::string name, std::string detail, StepStatus status, std::string message = {});
    // A runbook log line. Lines are cut at kMaxLogLineBytes; once a run's log holds
    // kMaxRunLogBytes, one "truncated" line is added and later lines are dropped.
    void log(std::string level, std::string message);

    RunRecord& record() { return record_; }

private:
    RunRecord& record_;
    RunObserver& observer_;
    std::vector<std::chrono::steady_clock::time_point> started_;
    std::size_t log_bytes_ = 0;
    bool log_truncated_ = false;
};

inline constexpr std::size_t kMaxLogLineBytes = 16 * 1024;
inline constexpr std::size_t kMaxRunLogBytes = 1024 * 1024;

}  // namespace backstop
