// What `backstop serve` counts for GET /metrics: rollbacks and their duration, triggers fired and
// held back, evaluations, observations per source, time to detect, the last successful rollback,
// requests to the event endpoints and policy reloads; backstop_build_info and the process_* metrics.
#pragma once

#include <string>
#include <string_view>

#include "core/observation.h"
#include "runtime/watcher.h"
#include "serve/metrics.h"
#include "serve/process_metrics.h"

namespace backstop {

class DaemonMetrics {
public:
    DaemonMetrics();

    void observed(const std::string& service, const Observation& o);
    void evaluated(const std::string& service);
    // A trigger's report from an evaluation: fires, suppressions, time to detect and the rollback it ran.
    void trigger_report(const TriggerReport& report);
    // A schedule's report: only the rollback it ran, if any.
    void schedule_report(const TriggerReport& report);
    // endpoint: "events" or "alertmanager"; result: accepted, unmatched, bad_request, too_large, unauthorized,
    // unavailable.
    void event_request(std::string_view endpoint, std::string_view result);
    void reloaded(bool ok);

    // The families in registration order, each with HELP and TYPE even before its first series.
    std::string render();
    static constexpr const char* kContentType = MetricsRegistry::kContentType;

private:
    void rollback(const TriggerReport& report);

    MetricsRegistry registry_;
    GaugeFamily& build_info_;
    CounterFamily& rollbacks_;
    HistogramFamily& rollback_seconds_;
    CounterFamily& fired_;
    CounterFamily& suppressed_;
    CounterFamily& evaluations_;
    CounterFamily& observations_;
    HistogramFamily& detect_seconds_;
    GaugeFamily& last_success_;
    CounterFamily& events_;
    CounterFamily& reloads_;
    ProcessMetrics process_;
};

}  // namespace backstop
