// One rollback run as history keeps it: who asked, what changed, each step and how it ended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace backstop {

enum class RunMode { normal, dry_run, emergency };
// `incomplete`: a run that recorded its start but never its end (the process died mid-run, or
// history could not be written); shown so, never recorded so. `unrecorded`: such a run as the
// next run of its service recorded it, with what that run found (see runtime/unfinished_runs.h).
// `manual`: every automatic level of the ladder failed and a checklist went out to a person. The
// last four end records of decisions that changed nothing: a guard held the action back
// (suppressed), someone was paged, a hotfix is awaited, or the decision was to do nothing.
// nothing_to_do: the runbook's pre hook found nothing to roll back (returned nothing_to_do(reason)).
// verified, unhealthy: `backstop verify` found the service as it runs healthy, or not (and was not
// asked to roll it back); records that changed nothing, kept so a deploy's check can be announced.
enum class Outcome { running, succeeded, failed, verify_failed, refused, dry_run, incomplete, manual,
                     suppressed, paged, awaiting_hotfix, no_action, nothing_to_do, unrecorded, verified, unhealthy };
enum class StepStatus { ok, failed, skipped, planned };

struct StepRecord {
    std::string name;    // lock, pre, switch, restart, verify, post, …
    std::string detail;  // what it does, e.g. "/srv/web/current: v2 -> v1"
    StepStatus status = StepStatus::ok;
    std::int64_t duration_ms = 0;
    std::string message;  // outcome or error, one line
};

struct LogLine {
    std::string level;
    std::string message;
};

// How one notification channel's message about the run went (see runtime/notifier.h).
struct Delivery {
    std::string channel;  // the [[notify]] name
    std::string type;     // slack, discord, webhook, email
    bool delivered = false;
    int attempts = 0;
    std::string error;    // why it was not delivered (last attempt's error); never holds a secret
    std::int64_t duration_ms = 0;
};

struct RunRecord {
    std::string run_id;
    std::string service;
    std::string env;
    std::string from;
    std::string to;
    std::string level;
    RunMode mode = RunMode::normal;
    std::string actor;
    std::string reason;
    std::string trigger = "manual";
    std::string host;
    std::int64_t started_ms = 0;  // Unix epoch milliseconds
    std::int64_t ended_ms = 0;
    Outcome outcome = Outcome::running;
    std::string message;  // why it ended as it did
    std::vector<StepRecord> steps;
    std::vector<LogLine> log;  // runbook log lines
    std::vector<Delivery> notifications;  // filled after the run ended; empty when nobody was notified
    // Why backstop acted by itself: trigger, severity, source, observed values, the rule that
    // matched, the action. Null for runs asked for by hand.
    nlohmann::json decision;
    // Never in history: why the run's end could not be written there (disk full, say). A run
    // that ended so exits 4 rather than 0, and the next run of the service records it.
    std::string history_error;
    // Written by `backstop history add`: a rollback done by hand, which backstop did not run
    // (no steps, no duration).
    bool manual_entry = false;

    std::int64_t duration_ms() const { return ended_ms > started_ms ? ended_ms - started_ms : 0; }
};

const char* to_string(RunMode m);
const char* to_string(Outcome o);
const char* to_string(StepStatus s);
std::optional<RunMode> run_mode_from(std::string_view s);
std::optional<Outcome> outcome_from(std::string_view s);
std::optional<StepStatus> step_status_from(std::string_view s);
// The outcomes a finished run can be recorded with: every outcome but `running`, `incomplete`,
// `unrecorded` (states history gives runs it did not see end) and `dry_run`.
std::vector<std::string> recordable_outcome_names();

nlohmann::json to_json(const RunRecord& r);
// Throws nlohmann::json::exception on a record of the wrong shape.
RunRecord run_record_from_json(const nlohmann::json& j);

// "2026-11-23T14:05:09.123Z"
std::string format_utc(std::int64_t epoch_ms);
std::int64_t now_epoch_ms();

}  // namespace backstop
