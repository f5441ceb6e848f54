// Announcing a finished run on its [[notify]] channels: each channel on a thread of its own,
// retried with backoff until delivered or its deadline, secrets expanded only to send and scrubbed
// from every result. Nothing here can fail or change the run it announces.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/env_template.h"
#include "core/history_store.h"
#include "core/run_record.h"
#include "policy/policy.h"
#include "runtime/run_observer.h"
#include "runtime/step_recorder.h"

namespace backstop {

class Notifier {
public:
    // `getenv` resolves "${env:NAME}" at send time; it is called from the delivery threads.
    explicit Notifier(std::vector<NotifyChannel> channels, EnvLookup getenv = process_env());
    // Waits for deliveries still running: at most until their deadlines.
    ~Notifier();
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // Starts delivering `run` on every channel that wants it (its service, its outcome); returns
    // how many. Call once.
    std::size_t start(const RunRecord& run);
    // Every started delivery's result, in channel order. Returns at the latest when the last
    // channel's deadline has passed: each attempt is cut at the time the deadline leaves it.
    std::vector<Delivery> wait();

private:
    struct Job;

    std::vector<NotifyChannel> channels_;
    EnvLookup getenv_;
    std::vector<std::unique_ptr<Job>> jobs_;
};

// Delivers `run` on `channel` from the calling thread: what Notifier runs on each of its threads.
// `getenv` is called from that thread.
Delivery deliver(const NotifyChannel& channel, const RunRecord& run, const EnvLookup& getenv);

// "discord ops-discord: POST ${env:DISCORD_WEBHOOK_URL}", "email ops-mail: to a@x via smtp://mail:587".
// Templates are shown as written, literal URLs without credentials or query: never a secret.
std::string describe(const NotifyChannel& channel);

// In a dry run nothing is sent: each channel a real run ending as `outcome` would use becomes a
// planned "notify" step, with a note when a variable it needs is not set.
void plan_notifications(const std::vector<NotifyChannel>& channels, const RunRecord& run, Outcome outcome,
                        StepRecorder& steps, const EnvLookup& getenv = process_env());

// Announces `run`, already in `history`, on the channels that want it: each delivery becomes a
// "notify" step shown to `observer`, and the record is written again with them (the same run_id
// supersedes it). A failure to write that second record loses only the delivery results.
void announce_recorded_run(RunRecord& run, const std::vector<NotifyChannel>& channels, HistoryStore& history,
                           const EnvLookup& getenv, RunObserver& observer);

// "ops-discord ok, mail failed (timed out after 5s)"; empty when nobody was notified.
std::string notifications_summary(const std::vector<Delivery>& deliveries);

}  // namespace backstop
