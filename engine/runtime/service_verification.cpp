#include "runtime/service_verification.h"

#include "core/error.h"
#include "lua/runbook_engine.h"
#include "runtime/notifier.h"
#include "runtime/version_store.h"
#include "runtime/run_context.h"
#include "runtime/run_host.h"

namespace backstop {

Verification verify_service(const ServicePolicy& service, RunDependencies deps, RunObserver& observer) {
    Verification v;
    RunRecord& rec = v.steps;
    rec.service = service.name;
    rec.host = deps.host;
    rec.trigger = "verify";
    rec.started_ms = now_epoch_ms();
    StepRecorder steps(rec, observer);
    std::unique_ptr<VersionStore> versions;
    try {
        versions = make_version_store(service, deps.processes);
        v.release = versions->current();
    } catch (const Error& e) {
        v.message = e.what();
        return v;
    }
    rec.from = rec.to = v.release;

    SandboxLimits limits;
    limits.wall_timeout = service.rollback.hook_timeout;
    RunbookEngine runbook(limits);
    if (!service.rollback.runbook.empty()) {
        try {
            runbook.load_file(service.rollback.runbook, service.policy_file.parent_path());
        } catch (const Error& e) {
            v.message = std::string("runbook did not load: ") + e.what();
            return v;
        }
    }
    RunHost host(service, *versions, deps.processes, deps.http, steps, false);
    HookOutcome out = runbook.call_hook("verify", run_context(service, rec), host);
    if (!out.ok()) {
        v.message = out.message;
        return v;
    }
    v.healthy = !out.returns.empty() && out.returns[0].is_boolean() && out.returns[0].get<bool>();
    if (out.returns.size() > 1 && out.returns[1].is_string()) v.message = out.returns[1].get<std::string>();
    return v;
}

RunRecord record_verification(const Verification& v, const ServicePolicy& service, const std::vector<NotifyChannel>& channels,
                              RunDependencies deps, const VerificationAsked& asked, RunObserver& observer) {
    RunRecord rec = v.steps;
    rec.run_id = new_run_id();
    rec.env = service.env;
    rec.actor = asked.actor;
    rec.reason = asked.reason;
    rec.ended_ms = now_epoch_ms();
    if (rec.started_ms == 0) rec.started_ms = rec.ended_ms;
    rec.outcome = v.healthy ? Outcome::verified : Outcome::unhealthy;
    rec.message = (v.healthy ? "healthy on " : "unhealthy on ") + (v.release.empty() ? std::string("(no release)") : v.release) +
                  (v.message.empty() ? "" : ": " + v.message);
    try {
        deps.history.record(rec);
    } catch (const Error& e) {
        rec.history_error = e.what();  // announced all the same, as a rollback whose end was not written is
    }
    announce_recorded_run(rec, channels, deps.history, deps.getenv, observer);
    return rec;
}

}  // namespace backstop
