// The whole alerting chain with nothing standing in: a real exporter's error rate goes up, a real
// Prometheus scraping it every second fires HighErrorRate, a real Alertmanager sends it with the
// bearer token to `backstop serve`, whose event source and trigger decide a rollback of the real
// quickstart service; history says why, /metrics counts it and a webhook channel announces it.
#include <cctype>
#include <csignal>
#include <optional>
#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "prim/http_client.h"
#include "serve/serve_process.h"
#include "support/alertmanager_server.h"
#include "support/backstop_cli.h"
#include "support/error_rate_exporter.h"
#include "support/eventually.h"
#include "support/http_receiver.h"
#include "support/prometheus_server.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "alert-chain-token-5d2e8b";

const std::string kErrorRatio = "sum by (job) (rate(http_requests_total{code=\"500\"}[10s]))"
                                " / sum by (job) (rate(http_requests_total[10s]))";

PrometheusConfig prometheus_config(const ErrorRateExporter& exporter, const AlertmanagerServer& alertmanager) {
    PrometheusConfig config;
    config.yml = "global:\n"
                 "  scrape_interval: 1s\n"
                 "  evaluation_interval: 1s\n"
                 "rule_files: ['rules.yml']\n"
                 "alerting:\n"
                 "  alertmanagers:\n"
                 "    - static_configs:\n"
                 "        - targets: ['" + alertmanager.address() + "']\n"
                 "scrape_configs:\n"
                 "  - job_name: web\n"
                 "    static_configs:\n"
                 "      - targets: ['" + exporter.address() + "']\n";
    config.files["rules.yml"] = "groups:\n"
                                "  - name: web\n"
                                "    interval: 1s\n"
                                "    rules:\n"
                                "      - alert: HighErrorRate\n"
                                "        expr: '" + kErrorRatio + " > 0.1'\n"
                                "        for: 0s\n"
                                "        labels:\n"
                                "          service: web\n"
                                "          severity: critical\n"
                                "        annotations:\n"
                                "          summary: 'error rate {{ $value | humanizePercentage }} on job {{ $labels.job }}'\n";
    return config;
}

// The service's event source takes the alert by its labels; the trigger leaves the action to the
// decision rules (the default tree: a critical trigger rolls back); a webhook channel announces runs.
std::string policy_tables(const HttpReceiver& notify) {
    return "[service.web.rollback]\n"
           "max_attempts = 10\n"
           "window = \"1h\"\n\n"
           "[service.web.source.alerts]\n"
           "kind  = \"event\"\n"
           "match = { alertname = \"HighErrorRate\", service = \"web\" }\n\n"
           "[[service.web.trigger]]\n"
           "name     = \"error_rate_alert\"\n"
           "source   = \"alerts\"\n"
           "when     = 'failed and event == \"HighErrorRate\"'\n"
           "severity = \"critical\"\n"
           "then     = \"decide\"\n\n"
           "[[notify]]\n"
           "name = \"ops-hook\"\n"
           "type = \"webhook\"\n"
           "url  = \"" + notify.url("/notify") + "\"\n";
}

std::string form_encoded(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c)) out += static_cast<char>(c);
        else out += {'%', hex[c >> 4], hex[c & 15]};
    }
    return out;
}

// Prometheus's answer to an instant query: its one sample's value, or nullopt (no sample yet, not up).
std::optional<double> query_one(const PrometheusServer& prometheus, const std::string& promql) {
    HttpRequest req;
    req.method = "POST";
    req.url = prometheus.url() + "/api/v1/query";
    req.headers["Content-Type"] = "application/x-www-form-urlencoded";
    req.body = "query=" + form_encoded(promql);
    req.timeout = Duration{5000};
    HttpResponse r = make_http_client()->send(req);
    if (r.status != 200) return std::nullopt;
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded() || j["data"]["result"].size() != 1) return std::nullopt;
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
}

}  // namespace

TEST_CASE("alert chain: exporter → Prometheus → Alertmanager → backstop serve rolls back, records, counts, notifies",
          "[e2e][serve][alertmanager]") {
    HttpReceiver notify;
    ErrorRateExporter exporter(0.01);  // healthy: 1% of requests fail, under the 10% the rule allows
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_policy(policy_tables(notify));
    CliResult check = run_backstop(qs.cli({"check"}));
    INFO(check.out << check.err);
    REQUIRE(check.exit_code == 0);
    const std::string app_pid_before = qs.dir().read("web.pid");

    pid_t serve_pid = -1, alertmanager_pid = -1, prometheus_pid = -1;
    {
        int port = free_port();
        ServeProcess serve(serve_args(qs, port), port, {{"BACKSTOP_TOKEN", kToken}});
        INFO(serve.log());
        REQUIRE(serve.ready());
        serve_pid = serve.pid();
        AlertmanagerServer alertmanager("http://127.0.0.1:" + std::to_string(port) + "/v1/alertmanager", kToken);
        PrometheusServer prometheus(prometheus_config(exporter, alertmanager));
        alertmanager_pid = alertmanager.pid();
        prometheus_pid = prometheus.pid();

        // Healthy: Prometheus scrapes the exporter and computes the ratio, which stays under the threshold.
        std::optional<double> healthy;
        REQUIRE(eventually([&] { return (healthy = query_one(prometheus, kErrorRatio)).has_value(); }, 60s));
        CHECK(*healthy == Approx(0.01));
        CHECK(exporter.scrapes() >= 2);
        CHECK(qs.current_release() == "v2");
        CHECK(notify.requests().empty());

        exporter.set_error_share(0.5);
        // Several scrapes, an evaluation, Alertmanager's group_wait and the rollback take a few
        // seconds; 120 s only bounds a hang on a loaded machine.
        if (!eventually([&] { return !notify.requests_to("/notify").empty(); }, 120s))
            FAIL("no rollback announced\nserve log:\n" << serve.log() << "\nexporter scrapes: " << exporter.scrapes());

        CHECK(qs.current_release() == "v1");
        // The restart ran: a new app process, serving v1 (the app reads its release when it starts).
        CHECK(qs.dir().read("web.pid") != app_pid_before);
        CHECK(qs.health() == "200 ok v1\n");

        auto announced = nlohmann::json::parse(notify.requests_to("/notify").front().body);
        INFO(announced.dump(2));
        CHECK(announced["event"] == "succeeded");
        CHECK(announced["run"]["service"] == "web");
        CHECK(announced["run"]["outcome"] == "succeeded");
        CHECK(announced["run"]["trigger"] == "trigger:error_rate_alert");
        CHECK(announced["run"]["from"] == "v2");
        CHECK(announced["run"]["to"] == "v1");

        // The delivery is recorded again under the same run once it ended.
        nlohmann::json runs;
        REQUIRE(eventually([&] {
            CliResult h = run_backstop(qs.cli({"history", "--json"}));
            if (h.exit_code != 0) return false;
            runs = h.json();
            return runs.size() == 1 && runs[0]["notifications"].size() == 1;
        }));
        const nlohmann::json& run = runs[0];
        INFO(run.dump(2));
        CHECK(run["run_id"] == announced["run"]["run_id"]);
        CHECK(run["outcome"] == "succeeded");
        CHECK(run["trigger"] == "trigger:error_rate_alert");
        CHECK(run["from"] == "v2");
        CHECK(run["to"] == "v1");
        CHECK(run["notifications"][0]["channel"] == "ops-hook");
        CHECK(run["notifications"][0]["delivered"] == true);
        bool restarted = false;
        for (const auto& step : run["steps"])
            if (step["name"] == "restart" && step["status"] == "ok") restarted = true;
        CHECK(restarted);
        const nlohmann::json& decision = run["decision"];
        CHECK(decision["trigger"] == "error_rate_alert");
        CHECK(decision["source"] == "alerts");
        CHECK(decision["severity"] == "critical");
        CHECK(decision["observed"] == "failed=true event=\"HighErrorRate\"");
        CHECK(decision["rule"] == "default tree: critical");
        CHECK(decision["action"] == "rollback:fast");
        // The error rate Prometheus saw reached backstop through the alert's summary.
        std::smatch rate;
        std::string observation = decision["observation"].get<std::string>();
        REQUIRE(std::regex_match(observation, rate, std::regex(R"(error rate ([0-9.]+)% on job web \(firing\))")));
        CHECK(std::stod(rate[1]) > 10);

        std::string metrics = serve.get("/metrics").body;
        INFO(metrics);
        CHECK(metric_value(metrics, "backstop_rollbacks_total{level=\"fast\",outcome=\"succeeded\",service=\"web\"}") == 1);
        CHECK(metric_value(metrics, "backstop_triggers_fired_total{service=\"web\",trigger=\"error_rate_alert\"}") == 1);
        CHECK(metric_value(metrics, "backstop_events_total{endpoint=\"alertmanager\",result=\"accepted\"}") >= 1);
        CHECK(metric_value(metrics, "backstop_events_total{endpoint=\"alertmanager\",result=\"unauthorized\"}") == -1);
        CHECK(metric_value(metrics, "backstop_source_observations_total{service=\"web\",source=\"alerts\",status=\"failed\"}") >= 1);
        CHECK(metric_value(metrics, "backstop_rollback_duration_seconds_count{service=\"web\"}") == 1);

        serve.signal(SIGTERM);
        CHECK(serve.wait_exit(30s) == 0);
    }
    // Every daemon was stopped and reaped with its fixture.
    CHECK(::kill(serve_pid, 0) != 0);
    CHECK(::kill(alertmanager_pid, 0) != 0);
    CHECK(::kill(prometheus_pid, 0) != 0);
}
