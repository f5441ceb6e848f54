#include "serve/daemon_metrics.h"

#include <chrono>

#include "core/build_version.h"

namespace backstop {

DaemonMetrics::DaemonMetrics()
    : build_info_(registry_.gauge("backstop_build_info", "Always 1; the version backstop was built as and the commit it was built from, in labels.")),
      rollbacks_(registry_.counter("backstop_rollbacks_total", "Rollback runs started by triggers and schedules, by outcome and level.")),
      rollback_seconds_(registry_.histogram("backstop_rollback_duration_seconds", "How long those rollback runs took.",
                                            {0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600})),
      fired_(registry_.counter("backstop_triggers_fired_total", "Times a trigger fired (acted on or held back).")),
      suppressed_(registry_.counter("backstop_triggers_suppressed_total",
                                    "Fires whose action was held back (service paused, cooldown).")),
      evaluations_(registry_.counter("backstop_evaluations_total", "Trigger evaluations, after an observation or event.")),
      observations_(registry_.counter("backstop_source_observations_total", "Observations recorded, by source and status.")),
      detect_seconds_(registry_.histogram("backstop_time_to_detect_seconds",
                                          "From the first observation of the failure run that made a trigger hold to its fire.",
                                          {0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800})),
      last_success_(registry_.gauge("backstop_last_success_timestamp_seconds",
                                    "Unix time of the last rollback that succeeded (switched and verified).")),
      events_(registry_.counter("backstop_events_total", "Requests to the event endpoints, by result.")),
      reloads_(registry_.counter("backstop_reloads_total", "Policy reloads (SIGHUP), by result.")),
      process_(registry_) {
    build_info_.with({{"version", BACKSTOP_VERSION}, {"commit", build_commit()}}).set(1);
}

namespace {

// `service` and `env` labels from a service's key (NAME or NAME@ENV): an environment is a label of
// its own, so one query sums a service over its environments.
MetricLabels service_labels(const std::string& key, MetricLabels rest = {}) {
    const std::size_t at = key.find('@');
    rest["service"] = key.substr(0, at);
    if (at != std::string::npos) rest["env"] = key.substr(at + 1);
    return rest;
}

}  // namespace

std::string DaemonMetrics::render() {
    process_.refresh();
    return registry_.render();
}

void DaemonMetrics::observed(const std::string& service, const Observation& o) {
    observations_.with(service_labels(service, {{"source", o.source}, {"status", std::string(to_string(o.status))}})).inc();
}

void DaemonMetrics::evaluated(const std::string& service) { evaluations_.with(service_labels(service)).inc(); }

void DaemonMetrics::trigger_report(const TriggerReport& r) {
    if (r.step != TriggerStep::fire && !r.rolled_back) return;
    if (r.step == TriggerStep::fire) {
        MetricLabels labels = service_labels(r.service, {{"trigger", r.trigger}});
        fired_.with(labels).inc();
        if (r.outcome == Outcome::suppressed) suppressed_.with(labels).inc();
        if (r.detect_ms >= 0) detect_seconds_.with(service_labels(r.service)).observe(static_cast<double>(r.detect_ms) / 1000);
    }
    rollback(r);
}

void DaemonMetrics::schedule_report(const TriggerReport& r) { rollback(r); }

void DaemonMetrics::rollback(const TriggerReport& r) {
    if (!r.rolled_back) return;
    rollbacks_.with(service_labels(r.service, {{"outcome", std::string(to_string(r.outcome))}, {"level", r.level}})).inc();
    rollback_seconds_.with(service_labels(r.service)).observe(static_cast<double>(r.run_ms) / 1000);
    if (r.outcome == Outcome::succeeded) {
        auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        last_success_.with(service_labels(r.service)).set(now);
    }
}

void DaemonMetrics::event_request(std::string_view endpoint, std::string_view result) {
    events_.with({{"endpoint", std::string(endpoint)}, {"result", std::string(result)}}).inc();
}

void DaemonMetrics::reloaded(bool ok) { reloads_.with({{"result", ok ? "ok" : "failed"}}).inc(); }

}  // namespace backstop
