// The Prometheus registry: exact exposition text for every metric type, escaping, number formatting,
// registration rules, concurrent updates, and (when installed) promtool's verdict on the output.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "core/error.h"
#include "prim/process_runner.h"
#include "serve/metrics.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace std::chrono_literals;

TEST_CASE("counters render HELP, TYPE and one line per label set, sorted by labels", "[metrics]") {
    MetricsRegistry registry;
    auto& events = registry.counter("backstop_events_total", "Events received, by service.");
    events.with({{"service", "web"}}).inc();
    events.with({{"service", "api"}}).inc(2);
    events.with({{"service", "web"}}).inc(0.5);
    events.with({{"service", "api"}, {"kind", "deploy"}}).inc(3);
    CHECK(registry.render() ==
          "# HELP backstop_events_total Events received, by service.\n"
          "# TYPE backstop_events_total counter\n"
          "backstop_events_total{kind=\"deploy\",service=\"api\"} 3\n"
          "backstop_events_total{service=\"api\"} 2\n"
          "backstop_events_total{service=\"web\"} 1.5\n");
}

TEST_CASE("counters never go down", "[metrics]") {
    MetricsRegistry registry;
    Counter& c = registry.counter("jobs_total", "Jobs.").with();
    c.inc(5);
    c.inc(-1);
    c.inc(std::numeric_limits<double>::quiet_NaN());
    CHECK(c.value() == 5);
    CHECK(registry.render() == "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 5\n");
}

TEST_CASE("gauges go up and down and render without labels when they have none", "[metrics]") {
    MetricsRegistry registry;
    auto& inflight = registry.gauge("backstop_rollbacks_in_progress", "Rollbacks running now.");
    inflight.with().set(3);
    inflight.with().add(-1);
    auto& temp = registry.gauge("backstop_last_run_timestamp_seconds", "When each service last ran.");
    temp.with({{"service", "web"}}).set(1717171717.25);
    temp.with({{"service", "db"}}).set(-2);
    CHECK(registry.render() ==
          "# HELP backstop_rollbacks_in_progress Rollbacks running now.\n"
          "# TYPE backstop_rollbacks_in_progress gauge\n"
          "backstop_rollbacks_in_progress 2\n"
          "# HELP backstop_last_run_timestamp_seconds When each service last ran.\n"
          "# TYPE backstop_last_run_timestamp_seconds gauge\n"
          "backstop_last_run_timestamp_seconds{service=\"db\"} -2\n"
          "backstop_last_run_timestamp_seconds{service=\"web\"} 1717171717.25\n");
}

TEST_CASE("histograms render cumulative buckets with le last, +Inf, _sum and _count", "[metrics]") {
    MetricsRegistry registry;
    auto& latency = registry.histogram("backstop_request_duration_seconds", "Request latency.", {0.005, 0.1, 1, 2.5});
    auto& web = latency.with({{"path", "/events"}});
    for (double v : {0.001, 0.005, 0.05, 0.5, 0.7, 3.0}) web.observe(v);  // 0.005 lands in le="0.005"
    latency.with({{"path", "/health"}}).observe(10);
    CHECK(registry.render() ==
          "# HELP backstop_request_duration_seconds Request latency.\n"
          "# TYPE backstop_request_duration_seconds histogram\n"
          "backstop_request_duration_seconds_bucket{path=\"/events\",le=\"0.005\"} 2\n"
          "backstop_request_duration_seconds_bucket{path=\"/events\",le=\"0.1\"} 3\n"
          "backstop_request_duration_seconds_bucket{path=\"/events\",le=\"1\"} 5\n"
          "backstop_request_duration_seconds_bucket{path=\"/events\",le=\"2.5\"} 5\n"
          "backstop_request_duration_seconds_bucket{path=\"/events\",le=\"+Inf\"} 6\n"
          "backstop_request_duration_seconds_sum{path=\"/events\"} 4.256\n"
          "backstop_request_duration_seconds_count{path=\"/events\"} 6\n"
          "backstop_request_duration_seconds_bucket{path=\"/health\",le=\"0.005\"} 0\n"
          "backstop_request_duration_seconds_bucket{path=\"/health\",le=\"0.1\"} 0\n"
          "backstop_request_duration_seconds_bucket{path=\"/health\",le=\"1\"} 0\n"
          "backstop_request_duration_seconds_bucket{path=\"/health\",le=\"2.5\"} 0\n"
          "backstop_request_duration_seconds_bucket{path=\"/health\",le=\"+Inf\"} 1\n"
          "backstop_request_duration_seconds_sum{path=\"/health\"} 10\n"
          "backstop_request_duration_seconds_count{path=\"/health\"} 1\n");

    auto s = web.snapshot();
    CHECK(s.cumulative == std::vector<std::uint64_t>{2, 3, 5, 5, 6});
    CHECK(s.count == 6);
}

TEST_CASE("a histogram without labels, and one with only +Inf", "[metrics]") {
    MetricsRegistry registry;
    registry.histogram("batch_size", "Events per batch.", {1, 10, std::numeric_limits<double>::infinity()}).with().observe(4);
    registry.histogram("anything", "No buckets.", {}).with().observe(-7);
    CHECK(registry.render() ==
          "# HELP batch_size Events per batch.\n"
          "# TYPE batch_size histogram\n"
          "batch_size_bucket{le=\"1\"} 0\n"
          "batch_size_bucket{le=\"10\"} 1\n"
          "batch_size_bucket{le=\"+Inf\"} 1\n"
          "batch_size_sum 4\n"
          "batch_size_count 1\n"
          "# HELP anything No buckets.\n"
          "# TYPE anything histogram\n"
          "anything_bucket{le=\"+Inf\"} 1\n"
          "anything_sum -7\n"
          "anything_count 1\n");
}

TEST_CASE("label values escape backslash, double quote and newline, and HELP escapes backslash and newline", "[metrics]") {
    MetricsRegistry registry;
    registry.counter("odd_total", "Path like C:\\dir\nand \"quotes\" stay.")
        .with({{"path", "C:\\dir\\file"}, {"quote", "say \"hi\""}, {"text", "two\nlines"}, {"utf8", "héllo ✓"}})
        .inc();
    CHECK(registry.render() ==
          "# HELP odd_total Path like C:\\\\dir\\nand \"quotes\" stay.\n"
          "# TYPE odd_total counter\n"
          "odd_total{path=\"C:\\\\dir\\\\file\",quote=\"say \\\"hi\\\"\",text=\"two\\nlines\",utf8=\"héllo ✓\"} 1\n");
}

TEST_CASE("sample values are formatted so Prometheus parses them", "[metrics]") {
    CHECK(format_metric_value(0) == "0");
    CHECK(format_metric_value(-0.0) == "0");
    CHECK(format_metric_value(42) == "42");
    CHECK(format_metric_value(-42) == "-42");
    CHECK(format_metric_value(1e6) == "1000000");
    CHECK(format_metric_value(1048576) == "1048576");
    CHECK(format_metric_value(9007199254740991.0) == "9007199254740991");
    CHECK(format_metric_value(1e20) == "1e+20");
    CHECK(format_metric_value(0.1) == "0.1");
    CHECK(format_metric_value(0.005) == "0.005");
    CHECK(format_metric_value(1e-9) == "1e-09");
    CHECK(format_metric_value(2.5) == "2.5");
    CHECK(format_metric_value(1.0 / 3) == "0.3333333333333333");
    CHECK(format_metric_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_metric_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_metric_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

TEST_CASE("families render in registration order, and families without series show HELP and TYPE", "[metrics]") {
    MetricsRegistry registry;
    auto& z = registry.gauge("zeta", "Last letter.");
    registry.counter("unused_total", "Never touched.");
    auto& a = registry.counter("alpha_total", "First letter.");
    a.with().inc();
    z.with().set(1);
    CHECK(registry.render() ==
          "# HELP zeta Last letter.\n# TYPE zeta gauge\nzeta 1\n"
          "# HELP unused_total Never touched.\n# TYPE unused_total counter\n"
          "# HELP alpha_total First letter.\n# TYPE alpha_total counter\nalpha_total 1\n");
    CHECK(MetricsRegistry().render().empty());
}

TEST_CASE("registering a name again returns the same family, while conflicts and bad names are errors", "[metrics]") {
    MetricsRegistry registry;
    auto& first = registry.counter("runs_total", "Runs.");
    CHECK(&registry.counter("runs_total", "Runs.") == &first);
    CHECK(&first.with({{"a", "1"}}) == &first.with({{"a", "1"}}));
    CHECK_THROWS_WITH(registry.gauge("runs_total", "Runs."), "metric runs_total is already registered as a counter");
    auto& h = registry.histogram("wait_seconds", "Waits.", {1, 2});
    CHECK(&registry.histogram("wait_seconds", "Waits.", {1, 2}) == &h);
    CHECK_THROWS_WITH(registry.histogram("wait_seconds", "Waits.", {1, 3}),
                      "histogram wait_seconds is already registered with buckets [1, 2]");
    CHECK_THROWS_WITH(registry.counter("wait_seconds", "x"), "metric wait_seconds is already registered as a histogram");

    CHECK_THROWS_WITH(registry.counter("1st_total", "x"), "invalid metric name \"1st_total\"");
    CHECK_THROWS_WITH(registry.counter("has-dash", "x"), "invalid metric name \"has-dash\"");
    CHECK_THROWS_WITH(registry.counter("", "x"), "invalid metric name \"\"");
    CHECK_NOTHROW(registry.counter("ns:sub_total", "Colons are allowed in metric names."));
    CHECK_THROWS_WITH(first.with({{"bad-label", "x"}}), "metric runs_total: invalid label name \"bad-label\"");
    CHECK_THROWS_WITH(first.with({{"__reserved", "x"}}), "metric runs_total: invalid label name \"__reserved\"");
    CHECK_THROWS_WITH(first.with({{"a:b", "x"}}), "metric runs_total: invalid label name \"a:b\"");
    CHECK_THROWS_WITH(h.with({{"le", "1"}}), "metric wait_seconds: a histogram cannot have a label named \"le\"");
    CHECK_THROWS_AS(registry.histogram("h1", "x", {2, 1}), Error);
    CHECK_THROWS_AS(registry.histogram("h2", "x", {1, 1}), Error);
    CHECK_THROWS_WITH(registry.histogram("h3", "x", {1, std::numeric_limits<double>::quiet_NaN()}),
                      "histogram h3: buckets must be increasing finite numbers, got [1, NaN]");
}

TEST_CASE("updates from several threads while rendering lose nothing", "[metrics]") {
    MetricsRegistry registry;
    auto& hits = registry.counter("hits_total", "Hits.");
    auto& level = registry.gauge("level", "Level.");
    auto& sizes = registry.histogram("size_bytes", "Sizes.", {10, 100});
    constexpr int kThreads = 4;
    constexpr int kEach = 20'000;
    std::atomic<bool> done{false};
    std::atomic<int> renders{0};
    std::atomic<int> inconsistent{0};  // Catch2 assertions are not thread-safe: count, check after join
    std::thread renderer([&] {
        while (!done) {
            std::string text = registry.render();
            // Every snapshot is internally consistent: +Inf bucket equals _count.
            auto inf = text.find("size_bytes_bucket{shard=\"0\",le=\"+Inf\"} ");
            auto count = text.find("size_bytes_count{shard=\"0\"} ");
            if (inf != std::string::npos && count != std::string::npos) {
                auto value_at = [&](std::size_t pos) {
                    auto start = text.find("} ", pos) + 2;
                    return text.substr(start, text.find('\n', start) - start);
                };
                if (value_at(inf) != value_at(count)) ++inconsistent;
            }
            ++renders;
        }
    });
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
        workers.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                hits.with({{"worker", std::to_string(t % 2)}}).inc();
                level.with().add(1);
                sizes.with({{"shard", "0"}}).observe(i % 150);
            }
        });
    }
    for (auto& w : workers) w.join();
    done = true;
    renderer.join();
    CHECK(renders > 0);
    CHECK(inconsistent == 0);
    CHECK(hits.with({{"worker", "0"}}).value() == 2.0 * kEach);
    CHECK(hits.with({{"worker", "1"}}).value() == 2.0 * kEach);
    CHECK(level.with().value() == kThreads * kEach);
    auto s = sizes.with({{"shard", "0"}}).snapshot();
    CHECK(s.count == static_cast<std::uint64_t>(kThreads * kEach));
}

TEST_CASE("promtool accepts the rendered text", "[metrics][promtool]") {
    const std::string promtool = "/usr/bin/promtool";
    INFO("promtool comes with the Debian package prometheus (.ci/install-deps)");
    REQUIRE(::access(promtool.c_str(), X_OK) == 0);
    MetricsRegistry registry;
    auto& events = registry.counter("backstop_events_total", "Events received, by service and kind.");
    events.with({{"service", "web"}, {"kind", "deploy"}}).inc(3);
    events.with({{"service", "odd \"name\"\\with\nnewline"}, {"kind", "health"}}).inc();
    registry.gauge("backstop_services", "Services loaded from policies.").with().set(12);
    registry.gauge("backstop_load_ratio", "A fraction.").with().set(0.125);
    auto& latency = registry.histogram("backstop_http_request_duration_seconds", "HTTP request latency.",
                                       MetricsRegistry::default_seconds_buckets());
    for (double v : {0.0001, 0.02, 0.3, 4.0, 20.0}) latency.with({{"path", "/events"}}).observe(v);
    latency.with({{"path", "/metrics"}}).observe(0.001);
    registry.histogram("backstop_batch_size", "Events per batch.", {1, 1e6}).with().observe(5e5);

    const std::string text = registry.render();
    test::TempDir dir("metrics-promtool");
    const std::string file = dir.write("metrics.txt", text);
    ProcessRequest request;
    request.argv = {"/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", promtool, file};
    request.timeout = 30s;
    ProcessResult result = make_process_runner()->run(request);
    INFO(text);
    INFO(result.summary(20) << "\nstdout: " << result.out << "\nstderr: " << result.err);
    CHECK(result.ok());

    SECTION("and promtool is a real judge: it rejects a broken label") {
        // Drop the backslash before the first escaped quote: the label value then ends early.
        const std::size_t escaped_quote = text.find("\\\"");
        REQUIRE(escaped_quote != std::string::npos);
        dir.write("broken.txt", text.substr(0, escaped_quote) + text.substr(escaped_quote + 1));
        request.argv = {"/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", promtool, dir.file("broken.txt")};
        CHECK_FALSE(make_process_runner()->run(request).ok());
    }
}
