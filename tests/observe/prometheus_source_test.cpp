// The prometheus source against a real Prometheus scraping itself: numbers from scalar and vector
// results, and every way a query can fail to give one number (all `unknown`).
#include <cmath>
#include <csignal>
#include <thread>

#include <catch2/catch.hpp>

#include "observe/source.h"
#include "support/backstop_cli.h"
#include "support/prometheus_server.h"

using namespace backstop;
using namespace backstop::test;

namespace {

struct PrometheusFixture {
    std::unique_ptr<ProcessRunner> runner = make_process_runner();
    std::unique_ptr<HttpClient> http = make_http_client();

    Observation query(const std::string& url, const std::string& promql) {
        SourceSpec spec;
        spec.name = "errors";
        spec.kind = SourceKind::prometheus;
        spec.prometheus().url = url;
        spec.prometheus().query = promql;
        spec.timeout = Duration{5000};
        SourceDeps deps{*runner, *http};
        return make_source(spec, deps)->observe();
    }
};

}  // namespace

TEST_CASE_METHOD(PrometheusFixture, "prometheus: queries answer numbers, or unknown with the reason", "[observe][prometheus]") {
    PrometheusServer prometheus;

    SECTION("a one-sample vector and a scalar are numbers") {
        Observation o = query(prometheus.url(), "vector(42)");
        CHECK(o.status == ObservationStatus::ok);
        CHECK(o.value == 42);
        CHECK(o.http_status == 200);
        CHECK(o.latency_ms >= 0);
        CHECK_THAT(o.detail, Catch::StartsWith("`vector(42)` = 42 ("));
        CHECK(query(prometheus.url() + "/", "scalar(vector(0.25)) * 2").value == 0.5);
        CHECK(std::isinf(query(prometheus.url(), "vector(1) / 0").value));
    }

    SECTION("a scraped metric, with labels and quotes in the query") {
        Observation up;
        for (int i = 0; i < 300; ++i) {  // the first scrape comes within a second or so
            up = query(prometheus.url(), "sum(up{job=\"prometheus\"})");
            if (up.status == ObservationStatus::ok) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        CHECK(up.status == ObservationStatus::ok);
        CHECK(up.value == 1);
        Observation bare = query(prometheus.url(), "up");
        CHECK(bare.status == ObservationStatus::ok);
        CHECK(bare.value == 1);
    }

    SECTION("no series, several series, a range vector and a syntax error are unknown") {
        Observation none = query(prometheus.url(), "up{job=\"nothing\"}");
        CHECK(none.status == ObservationStatus::unknown);
        CHECK(std::isnan(none.value));
        CHECK(none.error == "query `up{job=\"nothing\"}` returned no series");

        Observation two = query(prometheus.url(), "label_replace(vector(1), \"x\", \"a\", \"\", \"\") or label_replace(vector(2), \"x\", \"b\", \"\", \"\")");
        CHECK(two.status == ObservationStatus::unknown);
        CHECK_THAT(two.error, Catch::Contains("returned 2 series ({x=\"a\"}, {x=\"b\"}); aggregate them"));

        Observation range = query(prometheus.url(), "vector(1)[1m:10s]");
        CHECK(range.status == ObservationStatus::unknown);
        CHECK_THAT(range.error, Catch::Contains("returned a matrix, not a number"));

        Observation syntax = query(prometheus.url(), "sum(");
        CHECK(syntax.status == ObservationStatus::unknown);
        CHECK(syntax.http_status == 400);
        CHECK_THAT(syntax.error, Catch::StartsWith("prometheus " + prometheus.url() + ": bad_data: ") &&
                                     Catch::Contains("parse error"));
    }
}

TEST_CASE_METHOD(PrometheusFixture, "prometheus: an unreachable server is unknown", "[observe][prometheus]") {
    std::string url = "http://127.0.0.1:" + std::to_string(free_port());
    Observation o = query(url, "vector(1)");
    CHECK(o.status == ObservationStatus::unknown);
    CHECK(std::isnan(o.value));
    CHECK(o.error == "prometheus " + url + ": connection refused");
}

TEST_CASE_METHOD(PrometheusFixture, "prometheus: the test server is stopped and reaped", "[observe][prometheus]") {
    pid_t pid = -1;
    {
        PrometheusServer prometheus;
        pid = prometheus.pid();
        CHECK(query(prometheus.url(), "vector(7)").value == 7);
    }
    CHECK(::kill(pid, 0) != 0);  // gone: no process leaks out of the tests
}
