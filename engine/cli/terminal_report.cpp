#include "cli/terminal_report.h"

#include <cstdio>
#include <ostream>

#include <spdlog/spdlog.h>

#include "cli/app.h"

namespace backstop::cli {

namespace {

const char* mark(StepStatus s) {
    switch (s) {
        case StepStatus::ok: return "ok  ";
        case StepStatus::failed: return "FAIL";
        case StepStatus::skipped: return "skip";
        case StepStatus::planned: return "plan";
    }
    return "    ";
}

std::string pad(const std::string& s, std::size_t width) { return s.size() >= width ? s : s + std::string(width - s.size(), ' '); }

std::string seconds(std::int64_t ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(ms) / 1000.0);
    return buf;
}

}  // namespace

void TerminalReport::step_finished(const StepRecord& step) {
    out_ << "  [" << mark(step.status) << "] " << pad(step.name, 8) << " " << step.detail;
    if (step.status != StepStatus::planned && step.duration_ms >= 10) out_ << "  (" << seconds(step.duration_ms) << ")";
    if (!step.message.empty()) out_ << "\n           " << step.message;
    out_ << std::endl;
    spdlog::debug("step {} {} in {}ms: {}", step.name, to_string(step.status), step.duration_ms, step.message);
}

void TerminalReport::step_started(const StepRecord& step) {
    spdlog::debug("step {} started: {}", step.name, step.detail);
}

void TerminalReport::logged(const LogLine& line) { log_run_line(line); }

void log_run_line(const LogLine& line) {
    if (line.level == "error")
        spdlog::error("runbook: {}", line.message);
    else if (line.level == "warn")
        spdlog::warn("runbook: {}", line.message);
    else if (line.level == "debug")
        spdlog::debug("runbook: {}", line.message);
    else
        spdlog::info("runbook: {}", line.message);
}

void print_plan(std::ostream& out, const RunRecord& preview) {
    out << "Plan for " << preview.service << ": " << (preview.from.empty() ? "(none)" : preview.from) << " -> "
        << preview.to << ", level " << preview.level << "\n";
    int n = 0;
    for (const auto& s : preview.steps) {
        if (s.name == "record") continue;
        out << "  " << ++n << ". " << pad(s.name, 8) << " " << s.detail << "\n";
    }
    out << "  " << ++n << ". record   the run in history\n";
}

void print_verdict(std::ostream& out, const RunRecord& run) {
    const char* word = "";
    switch (run.outcome) {
        case Outcome::succeeded: word = "SUCCEEDED"; break;
        case Outcome::dry_run: word = "DRY RUN"; break;
        case Outcome::failed: word = "FAILED"; break;
        case Outcome::verify_failed: word = "VERIFY FAILED"; break;
        case Outcome::refused: word = "REFUSED"; break;
        case Outcome::incomplete: word = "INCOMPLETE"; break;
        case Outcome::running: word = "RUNNING"; break;
        case Outcome::manual: word = "MANUAL"; break;
        case Outcome::suppressed: word = "SUPPRESSED"; break;
        case Outcome::paged: word = "PAGED"; break;
        case Outcome::awaiting_hotfix: word = "AWAITING HOTFIX"; break;
        case Outcome::no_action: word = "NO ACTION"; break;
        case Outcome::nothing_to_do: word = "NOTHING TO DO"; break;
        case Outcome::unrecorded: word = "UNRECORDED"; break;
        case Outcome::verified: word = "HEALTHY"; break;
        case Outcome::unhealthy: word = "UNHEALTHY"; break;
    }
    out << word << ": " << run.message << " [run " << run.run_id << ", " << seconds(run.duration_ms()) << "]" << std::endl;
}

int exit_code_for(const RunRecord& run) {
    // A run that did its work but whose end history lacks must not look done to a script; a
    // failing code already says so, and the run's own outcome matters more there.
    const Exit done = run.history_error.empty() ? Exit::ok : Exit::unrecorded;
    switch (run.outcome) {
        case Outcome::succeeded:
        case Outcome::nothing_to_do:
        case Outcome::verified:
        case Outcome::dry_run: return static_cast<int>(done);
        case Outcome::verify_failed: return static_cast<int>(Exit::verify_failed);
        case Outcome::refused: return static_cast<int>(Exit::refused);
        default: return static_cast<int>(Exit::failed);
    }
}

}  // namespace backstop::cli
