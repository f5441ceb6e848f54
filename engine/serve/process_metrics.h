// The standard process_* metrics every Prometheus client exports (CPU, memory, file descriptors,
// start time), read from /proc/self when /metrics is scraped.
#pragma once

#include "serve/metrics.h"

namespace backstop {

class ProcessMetrics {
public:
    explicit ProcessMetrics(MetricsRegistry& registry);
    // Reads /proc/self and updates the series; called before each render.
    void refresh();

private:
    CounterFamily& cpu_seconds_;
    GaugeFamily& resident_bytes_;
    GaugeFamily& virtual_bytes_;
    GaugeFamily& start_time_;
    GaugeFamily& open_fds_;
    GaugeFamily& max_fds_;
    double cpu_reported_ = 0;
};

}  // namespace backstop
