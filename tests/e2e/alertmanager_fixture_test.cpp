// Real Prometheus → real Alertmanager → a loopback webhook: an always-firing rule reaches the
// receiver as Alertmanager's webhook JSON with the bearer credentials from its config. This is
// the chain the alerting tests build on, checked end to end with nothing standing in.
#include <chrono>
#include <csignal>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/alertmanager_server.h"
#include "support/http_receiver.h"
#include "support/prometheus_server.h"

using namespace backstop::test;

TEST_CASE("alertmanager fixture: a firing Prometheus alert reaches the webhook with its bearer credentials",
          "[e2e][alertmanager]") {
    HttpReceiver receiver;
    pid_t alertmanager_pid = -1;
    pid_t prometheus_pid = -1;
    {
        AlertmanagerServer alertmanager(receiver.url("/v1/alertmanager"), "fixture-token-42");
        PrometheusConfig config;
        config.yml = "global:\n"
                     "  scrape_interval: 1s\n"
                     "  evaluation_interval: 1s\n"
                     "rule_files: ['rules.yml']\n"
                     "alerting:\n"
                     "  alertmanagers:\n"
                     "    - static_configs:\n"
                     "        - targets: ['" + alertmanager.address() + "']\n";
        config.files["rules.yml"] = "groups:\n"
                                    "  - name: backstop-fixture\n"
                                    "    interval: 1s\n"
                                    "    rules:\n"
                                    "      - alert: BackstopFixtureAlert\n"
                                    "        expr: vector(1)\n"
                                    "        for: 0s\n"
                                    "        labels:\n"
                                    "          severity: page\n"
                                    "        annotations:\n"
                                    "          summary: always firing\n";
        PrometheusServer prometheus(config);
        alertmanager_pid = alertmanager.pid();
        prometheus_pid = prometheus.pid();

        // Evaluation, Prometheus's notifier and group_wait take a few seconds; 60 s only bounds a hang.
        REQUIRE(receiver.wait_for_requests(1, std::chrono::seconds(60)));
        ReceivedRequest request = receiver.requests().front();
        CHECK(request.method == "POST");
        CHECK(request.path == "/v1/alertmanager");
        CHECK(request.header("Authorization") == "Bearer fixture-token-42");
        CHECK_THAT(request.header("Content-Type"), Catch::StartsWith("application/json"));

        INFO(request.body);
        auto payload = nlohmann::json::parse(request.body, nullptr, false);
        REQUIRE_FALSE(payload.is_discarded());
        CHECK(payload.value("version", "") == "4");
        CHECK(payload.value("status", "") == "firing");
        CHECK(payload.value("receiver", "") == "webhook");
        CHECK(payload["groupLabels"].value("alertname", "") == "BackstopFixtureAlert");
        REQUIRE(payload["alerts"].is_array());
        REQUIRE(payload["alerts"].size() == 1);
        const auto& alert = payload["alerts"][0];
        CHECK(alert.value("status", "") == "firing");
        CHECK(alert["labels"].value("alertname", "") == "BackstopFixtureAlert");
        CHECK(alert["labels"].value("severity", "") == "page");
        CHECK(alert["annotations"].value("summary", "") == "always firing");
        CHECK_FALSE(alert.value("fingerprint", "").empty());
    }
    // Both daemons were stopped and reaped with their fixtures: nothing leaks out of the tests.
    CHECK(::kill(alertmanager_pid, 0) != 0);
    CHECK(::kill(prometheus_pid, 0) != 0);
}
