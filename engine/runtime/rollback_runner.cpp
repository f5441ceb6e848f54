#include "runtime/rollback_runner.h"

#include <algorithm>
#include <random>

#include "core/error.h"
#include "lua/runbook_engine.h"
#include "prim/run_processes.h"
#include "runtime/attempt_guard.h"
#include "runtime/health_check.h"
#include "runtime/notifier.h"
#include "runtime/run_context.h"
#include "runtime/run_host.h"
#include "runtime/step_recorder.h"
#include "runtime/unfinished_runs.h"
#include "runtime/version_store.h"
#include "core/rollback_point.h"

namespace backstop {

std::string new_run_id() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::int64_t now = now_epoch_ms();
    std::string stamp = format_utc(now);  // 2026-11-23T14:05:09.123Z
    std::string compact;
    for (char c : stamp.substr(0, 19))
        if (c != '-' && c != ':') compact += c;
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(rng()));
    return compact + "-" + hex;
}

namespace {

// The reason of a pre hook that returned nothing_to_do(reason): a table { nothing_to_do = "…" }.
std::optional<std::string> nothing_to_do_reason(const HookOutcome& pre) {
    if (pre.returns.empty() || !pre.returns[0].is_object()) return std::nullopt;
    auto at = pre.returns[0].find("nothing_to_do");
    if (at == pre.returns[0].end() || !at->is_string()) return std::nullopt;
    return at->get<std::string>();
}

// A run that died holding the lock (kill -9 mid-restart) may have left its commands running; they
// would act later, in the middle of this run. End them first, and say which.
void end_leftovers(const LockHolder& dead, bool dry, StepRecorder& steps) {
    std::vector<RunProcess> left = find_run_processes(dead.run_id);
    if (left.empty()) return;
    std::string list;
    for (const auto& p : left) list += (list.empty() ? "" : ", ") + ("pid " + std::to_string(p.pid) + " `" + p.command + "`");
    const std::string detail = std::to_string(left.size()) + " process(es) left by run " + dead.run_id + ", which died holding the lock";
    if (dry) {
        steps.note("leftovers", detail, StepStatus::planned, "would end " + list);
        return;
    }
    std::string ended;
    for (const auto& p : end_run_processes(left, std::chrono::milliseconds(2000)))
        ended += (ended.empty() ? "" : ", ") + ("pid " + std::to_string(p.pid) + " `" + p.command + "`");
    steps.note("leftovers", detail, StepStatus::ok, ended.empty() ? "they had ended by themselves" : "ended " + ended);
}

std::string holder_text(const LockHolder& h) {
    std::string out = "run " + (h.run_id.empty() ? std::string("?") : h.run_id);
    if (!h.actor.empty()) out += " by " + h.actor;
    if (!h.host.empty()) out += " on " + h.host;
    if (h.pid) out += " (pid " + std::to_string(h.pid) + ")";
    if (h.since_ms) out += " since " + format_utc(h.since_ms);
    return out;
}

// What a person does when every automatic level has failed: where things stand and the commands.
std::vector<std::string> manual_checklist(const ServicePolicy& svc, const RunRecord& rec, const std::string& now_on,
                                          const std::vector<std::string>& tried) {
    std::vector<std::string> out;
    out.push_back("[ ] " + svc.key + " is now on " + now_on + " (wanted " + rec.to + "; it was on " + rec.from + ")");
    for (const auto& t : tried) out.push_back("[ ] level " + t);
    if (svc.health) out.push_back("[ ] look at the service: curl -fsS '" + redact_url(svc.health->url) + "'");
    if (svc.systemd.unit.size())
        out.push_back("[ ] journalctl " + std::string(svc.systemd.scope == "user" ? "--user " : "") + "-u " + svc.systemd.unit + " -n 100");
    out.push_back("[ ] hold automatic actions while you work: backstop pause " + svc.command_operand() + " --for 1h --reason \"manual recovery\"");
    out.push_back("[ ] roll back by hand when ready: backstop rollback " + svc.command_operand() + " --to " + rec.to +
                  " (or --emergency to skip verification)");
    out.push_back("[ ] when it is healthy again: backstop verify " + svc.command_operand() + " && backstop resume " + svc.command_operand());
    return out;
}

}  // namespace

RunRecord RollbackRunner::run(const RunRequest& request, RunObserver& observer) {
    RunRecord rec = run_steps(request, observer);
    // After run_steps: the outcome is durable and the lock released, so however long the
    // receivers take, no rollback waits for them and none can change how this one ended.
    if (rec.mode != RunMode::dry_run) notify(rec, observer);
    return rec;
}

void RollbackRunner::notify(RunRecord& rec, RunObserver& observer) {
    announce_recorded_run(rec, policies_.channels, deps_.history, deps_.getenv, observer);
}

// The record step is part of the record it writes, so it is shown only once the write is known:
// never "[ok] record" for an end that did not reach the disk.
void RollbackRunner::record_end(RunRecord& rec, RunObserver& observer) {
    rec.ended_ms = now_epoch_ms();
    const bool keeps = deps_.history.keeps_records();
    rec.steps.push_back({"record", "run " + rec.run_id + (keeps ? " into history" : " (a preview: not recorded)"),
                         keeps ? StepStatus::ok : StepStatus::planned, 0, {}});
    observer.step_started(rec.steps.back());
    try {
        deps_.history.record(rec);
    } catch (const Error& e) {
        rec.history_error = e.what();
        StepRecord& step = rec.steps.back();
        step.status = StepStatus::failed;
        step.message = rec.history_error + "; the next run of " + rec.service + " records this one as unrecorded";
        rec.message += "; WARNING: history not written: " + rec.history_error;
    }
    observer.step_finished(rec.steps.back());
}

// Runs of this service that recorded a start but no end: with its lock held, none is still going,
// so each gets the end record its own process could not write, with what this run found.
void RollbackRunner::reconcile(const std::vector<RunRecord>& past, const RunRecord& rec, const std::string& found_on,
                               StepRecorder& steps, bool dry) {
    for (const RunRecord& cut_off : unfinished_runs(past, service_key(rec.service, rec.env), rec.run_id)) {
        RunRecord end = reconciled_run(cut_off, found_on, rec.run_id, now_epoch_ms());
        std::string detail = "run " + cut_off.run_id + " (started " + format_utc(cut_off.started_ms) + ") as unrecorded";
        if (dry || !deps_.history.keeps_records()) {
            steps.note("reconcile", detail, StepStatus::planned, end.steps.back().message);
            continue;
        }
        try {
            deps_.history.record(end);
            steps.note("reconcile", detail, StepStatus::ok, end.steps.back().message);
        } catch (const Error& e) {
            steps.note("reconcile", detail, StepStatus::failed, e.what());
        }
    }
}

RunRecord RollbackRunner::run_steps(const RunRequest& request, RunObserver& observer) {
    const ServicePolicy* svc = policies_.find(request.service);
    if (!svc) throw Error("unknown service `" + request.service + "`");

    RunRecord rec;
    rec.run_id = new_run_id();
    RunProcessScope tagged(rec.run_id);  // every process this run starts can be found by its id
    rec.service = svc->name;
    rec.env = svc->env;
    rec.level = request.level.empty() ? svc->rollback.level : request.level;
    rec.mode = request.dry_run ? RunMode::dry_run : request.emergency ? RunMode::emergency : RunMode::normal;
    rec.actor = request.actor;
    rec.reason = request.reason;
    rec.trigger = request.trigger;
    rec.decision = request.decision;
    rec.host = deps_.host;
    rec.started_ms = request.started_ms ? request.started_ms : now_epoch_ms();
    StepRecorder steps(rec, observer);
    const bool dry = request.dry_run;

    auto finish = [&](Outcome outcome, std::string message) -> RunRecord {
        rec.outcome = (dry && outcome == Outcome::succeeded) ? Outcome::dry_run : outcome;
        rec.message = std::move(message);
        if (dry) plan_notifications(policies_.channels, rec, outcome, steps, deps_.getenv);
        record_end(rec, observer);
        return rec;
    };

    // lock
    LockHolder me{rec.run_id, rec.actor, rec.host, deps_.pid, rec.started_ms};
    LockHolder holder;
    std::size_t lock_step = steps.start("lock", svc->key);
    std::unique_ptr<HeldLock> lock;
    try {
        lock = deps_.locks.try_acquire(svc->key, me, &holder);
    } catch (const Error& e) {
        steps.finish(lock_step, StepStatus::failed, e.what());
        return finish(Outcome::failed, e.what());
    }
    if (!lock) {
        std::string why = "another rollback of " + svc->key + " holds the lock: " + holder_text(holder);
        steps.finish(lock_step, StepStatus::failed, why);
        return finish(Outcome::refused, why);
    }
    steps.finish(lock_step, StepStatus::ok);
    if (auto dead = lock->dead_holder()) end_leftovers(*dead, dry, steps);

    // guard
    std::vector<RunRecord> past;
    try {
        past = deps_.history.load();
        if (auto why = attempts_exhausted(past, *svc, rec.started_ms)) {
            steps.note("guard", "max_attempts " + std::to_string(svc->rollback.max_attempts) + " per " +
                                    format_duration(svc->rollback.window), StepStatus::failed, *why);
            return finish(Outcome::refused, *why);
        }
    } catch (const Error& e) {
        return finish(Outcome::failed, std::string("cannot read history: ") + e.what());
    }

    // target
    std::unique_ptr<VersionStore> versions;
    std::optional<std::string> to;
    std::string why;
    std::optional<RollbackPoint> point;
    std::string moved_note;
    try {
        versions = make_version_store(*svc, deps_.processes);
        rec.from = versions->current();
        std::optional<std::string> asked = request.to;
        if (asked && names_point(*asked)) {
            if (deps_.points) point = deps_.points->find_of(svc->key, *asked);
            if (!point && *asked == kLatestPoint)
                throw Error("service " + svc->key + " has no rollback points, so `latest` names none; make one with "
                            "`backstop points create " + svc->command_operand() + " --description TEXT`");
            if (!point) throw Error("no rollback point " + *asked + " of service " + svc->key);
            asked = point->version;
            // A tag or branch that has moved since the point was made: the point means what it
            // named then.
            std::string named_now = point->version_id.empty() ? "" : versions->version_id(point->version);
            if (!point->version_id.empty() && named_now != point->version_id) {
                moved_note = point->version + (named_now.empty() ? " names nothing now" : " has moved") + "; using " +
                             point->version_id + " recorded by the point";
                asked = point->version_id;
            }
        }
        to = asked ? versions->resolve(*asked, &why) : versions->default_target(rec.from, &why);
        // Rolling back to a point on the same version still brings back its files.
        bool brings_files = point && !(point->configs.empty() && point->volumes.empty());
        if (to && *to == rec.from && !brings_files) {
            to.reset();
            why = "already on " + rec.from + "; nothing to do";
        }
    } catch (const Error& e) {
        why = e.what();
    }
    reconcile(past, rec, versions ? rec.from : "", steps, dry);
    if (!to) {
        steps.note("target", versions ? versions->where() : svc->key, StepStatus::failed, why);
        return finish(Outcome::failed, why);
    }
    rec.to = *to;
    steps.note("target", (rec.from.empty() ? "(none)" : rec.from) + " -> " + rec.to,
               dry ? StepStatus::planned : StepStatus::ok,
               point ? "point " + point->id + (point->description.empty() ? "" : ": " + point->description) + (moved_note.empty() ? "" : " (" + moved_note + ")") : request.to ? "asked for" : versions->default_target_rule(rec.from));
    if (!dry) {
        try {
            deps_.history.record(rec);  // a start record: a crash from here on leaves a trace
        } catch (const Error& e) {
            return finish(Outcome::failed, std::string("cannot write history, not rolling back: ") + e.what());
        }
    }

    // runbook
    SandboxLimits limits;
    limits.wall_timeout = svc->rollback.hook_timeout;
    RunbookEngine runbook(limits);
    std::string source = svc->rollback.runbook.empty() ? "default runbook" : svc->rollback.runbook.string();
    if (!svc->rollback.runbook.empty()) {
        try {
            runbook.load_file(svc->rollback.runbook, svc->policy_file.parent_path());
        } catch (const Error& e) {
            steps.note("runbook", source, StepStatus::failed, e.what());
            return finish(Outcome::failed, std::string("runbook did not load, nothing changed: ") + e.what());
        }
    }
    // The ladder: this level, then the later ones of `levels`; "manual" needs no runbook function.
    std::vector<std::string> ladder = {rec.level};
    const auto& order = svc->rollback.levels;
    if (auto at = std::find(order.begin(), order.end(), rec.level); at != order.end()) ladder.assign(at, order.end());
    auto levels = runbook.levels();
    for (const auto& l : ladder) {
        if (l == "manual" || std::find(levels.begin(), levels.end(), l) != levels.end()) continue;
        std::string known;
        for (const auto& k : levels) known += (known.empty() ? "" : ", ") + k;
        std::string msg = "unknown level `" + l + "` (the runbook has: " + known + "); nothing changed";
        steps.note("level", l, StepStatus::failed, msg);
        return finish(Outcome::failed, msg);
    }

    RunHost host(*svc, *versions, deps_.processes, deps_.http, steps, dry);
    if (point) host.restore_with_version(*point, *deps_.points);
    nlohmann::json ctx = run_context(*svc, rec);
    auto hook_source = [&](std::string_view hook) {
        return std::string(hook) + " hook (" + (runbook.defines(hook) ? source : "default runbook") + ")";
    };

    // pre
    std::size_t pre_step = steps.start("pre", hook_source("pre"));
    HookOutcome pre = runbook.call_hook("pre", ctx, host);
    std::optional<std::string> nothing = pre.ok() ? nothing_to_do_reason(pre) : std::nullopt;
    steps.finish(pre_step, pre.ok() ? StepStatus::ok : StepStatus::failed,
                 pre.ok() ? (nothing ? "nothing to do: " + *nothing : "") : pre.message);
    if (!pre.ok()) {
        if (!pre.traceback.empty()) steps.log("error", pre.traceback);
        return finish(Outcome::failed, "pre hook failed, nothing changed: " + pre.message);
    }
    if (nothing) return finish(Outcome::nothing_to_do, "nothing to do for " + svc->key + ": " + *nothing + "; nothing changed");

    // What the service runs now; in a dry run nothing changed, so still `from`.
    auto live_version = [&]() -> std::string {
        if (dry) return rec.from;
        try {
            return versions->current();
        } catch (const Error&) {
            return "(unknown)";
        }
    };

    // levels, in ladder order, until one verifies
    std::vector<std::string> tried;  // "fast: verification failed: …"
    std::string dry_verify_note;
    for (std::size_t rung = 0; rung < ladder.size(); ++rung) {
        rec.level = ladder[rung];
        bool last = rung + 1 == ladder.size();
        if (rung > 0) steps.note("escalate", ladder[rung - 1] + " -> " + rec.level, StepStatus::ok, tried.back());
        if (rec.level == "manual" && !runbook.defines("manual")) {
            std::string now_on = live_version();
            std::vector<std::string> checklist = manual_checklist(*svc, rec, now_on, tried);
            for (const auto& line : checklist) steps.log("warn", line);
            std::string text;
            for (const auto& line : checklist) text += "\n" + line;
            steps.note("manual", "checklist for the on-call engineer", StepStatus::ok, std::to_string(checklist.size()) + " items");
            return finish(Outcome::manual, "automatic levels did not restore " + svc->key + "; a person must take over:" + text);
        }

        HookOutcome level = runbook.call_level(rec.level, ctx, host);
        if (!level.ok()) {
            if (!level.traceback.empty()) steps.log("error", level.traceback);
            std::string now_on = live_version();
            std::string state = now_on == rec.from ? "nothing changed, still on " + rec.from
                                                   : versions->where() + " is now on " + now_on +
                                                         "; the service may not be running it";
            tried.push_back(rec.level + ": " + level.message + " (" + state + ")");
            if (!last) continue;
            return finish(Outcome::failed, "level " + rec.level + " failed: " + level.message + " (" + state + ")");
        }

        if (request.emergency) {
            steps.note("verify", "emergency mode", StepStatus::skipped,
                       "verification skipped (emergency" + (rec.reason.empty() ? std::string(")") : ": " + rec.reason + ")"));
            break;
        }
        std::size_t verify_step = steps.start("verify", hook_source("verify"));
        HookOutcome verify = runbook.call_hook("verify", ctx, host);
        bool healthy = verify.ok() && !verify.returns.empty() && verify.returns[0].is_boolean() && verify.returns[0].get<bool>();
        std::string detail;
        if (!verify.ok())
            detail = verify.message;
        else if (verify.returns.size() > 1 && verify.returns[1].is_string())
            detail = verify.returns[1].get<std::string>();
        else if (verify.returns.empty() || !verify.returns[0].is_boolean())
            detail = "verify hook must return a boolean (ok) and a message";
        if (dry && !healthy) detail = "against what runs now, since a dry run switches nothing: " + detail;
        steps.finish(verify_step, healthy ? StepStatus::ok : StepStatus::failed, detail);
        if (healthy) break;
        if (dry) {
            // The hook looked at the version that runs now; it says nothing about the target.
            dry_verify_note = "; verify, run against what runs now, said: " + detail;
            break;
        }
        if (!verify.traceback.empty()) steps.log("error", verify.traceback);
        tried.push_back(rec.level + ": verification failed: " + detail);
        if (!last) continue;
        return finish(Outcome::verify_failed, "switched to " + rec.to + " and restarted, but verification failed: " + detail +
                                                  ". Nothing was rolled forward; investigate the service");
    }

    // post: the rollback already happened, so a failing post hook is a warning, not a failure
    std::size_t post_step = steps.start("post", hook_source("post"));
    HookOutcome post = runbook.call_hook("post", ctx, host);
    steps.finish(post_step, post.ok() ? StepStatus::ok : StepStatus::failed, post.ok() ? "" : post.message);
    std::string warning;
    if (!post.ok()) {
        if (!post.traceback.empty()) steps.log("error", post.traceback);
        warning = "; post hook failed: " + post.message;
    }

    std::string done;
    if (dry)
        done = "would roll " + svc->key + " back from " + (rec.from.empty() ? "(none)" : rec.from) + " to " + rec.to +
               dry_verify_note;
    else if (request.emergency)
        done = svc->key + " rolled back from " + rec.from + " to " + rec.to + " (emergency: not verified)";
    else
        done = svc->key + " rolled back from " + rec.from + " to " + rec.to + " and verified";
    return finish(Outcome::succeeded, done + warning);
}

}  // namespace backstop
