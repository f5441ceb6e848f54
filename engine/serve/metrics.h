// Prometheus metrics: counters, gauges and fixed-bucket histograms with label sets, rendered in the
// text exposition format 0.0.4. Thread-safe: series are updated from any thread while being rendered.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace backstop {

// Label name -> value. Values may hold anything (they are escaped); names match [a-zA-Z_][a-zA-Z0-9_]*.
using MetricLabels = std::map<std::string, std::string>;

// Only goes up; a negative or NaN increment is ignored.
class Counter {
public:
    void inc(double by = 1);
    double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class Gauge {
public:
    void set(double value) { value_.store(value, std::memory_order_relaxed); }
    void add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
    double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

// Counts observations into fixed buckets (upper bounds, inclusive, like Prometheus' `le`).
class Histogram {
public:
    struct Snapshot {
        std::vector<std::uint64_t> cumulative;  // per upper bound, then +Inf (== count)
        double sum = 0;
        std::uint64_t count = 0;
    };

    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value);  // NaN is ignored
    Snapshot snapshot() const;

private:
    std::vector<double> upper_bounds_;  // increasing, finite; +Inf is implicit
    mutable std::mutex mutex_;          // so a snapshot's buckets, sum and count agree
    std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; last = above every bound
    double sum_ = 0;
};

// All series of one metric name, one per label set.
template <class Series>
class MetricFamily {
public:
    const std::string& name() const { return name_; }
    const std::string& help() const { return help_; }

    // The series for `labels`, created at zero on first use. The reference stays valid as long as
    // the registry: keep it for hot paths. Throws Error for an invalid label name (or `le` on a histogram).
    Series& with(const MetricLabels& labels = {});

private:
    friend class MetricsRegistry;
    MetricFamily(std::string name, std::string help, std::vector<double> upper_bounds = {});
    void render(std::string& out) const;

    std::string name_;
    std::string help_;
    std::vector<double> upper_bounds_;  // histograms only
    mutable std::mutex mutex_;
    // By the labels as rendered (a="1",b="2"): a fleet has thousands of series, and a map of
    // label maps per series cost ten times the memory.
    std::map<std::string, std::unique_ptr<Series>> series_;
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

class MetricsRegistry {
public:
    // What to send as Content-Type with render()'s text.
    static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";
    // Prometheus' default buckets, in seconds: 5ms .. 10s.
    static std::vector<double> default_seconds_buckets();

    // Registers a family, or returns the one already registered under `name` with the same type (and,
    // for histograms, the same buckets). Throws Error for an invalid name, a name taken by another
    // type, or buckets that are not increasing finite numbers (a trailing +Inf is allowed and implied).
    CounterFamily& counter(const std::string& name, const std::string& help);
    GaugeFamily& gauge(const std::string& name, const std::string& help);
    HistogramFamily& histogram(const std::string& name, const std::string& help, std::vector<double> upper_bounds);

    // Text exposition format 0.0.4: families in registration order, each with # HELP and # TYPE
    // (also those without series yet), series sorted by labels.
    std::string render() const;

private:
    using Family = std::variant<std::unique_ptr<CounterFamily>, std::unique_ptr<GaugeFamily>,
                                std::unique_ptr<HistogramFamily>>;
    template <class Series>
    MetricFamily<Series>& add(const std::string& name, const std::string& help, std::vector<double> upper_bounds);

    mutable std::mutex mutex_;
    std::vector<Family> families_;
};

// A sample value as Prometheus parses it: integers without exponent ("1048576"), shortest round-trip
// otherwise ("0.1", "1e-09"), "+Inf", "-Inf", "NaN".
std::string format_metric_value(double value);

}  // namespace backstop
