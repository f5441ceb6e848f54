// `backstop serve` under attack, as a real process on loopback: 1,000 idle and 200 trickling
// (slowloris) connections must not keep /healthz or an authenticated Alertmanager POST from being
// answered and acted on; a 1 MB deeply nested body is refused before parsing, counted, and leaves
// the daemon's memory where it was.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "serve/serve_process.h"
#include "support/backstop_cli.h"
#include "support/connection_flood.h"
#include "support/eventually.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "flood-token-2c81d0";

const char* kEventSource = R"(
[service.web.source.alerts]
kind  = "event"
match = { alertname = "HighErrorRate", job = "web" }

[[service.web.trigger]]
name     = "alert_firing"
source   = "alerts"
when     = "failed"
then     = "rollback"
)";

// The quickstart service after a bad deploy, with an Alertmanager event source that rolls it back.
void write_event_policy(QuickstartService& qs) {
    qs.simulate_bad_deploy();
    qs.dir().write("backstop.toml", qs.dir().read("backstop.toml") + kEventSource);
}

std::string alertmanager_body(const std::string& status) {
    nlohmann::json alert = {{"status", status},
                            {"labels", {{"alertname", "HighErrorRate"}, {"job", "web"}}},
                            {"annotations", {{"summary", "5xx above 5%"}}},
                            {"startsAt", "2024-03-10T03:00:00Z"},
                            {"fingerprint", "1a30ba71cca2921f"}};
    return nlohmann::json{{"version", "4"}, {"status", status}, {"receiver", "backstop"},
                          {"alerts", nlohmann::json::array({alert})}}
        .dump();
}

// Finished runs in history (a run's last record is not "running").
std::vector<nlohmann::json> finished_runs(const QuickstartService& qs) {
    std::map<std::string, nlohmann::json> runs;
    std::ifstream in(qs.dir().file("state/history.jsonl"));
    for (std::string line; std::getline(in, line);) {
        if (line.find("\"run_id\"") == std::string::npos) continue;
        auto j = nlohmann::json::parse(line);
        runs[j["run_id"].get<std::string>()] = j;
    }
    std::vector<nlohmann::json> out;
    for (auto& [id, r] : runs)
        if (r["outcome"] != "running") out.push_back(r);
    return out;
}

// A process's memory in KiB from /proc/PID/status: "VmRSS:" (resident now) or "VmHWM:" (its peak); -1
// when unreadable.
long memory_kib(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
    return -1;
}

double events_total(const ServeProcess& serve, const std::string& result) {
    return metric_value(serve.get("/metrics").body,
                        "backstop_events_total{endpoint=\"alertmanager\",result=\"" + result + "\"}");
}

}  // namespace

TEST_CASE("serve: with 1,000 idle and 200 slowloris connections open, /healthz and authenticated alerts all get through",
          "[faults][serve]") {
    QuickstartService qs;
    write_event_policy(qs);
    const int port = free_port();
    ServeProcess serve(serve_args(qs, port), port, {{"BACKSTOP_TOKEN", kToken}});
    INFO(serve.log());
    REQUIRE(serve.ready());

    ConnectionFlood flood(port, 1000, 200);
    CHECK(eventually([&] { return flood.established() >= 1200; }));
    INFO("flood: " << flood.established() << " connections open");

    constexpr int kChecks = 20;
    int healthy = 0, accepted = 0;
    for (int i = 0; i < kChecks; ++i) {
        HttpResponse health = serve.get("/healthz");
        HttpResponse alert = serve.post("/v1/alertmanager", alertmanager_body("resolved"), kToken);
        INFO("check " << i << ": /healthz " << health.status << " " << health.error << ", POST " << alert.status << " " << alert.error);
        healthy += health.status == 200;
        accepted += alert.status == 202;
        if (health.status != 200 || alert.status != 202) break;  // each failure costs the client's timeout
    }
    CHECK(healthy == kChecks);
    CHECK(accepted == kChecks);

    // The alert that fires is acted on: the rollback runs while the flood goes on.
    HttpResponse fired = serve.post("/v1/alertmanager", alertmanager_body("firing"), kToken);
    CHECK(fired.status == 202);
    CHECK(eventually([&] { return finished_runs(qs).size() == 1; }));
    auto runs = finished_runs(qs);
    REQUIRE(runs.size() == 1);
    // The switch is what the alert bought; whether the restarted app then passed its health probes in
    // time is the quickstart's business on a loaded machine, not the HTTP server's.
    INFO("outcome: " << runs[0]["outcome"]);
    CHECK(runs[0]["trigger"] == "trigger:alert_firing");
    CHECK(qs.current_release() == "v1");
    CHECK(events_total(serve, "accepted") == kChecks + 1);

    // Trickling does not buy time: the request deadline closes slowloris connections (they reconnect).
    CHECK(flood.trickled_bytes() > 0);
    CHECK(eventually([&] { return flood.closed_by_server() >= 200; }));
}

TEST_CASE("serve: a 1 MB deeply nested body is refused before parsing and counted, a body over 1 MiB gets 413, memory stays flat",
          "[faults][serve]") {
    QuickstartService qs;
    write_event_policy(qs);
    const int port = free_port();
    ServeProcess serve(serve_args(qs, port), port, {{"BACKSTOP_TOKEN", kToken}});
    INFO(serve.log());
    REQUIRE(serve.ready());
    REQUIRE(serve.post("/v1/alertmanager", alertmanager_body("resolved"), kToken).status == 202);
    const long before = memory_kib(serve.pid(), "VmRSS:");
    REQUIRE(before > 0);

    // 1,000,001 bytes, 250,000 levels of objects and arrays: within the body limit, so only the
    // nesting limit stands between it and the JSON parser (which would take tens of MB for it).
    std::string nested;
    for (int i = 0; i < 125'000; ++i) nested += "{\"a\":[";
    nested += "1";
    for (int i = 0; i < 125'000; ++i) nested += "]}";
    REQUIRE(nested.size() < 1024 * 1024);
    for (int i = 0; i < 3; ++i) {
        HttpResponse r = serve.post("/v1/alertmanager", nested, kToken);
        INFO(r.body);
        CHECK(r.status == 400);
        CHECK(r.body.find("nested deeper than") != std::string::npos);
    }
    const std::string huge = std::string(1'100'000, '[') + std::string(1'100'000, ']');  // over 1 MiB
    HttpResponse too_large = serve.post("/v1/alertmanager", huge, kToken);
    CHECK(too_large.status == 413);

    // Generous bounds (the bodies themselves are 1 MB each): what matters is that no parser built them.
    const long after = memory_kib(serve.pid(), "VmRSS:");
    const long peak = memory_kib(serve.pid(), "VmHWM:");
    INFO("resident before " << before << " KiB, after " << after << " KiB, peak " << peak << " KiB");
    CHECK(peak < before + 20 * 1024);
    CHECK(after < before + 10 * 1024);
    CHECK(events_total(serve, "bad_request") == 3);
    CHECK(events_total(serve, "too_large") == 1);
    // Still serving.
    CHECK(serve.post("/v1/alertmanager", alertmanager_body("resolved"), kToken).status == 202);
}
