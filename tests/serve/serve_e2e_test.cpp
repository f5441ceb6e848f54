// `backstop serve` as a real process against the real quickstart service: a health trigger and a
// critical log line each roll a bad deploy back by themselves; Alertmanager and generic events roll
// back through event sources (and nothing happens without the token); SIGHUP keeps the old policies
// when the new ones are broken and takes fixed ones; SIGTERM lets a running rollback finish and
// exits 0; a real Alertmanager delivers.
#include <algorithm>
#include <csignal>
#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "serve_process.h"
#include "support/alertmanager_server.h"
#include "support/backstop_cli.h"
#include "support/eventually.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "e2e-token-7f3a9c";

// One record per run (the file holds every write of a run: started, ended, notified), oldest first.
std::vector<nlohmann::json> history(const QuickstartService& qs) {
    std::vector<nlohmann::json> out;
    std::ifstream in(qs.dir().file("state/history.jsonl"));
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.find("\"run_id\"") == std::string::npos) continue;
        auto j = nlohmann::json::parse(line);
        auto same = std::find_if(out.begin(), out.end(), [&](const nlohmann::json& r) { return r["run_id"] == j["run_id"]; });
        if (same != out.end()) *same = j;
        else out.push_back(j);
    }
    return out;
}

// A finished run in history (its last write is not "running").
bool one_finished_run(const QuickstartService& qs) {
    auto records = history(qs);
    return records.size() == 1 && records[0]["outcome"] != "running";
}

// The policy as simulate_bad_deploy wrote it, with `keys` in [service.web] and `tables` after it.
void extend_policy(QuickstartService& qs, const std::string& keys, const std::string& tables) {
    qs.write_policy();
    std::string policy = qs.dir().read("backstop.toml");
    auto at = policy.find("[service.web]\n");
    REQUIRE(at != std::string::npos);
    policy.insert(at + 14, keys);
    qs.dir().write("backstop.toml", policy + "\n" + tables);
}

std::map<std::string, std::string> token_env() { return {{"BACKSTOP_TOKEN", kToken}}; }

const char* kEventSources = R"([service.web.source.alerts]
kind  = "event"
match = { alertname = "HighErrorRate", job = "web" }

[[service.web.trigger]]
name     = "alert_firing"
source   = "alerts"
when     = "failed"
then     = "rollback"
)";

std::string alertmanager_body(const std::string& status, const std::string& alertname = "HighErrorRate") {
    nlohmann::json alert = {{"status", status},
                            {"labels", {{"alertname", alertname}, {"job", "web"}, {"severity", "critical"}}},
                            {"annotations", {{"summary", "5xx above 5% for 5m"}}},
                            {"startsAt", "2024-03-10T03:00:00Z"},
                            {"endsAt", "0001-01-01T00:00:00Z"},
                            {"fingerprint", "1a30ba71cca2921f"}};
    return nlohmann::json{{"version", "4"}, {"status", status}, {"receiver", "backstop"}, {"groupKey", "{}:{}"},
                          {"alerts", nlohmann::json::array({alert})}}
        .dump();
}

}  // namespace

TEST_CASE("serve: a health trigger rolls the bad deploy back by itself, /metrics counts it, SIGTERM exits 0", "[e2e][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    extend_policy(qs, "use = [\"service_down\"]\ncooldown = \"5m\"\n",
                  "[service.web.rules.service_down]\nfailures = 2\n\n"
                  "[service.web.source.health]\nkind = \"http\"\nurl = \"http://127.0.0.1:" + std::to_string(qs.port()) +
                      "/health\"\ninterval = \"200ms\"\ntimeout = \"1s\"\n");
    REQUIRE(run_backstop(qs.cli({"check"})).exit_code == 0);

    int port = free_port();
    ServeProcess serve(serve_args(qs, port), port, token_env());
    INFO(serve.log());
    REQUIRE(serve.ready());
    HttpResponse health = serve.get("/healthz");
    CHECK(health.body.find("ok") == 0);
    CHECK(health.body.find("services=1") != std::string::npos);

    if (!eventually([&] { return qs.current_release() == "v1"; })) FAIL(serve.log());
    std::string metrics;
    REQUIRE(eventually([&] {
        metrics = serve.get("/metrics").body;
        return metrics.find("backstop_rollbacks_total{") != std::string::npos;
    }));
    INFO(metrics);
    CHECK(metrics.find("outcome=\"succeeded\",service=\"web\"} 1\n") != std::string::npos);
    CHECK(metric_value(metrics, "backstop_triggers_fired_total{service=\"web\",trigger=\"service_down\"}") == 1);
    CHECK(metric_value(metrics, "backstop_source_observations_total{service=\"web\",source=\"health\",status=\"failed\"}") >= 2);
    CHECK(metric_value(metrics, "backstop_evaluations_total{service=\"web\"}") >= 2);
    CHECK(metric_value(metrics, "backstop_time_to_detect_seconds_count{service=\"web\"}") == 1);
    CHECK(metric_value(metrics, "backstop_rollback_duration_seconds_count{service=\"web\"}") == 1);
    CHECK(metric_value(metrics, "backstop_last_success_timestamp_seconds{service=\"web\"}") > 1.7e9);
    CHECK(qs.health().rfind("200", 0) == 0);

    auto records = history(qs);
    REQUIRE(records.size() == 1);
    CHECK(records[0]["outcome"] == "succeeded");
    CHECK(records[0]["trigger"] == "trigger:service_down");
    CHECK(records[0]["decision"]["observed"] == "consecutive_failures=2 failures=2");
    CHECK(serve.log().find("web/service_down fired: rollback:") != std::string::npos);

    serve.signal(SIGTERM);
    CHECK(serve.wait_exit(30s) == 0);
    CHECK(serve.log().find("stopped") != std::string::npos);
}

TEST_CASE("serve: a critical line appended to the app log rolls back through the critical_log rule", "[e2e][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.dir().write("app.log", "CRITICAL written before backstop looked: not counted\n");
    extend_policy(qs, "use = [\"critical_log\"]\n",
                  "[service.web.source.app_log]\nkind = \"log\"\npath = \"app.log\"\npattern = \"CRITICAL|Traceback\"\n"
                  "interval = \"200ms\"\n");
    CliResult check = run_backstop(qs.cli({"check"}));
    INFO(check.out << check.err);
    REQUIRE(check.exit_code == 0);

    int port = free_port();
    ServeProcess serve(serve_args(qs, port), port, token_env());
    INFO(serve.log());
    REQUIRE(serve.ready());
    // The first look starts at the end of the file: only lines appended after it count.
    const std::string looked_ok = "backstop_source_observations_total{service=\"web\",source=\"app_log\",status=\"ok\"}";
    REQUIRE(eventually([&] { return metric_value(serve.get("/metrics").body, looked_ok) >= 1; }));
    CHECK(qs.current_release() == "v2");
    CHECK(history(qs).empty());

    {
        std::ofstream log(qs.dir().file("app.log"), std::ios::app);
        log << "INFO request served\nTraceback (most recent call last):\n";
    }
    if (!eventually([&] { return one_finished_run(qs); })) FAIL(serve.log());
    CHECK(qs.current_release() == "v1");
    CHECK(qs.health() == "200 ok v1\n");
    auto rec = history(qs)[0];
    INFO(rec.dump(2));
    CHECK(rec["outcome"] == "succeeded");
    CHECK(rec["trigger"] == "trigger:critical_log");
    CHECK(rec["from"] == "v2");
    CHECK(rec["to"] == "v1");
    CHECK(rec["decision"]["rule_source"] == "rules/critical_log");
    CHECK(rec["decision"]["source"] == "app_log");
    CHECK(rec["decision"]["observed"] == "value=1 lines=1");
    CHECK(rec["decision"]["severity"] == "critical");
    CHECK(rec["decision"]["rule"] == "default tree: critical");
    // Only the appended Traceback: neither the CRITICAL line from before nor the INFO line.
    CHECK_THAT(rec["decision"]["observation"].get<std::string>(),
               Catch::StartsWith("1 new line of ") && Catch::EndsWith("app.log matches `CRITICAL|Traceback`"));
    // The worker counts the fire once the run it started has ended, a moment after its record.
    const std::string fired = "backstop_triggers_fired_total{service=\"web\",trigger=\"critical_log\"}";
    std::string metrics;
    const std::string rolled_back = "backstop_rollbacks_total{level=\"fast\",outcome=\"succeeded\",service=\"web\"}";
    REQUIRE(eventually([&] { return metric_value(metrics = serve.get("/metrics").body, rolled_back) >= 1; }));
    INFO(metrics);
    CHECK(metric_value(metrics, fired) == 1);
    CHECK(metric_value(metrics, rolled_back) == 1);

    serve.signal(SIGTERM);
    CHECK(serve.wait_exit(30s) == 0);
}

TEST_CASE("serve: a firing Alertmanager alert rolls back, without the token nothing happens", "[e2e][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    extend_policy(qs, "", kEventSources);
    int port = free_port();
    ServeProcess serve(serve_args(qs, port), port, token_env());
    INFO(serve.log());
    REQUIRE(serve.ready());

    HttpResponse no_token = serve.post("/v1/alertmanager", alertmanager_body("firing"));
    CHECK(no_token.status == 401);
    HttpResponse wrong = serve.post("/v1/alertmanager", alertmanager_body("firing"), "e2e-token-7f3a9");
    CHECK(wrong.status == 401);
    CHECK(metric_value(serve.get("/metrics").body, "backstop_events_total{endpoint=\"alertmanager\",result=\"unauthorized\"}") == 2);
    CHECK(metric_value(serve.get("/metrics").body, "backstop_evaluations_total{service=\"web\"}") == -1);
    CHECK(qs.current_release() == "v2");
    CHECK(history(qs).empty());

    HttpResponse bad = serve.post("/v1/alertmanager", "{\"alerts\": [", kToken);
    CHECK(bad.status == 400);
    CHECK(bad.body.find("not JSON") != std::string::npos);
    HttpResponse other = serve.post("/v1/alertmanager", alertmanager_body("firing", "DiskFull"), kToken);
    CHECK(other.status == 200);
    CHECK(nlohmann::json::parse(other.body)["status"] == "unmatched");

    HttpResponse fired = serve.post("/v1/alertmanager", alertmanager_body("firing"), kToken);
    INFO(fired.body);
    REQUIRE(fired.status == 202);
    auto answer = nlohmann::json::parse(fired.body);
    CHECK(answer["events"][0]["name"] == "HighErrorRate");
    CHECK(answer["events"][0]["reached"][0]["service"] == "web");
    CHECK(answer["events"][0]["reached"][0]["source"] == "alerts");
    CHECK(answer["events"][0]["reached"][0]["triggers"] == nlohmann::json::array({"alert_firing"}));

    if (!eventually([&] { return one_finished_run(qs); })) FAIL(serve.log());
    auto rec = history(qs)[0];
    CHECK(rec["outcome"] == "succeeded");
    CHECK(rec["trigger"] == "trigger:alert_firing");
    CHECK(rec["decision"]["observation"] == "5xx above 5% for 5m (firing)");
    CHECK(qs.current_release() == "v1");
    std::string metrics = serve.get("/metrics").body;
    INFO(metrics);
    CHECK(metric_value(metrics, "backstop_events_total{endpoint=\"alertmanager\",result=\"accepted\"}") == 1);
    CHECK(metric_value(metrics, "backstop_source_observations_total{service=\"web\",source=\"alerts\",status=\"failed\"}") == 1);
    CHECK(serve.log().find(kToken) == std::string::npos);

    serve.signal(SIGTERM);
    CHECK(serve.wait_exit(30s) == 0);
}

TEST_CASE("serve: POST /v1/events — a resolved event is recorded and evaluated, a firing one rolls back", "[e2e][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    extend_policy(qs, "",
                  "[service.web.source.deploys]\nkind = \"event\"\n\n"
                  "[[service.web.trigger]]\nname = \"bad_deploy\"\nsource = \"deploys\"\n"
                  "when = \"event == \\\"deploy_failed\\\" and failed\"\nthen = \"rollback\"\n");
    REQUIRE(run_backstop(qs.cli({"check"})).exit_code == 0);
    std::string token_file = qs.dir().write("token", kToken + "\n");
    int port = free_port();
    ServeProcess serve(serve_args(qs, port, {"--token-file", token_file}), port, {{"BACKSTOP_TOKEN", ""}});
    INFO(serve.log());
    REQUIRE(serve.ready());

    nlohmann::json event = {{"service", "web"}, {"source", "deploys"}, {"name", "deploy_failed"}, {"status", "resolved"},
                            {"labels", {{"sha", "abc123"}}}};
    HttpResponse resolved = serve.post("/v1/events", event.dump(), kToken);
    INFO(resolved.body);
    REQUIRE(resolved.status == 202);
    REQUIRE(eventually([&] { return metric_value(serve.get("/metrics").body, "backstop_evaluations_total{service=\"web\"}") == 1; }));
    CHECK(metric_value(serve.get("/metrics").body,
                       "backstop_source_observations_total{service=\"web\",source=\"deploys\",status=\"ok\"}") == 1);
    CHECK(qs.current_release() == "v2");
    CHECK(history(qs).empty());

    CHECK(serve.post("/v1/events", R"({"name": "deploy_failed", "status": "broken"})", kToken).status == 400);
    event["status"] = "firing";
    HttpResponse firing = serve.post("/v1/events", event.dump(), kToken);
    REQUIRE(firing.status == 202);
    if (!eventually([&] { return one_finished_run(qs); })) FAIL(serve.log());
    CHECK(history(qs)[0]["outcome"] == "succeeded");
    CHECK(history(qs)[0]["decision"]["observed"] == "event=\"deploy_failed\" failed=true");
    CHECK(qs.current_release() == "v1");

    serve.signal(SIGTERM);
    CHECK(serve.wait_exit(30s) == 0);
}

TEST_CASE("serve: SIGHUP with a broken policy keeps the old one, with a fixed one takes the change", "[e2e][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    extend_policy(qs, "", kEventSources);
    int port = free_port();
    ServeProcess serve(serve_args(qs, port, {"--no-auth"}), port, {{"BACKSTOP_TOKEN", ""}});
    INFO(serve.log());
    REQUIRE(serve.ready());
    CHECK(serve.log().find("--no-auth") != std::string::npos);

    nlohmann::json deploy = {{"service", "web"}, {"source", "deploys"}, {"name", "deploy_failed"}, {"status", "firing"}};
    CHECK(serve.post("/v1/events", deploy.dump()).status == 200);  // no such source yet

    std::string good = qs.dir().read("backstop.toml");
    qs.dir().write("backstop.toml", good + "\n[service.web.source.deploys]\nkind = \"event\"\nmatch = { sha = 5 }\n");
    serve.signal(SIGHUP);
    REQUIRE(eventually([&] { return metric_value(serve.get("/metrics").body, "backstop_reloads_total{result=\"failed\"}") == 1; }));
    CHECK(serve.log().find("backstop.toml:") != std::string::npos);
    CHECK(serve.log().find("reload refused") != std::string::npos);
    CHECK(serve.get("/healthz").status == 200);
    CHECK(serve.post("/v1/events", deploy.dump()).status == 200);  // still the old policies
    CHECK(serve.post("/v1/alertmanager", alertmanager_body("resolved")).status == 202);

    qs.dir().write("backstop.toml", good + "\n[service.web.source.deploys]\nkind = \"event\"\n\n"
                                           "[[service.web.trigger]]\nname = \"bad_deploy\"\nsource = \"deploys\"\n"
                                           "when = \"failed\"\nthen = \"rollback\"\n");
    serve.signal(SIGHUP);
    REQUIRE(eventually([&] { return metric_value(serve.get("/metrics").body, "backstop_reloads_total{result=\"ok\"}") == 1; }));
    HttpResponse fired = serve.post("/v1/events", deploy.dump());
    INFO(fired.body);
    REQUIRE(fired.status == 202);
    CHECK(nlohmann::json::parse(fired.body)["events"][0]["reached"][0]["triggers"] == nlohmann::json::array({"bad_deploy"}));
    if (!eventually([&] { return one_finished_run(qs); })) FAIL(serve.log());
    CHECK(history(qs)[0]["trigger"] == "trigger:bad_deploy");
    CHECK(qs.current_release() == "v1");

    serve.signal(SIGTERM);
    CHECK(serve.wait_exit(30s) == 0);
}

TEST_CASE("serve: SIGTERM lets a running rollback finish, then exits 0, past --shutdown-timeout it exits 1", "[e2e][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("slow.lua", "return { levels = { fast = function(ctx)\n"
                                 "  log.info('switching slowly')\n  sleep(SECONDS)\n"
                                 "  service.switch(ctx.to)\n  service.restart()\nend } }\n");
    std::string runbook = qs.dir().read("slow.lua");
    bool finishes = GENERATE(true, false);
    runbook.replace(runbook.find("SECONDS"), 7, finishes ? "1.5" : "20");
    qs.dir().write("slow.lua", runbook);
    extend_policy(qs, "", kEventSources);
    {
        // The slow runbook in the default rollback table.
        std::string policy = qs.dir().read("backstop.toml");
        auto at = policy.find("[service.web.rollback]\n");
        REQUIRE(at != std::string::npos);
        policy.insert(at + 23, "runbook = \"slow.lua\"\nhook_timeout = \"60s\"\n");
        qs.dir().write("backstop.toml", policy);
    }
    CliResult check = run_backstop(qs.cli({"check"}));
    INFO(check.out << check.err);
    REQUIRE(check.exit_code == 0);

    int port = free_port();
    ServeProcess serve(serve_args(qs, port, {"--shutdown-timeout", "5s"}), port, token_env());
    INFO(serve.log());
    REQUIRE(serve.ready());
    REQUIRE(serve.post("/v1/alertmanager", alertmanager_body("firing"), kToken).status == 202);
    REQUIRE(serve.wait_for_log("switching slowly", 30s));
    serve.signal(SIGTERM);
    if (finishes) {
        CHECK(serve.wait_exit(30s) == 0);
        CHECK(serve.log().find("waiting for web") != std::string::npos);
        REQUIRE(history(qs).size() == 1);
        CHECK(history(qs)[0]["outcome"] == "succeeded");
        CHECK(qs.current_release() == "v1");
    } else {
        CHECK(serve.wait_exit(30s) == 1);
        CHECK(serve.log().find("still busy after the shutdown timeout (5s): web") != std::string::npos);
        CHECK(qs.current_release() == "v2");
    }
}

TEST_CASE("serve: refuses to start without a token unless --no-auth", "[e2e][serve]") {
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.write_policy();
    CliResult r = run_backstop(qs.cli({"serve", "--listen", "127.0.0.1:" + std::to_string(free_port())}), {{"BACKSTOP_TOKEN", ""}}, 20);
    CHECK(r.exit_code == 64);
    CHECK(r.err.find("--token-file") != std::string::npos);
    std::string empty = qs.dir().write("empty-token", "\n");
    r = run_backstop(qs.cli({"serve", "--token-file", empty}), {}, 20);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("holds no token") != std::string::npos);
}

TEST_CASE("serve: a real Alertmanager's webhook, with its bearer credentials, rolls back", "[e2e][serve][alertmanager]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    extend_policy(qs, "", kEventSources);
    int port = free_port();
    ServeProcess serve(serve_args(qs, port), port, token_env());
    REQUIRE(serve.ready());
    AlertmanagerServer alertmanager("http://127.0.0.1:" + std::to_string(port) + "/v1/alertmanager", kToken);

    HttpRequest post;
    post.method = "POST";
    post.url = alertmanager.url() + "/api/v2/alerts";
    post.headers["Content-Type"] = "application/json";
    post.body = R"([{"labels": {"alertname": "HighErrorRate", "job": "web", "severity": "critical"},
                     "annotations": {"summary": "5xx above 5% for 5m"}}])";
    post.timeout = Duration{5000};
    HttpResponse accepted = make_http_client()->send(post);
    INFO(accepted.status << " " << accepted.body << accepted.error);
    REQUIRE(accepted.status == 200);

    // group_wait is 1 s; 60 s only bounds a hang.
    if (!eventually([&] { return one_finished_run(qs); }, 60s)) FAIL(serve.log());
    auto rec = history(qs)[0];
    CHECK(rec["outcome"] == "succeeded");
    CHECK(rec["trigger"] == "trigger:alert_firing");
    CHECK(rec["decision"]["observation"] == "5xx above 5% for 5m (firing)");
    CHECK(qs.current_release() == "v1");
    CHECK(metric_value(serve.get("/metrics").body, "backstop_events_total{endpoint=\"alertmanager\",result=\"accepted\"}") >= 1);

    serve.signal(SIGTERM);
    CHECK(serve.wait_exit(30s) == 0);
}
