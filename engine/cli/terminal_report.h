// How a run looks on a terminal: one line per step as it ends, the plan for a dry run, a verdict.
#pragma once

#include <iosfwd>

#include "core/run_record.h"
#include "runtime/run_observer.h"

namespace backstop::cli {

class TerminalReport final : public RunObserver {
public:
    explicit TerminalReport(std::ostream& out) : out_(out) {}
    void step_started(const StepRecord& step) override;
    void step_finished(const StepRecord& step) override;
    void logged(const LogLine& line) override;

private:
    std::ostream& out_;
    int planned_ = 0;
};

// Runbook log lines go to the log (stderr) whatever else is shown.
void log_run_line(const LogLine& line);

// Shows no steps (for --json, and for the preview before a confirmation); still logs.
class QuietReport final : public RunObserver {
public:
    void logged(const LogLine& line) override { log_run_line(line); }
};

void print_verdict(std::ostream& out, const RunRecord& run);
void print_plan(std::ostream& out, const RunRecord& preview);
int exit_code_for(const RunRecord& run);

}  // namespace backstop::cli
