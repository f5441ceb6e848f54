// `backstop serve` and the events it takes, as a real process against the real quickstart service:
// SIGTERM ends it within --shutdown-timeout even while a reload waits for a rollback, POSTs after it
// get 503 and an event answered 202 is evaluated after the next start; a trigger's `for` and `delay`
// run on their own; a grouped Alertmanager notification keeps a trigger firing while one instance fires.
#include <csignal>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "serve/serve_process.h"
#include "support/backstop_cli.h"
#include "support/eventually.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;
using namespace std::chrono_literals;

namespace {

const std::string kToken = "faults-token-5b1e0d";

std::map<std::string, std::string> token_env() { return {{"BACKSTOP_TOKEN", kToken}}; }

// The policy simulate_bad_deploy wrote, `rollback_keys` added to [service.web.rollback] and `tables` after it.
void extend_policy(QuickstartService& qs, const std::string& rollback_keys, const std::string& tables) {
    std::string policy = qs.dir().read("backstop.toml");
    auto at = policy.find("[service.web.rollback]\n");
    REQUIRE(at != std::string::npos);
    policy.insert(at + 23, rollback_keys);
    qs.dir().write("backstop.toml", policy + "\n" + tables);
    CliResult check = run_backstop(qs.cli({"check"}));
    INFO(check.out << check.err);
    REQUIRE(check.exit_code == 0);
}

// `backstop history --json`, newest first.
nlohmann::json history(const QuickstartService& qs) {
    CliResult r = run_backstop(qs.cli({"history", "--json"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r.json();
}

// The finished runs of `trigger` in history.
std::size_t finished_runs(const QuickstartService& qs, const std::string& trigger, const std::string& outcome) {
    std::size_t n = 0;
    for (const auto& rec : history(qs))
        if (rec.value("trigger", "") == trigger && rec.value("outcome", "") == outcome) ++n;
    return n;
}

// One alert of an Alertmanager group: `instance` tells the instances apart, and so does the
// fingerprint when `fingerprint` is set.
nlohmann::json alert(const std::string& instance, const std::string& status, bool fingerprint = true) {
    nlohmann::json a = {{"status", status},
                        {"labels", {{"alertname", "HighErrorRate"}, {"job", "web"}, {"instance", instance}}},
                        {"annotations", {{"summary", "5xx above 5% on " + instance}}},
                        {"startsAt", "2024-03-10T03:00:00Z"},
                        {"endsAt", status == "firing" ? "0001-01-01T00:00:00Z" : "2024-03-10T03:20:00Z"}};
    if (fingerprint) a["fingerprint"] = instance == "web-1:8080" ? "8a2c1f0e4b6d3a91" : "c47e09b5d21f6a38";
    return a;
}

std::string notification(const std::vector<nlohmann::json>& alerts) {
    bool firing = false;
    for (const auto& a : alerts) firing = firing || a["status"] == "firing";
    return nlohmann::json{{"version", "4"}, {"status", firing ? "firing" : "resolved"}, {"receiver", "backstop"},
                          {"groupKey", "{}:{alertname=\"HighErrorRate\"}"}, {"groupLabels", {{"alertname", "HighErrorRate"}}},
                          {"alerts", alerts}}
        .dump();
}

const char* kAlertSource = R"([service.web.source.alerts]
kind  = "event"
match = { alertname = "HighErrorRate", job = "web" }
)";

double evaluations(const ServeProcess& serve) {
    return metric_value(serve.get("/metrics").body, "backstop_evaluations_total{service=\"web\"}");
}

// Whether the trigger has fired and not cleared, as serve saved it in STATE/watch/web.json.
bool fired(const QuickstartService& qs, const std::string& trigger) {
    auto state = nlohmann::json::parse(qs.dir().read("state/watch/web.json"));
    return state["triggers"][trigger].value("fired", false);
}

}  // namespace

TEST_CASE("serve: SIGTERM while a reload waits for a rollback ends within --shutdown-timeout, POSTs after it get 503, "
          "an event answered 202 before it is evaluated after the next start",
          "[faults][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    // The rollback holds until the test removes the file `hold`.
    qs.write_runbook("held.lua", "return { levels = { fast = function(ctx)\n"
                                 "  log.info('rollback held')\n"
                                 "  while exec({'test', '-e', 'hold'}).ok do sleep(0.1) end\n"
                                 "  service.switch(ctx.to)\n  service.restart()\nend } }\n");
    qs.dir().write("hold", "");
    extend_policy(qs, "runbook = \"held.lua\"\nhook_timeout = \"5m\"\nexec_allow = [\"test\"]\n",
                  std::string(kAlertSource) +
                      "\n[[service.web.trigger]]\nname = \"alert_firing\"\nsource = \"alerts\"\nwhen = \"failed\"\nthen = \"rollback\"\n"
                      "\n[service.web.source.deploys]\nkind = \"event\"\n"
                      "\n[[service.web.trigger]]\nname = \"bad_deploy\"\nsource = \"deploys\"\nwhen = \"failed\"\nthen = \"page\"\n");
    const std::string deploy = R"({"service": "web", "source": "deploys", "name": "deploy_failed", "status": "firing"})";

    {
        int port = free_port();
        ServeProcess serve(serve_args(qs, port, {"--shutdown-timeout", "2s"}), port, token_env());
        INFO(serve.log());
        REQUIRE(serve.ready());
        REQUIRE(serve.post("/v1/alertmanager", notification({alert("web-1:8080", "firing")}), kToken).status == 202);
        REQUIRE(serve.wait_for_log("rollback held", 30s));
        serve.signal(SIGHUP);
        REQUIRE(serve.wait_for_log("reload waits for web", 30s));
        // Answered 202 while the reload waits: kept, to be evaluated by the policies being loaded.
        HttpResponse accepted = serve.post("/v1/events", deploy, kToken);
        INFO(accepted.body);
        REQUIRE(accepted.status == 202);

        serve.signal(SIGTERM);
        REQUIRE(serve.wait_for_log("SIGTERM: stopping", 30s));
        HttpResponse late = serve.post("/v1/events", deploy, kToken);
        INFO(late.body);
        CHECK(late.status == 503);
        // The rollback still runs at the timeout: exit 1, as documented.
        CHECK(serve.wait_exit(60s) == 1);
        CHECK(serve.log().find("still busy after the shutdown timeout (2s): web") != std::string::npos);
        CHECK(finished_runs(qs, "trigger:bad_deploy", "paged") == 0);
    }
    CHECK(qs.current_release() == "v2");

    std::filesystem::remove(qs.dir().file("hold"));
    int port = free_port();
    ServeProcess serve(serve_args(qs, port), port, token_env());
    INFO(serve.log());
    REQUIRE(serve.ready());
    if (!eventually([&] { return finished_runs(qs, "trigger:bad_deploy", "paged") == 1; })) FAIL(serve.log());
    // Once evaluated, nothing is left to replay.
    CHECK(eventually([&] {
        std::error_code ec;
        auto size = std::filesystem::file_size(qs.dir().file("state/events/spool.jsonl"), ec);
        return ec || size == 0;
    }));
    serve.signal(SIGTERM);
    CHECK(serve.wait_exit(60s) == 0);
    CHECK(finished_runs(qs, "trigger:bad_deploy", "paged") == 1);
}

TEST_CASE("serve: a trigger on an event source with `for` or `delay` fires on its own after one firing alert", "[faults][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    const std::string timing = GENERATE(std::string("for = \"2s\""), std::string("delay = \"2s\""));
    extend_policy(qs, "", std::string(kAlertSource) + "\n[[service.web.trigger]]\nname = \"alert_firing\"\nsource = \"alerts\"\n"
                                                      "when = \"failed\"\nthen = \"rollback\"\n" + timing + "\n");
    int port = free_port();
    ServeProcess serve(serve_args(qs, port), port, token_env());
    INFO(serve.log());
    REQUIRE(serve.ready());
    REQUIRE(serve.post("/v1/alertmanager", notification({alert("web-1:8080", "firing")}), kToken).status == 202);

    // No further event: the timer alone must bring the trigger to fire.
    if (!eventually([&] { return finished_runs(qs, "trigger:alert_firing", "succeeded") == 1; }, 60s)) FAIL(serve.log());
    CHECK(qs.current_release() == "v1");
    CHECK(eventually([&] { return fired(qs, "alert_firing"); }));  // saved once the rollback returned
    serve.signal(SIGTERM);
    CHECK(serve.wait_exit(60s) == 0);
}

TEST_CASE("serve: a grouped notification where one instance resolves and another still fires keeps the trigger firing",
          "[faults][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    const bool fingerprints = GENERATE(true, false);  // without them, the label sets tell the instances apart
    extend_policy(qs, "", std::string(kAlertSource) + "\n[[service.web.trigger]]\nname = \"alert_firing\"\nsource = \"alerts\"\n"
                                                      "when = \"failed\"\nthen = \"page\"\n");
    int port = free_port();
    ServeProcess serve(serve_args(qs, port), port, token_env());
    INFO(serve.log());
    REQUIRE(serve.ready());

    auto post = [&](const std::vector<nlohmann::json>& alerts, double evaluated) {
        HttpResponse r = serve.post("/v1/alertmanager", notification(alerts), kToken);
        INFO(r.body);
        REQUIRE(r.status == 202);
        REQUIRE(eventually([&] { return evaluations(serve) == evaluated; }));
    };
    post({alert("web-1:8080", "firing", fingerprints), alert("web-2:8080", "firing", fingerprints)}, 2);
    CHECK(fired(qs, "alert_firing"));
    CHECK(finished_runs(qs, "trigger:alert_firing", "paged") == 1);

    // web-2 still fires: the resolved web-1, last in the group, must not clear the trigger.
    post({alert("web-2:8080", "firing", fingerprints), alert("web-1:8080", "resolved", fingerprints)}, 4);
    CHECK(fired(qs, "alert_firing"));
    std::string metrics = serve.get("/metrics").body;
    CHECK(metric_value(metrics, "backstop_source_observations_total{service=\"web\",source=\"alerts\",status=\"ok\"}") == -1);

    post({alert("web-1:8080", "resolved", fingerprints), alert("web-2:8080", "resolved", fingerprints)}, 6);
    CHECK_FALSE(fired(qs, "alert_firing"));
    CHECK(finished_runs(qs, "trigger:alert_firing", "paged") == 1);
    serve.signal(SIGTERM);
    CHECK(serve.wait_exit(60s) == 0);
}
