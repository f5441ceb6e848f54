// `backstop eval` against the real quickstart service: a built-in rule over the service's health
// check rolls a bad deploy back by itself and explains why in history; a critical log line does
// the same through a log source, and a paused service only records what it held back.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

namespace {

std::vector<nlohmann::json> history(const QuickstartService& qs) {
    std::vector<nlohmann::json> out;
    std::ifstream in(qs.dir().file("state/history.jsonl"));
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line.find("\"run_id\"") != std::string::npos) out.push_back(nlohmann::json::parse(line));
    return out;
}

void insert_in_service_table(const QuickstartService& qs, const std::string& keys, const std::string& tables) {
    std::string policy = qs.dir().read("backstop.toml");
    auto at = policy.find("[service.web]\n");
    REQUIRE(at != std::string::npos);
    policy.insert(at + 14, keys);
    qs.dir().write("backstop.toml", policy + "\n" + tables);
}

void append_line(const QuickstartService& qs, const std::string& file, const std::string& line) {
    std::ofstream out(qs.dir().file(file), std::ios::app);
    out << line << "\n";
}

}  // namespace

TEST_CASE("eval: the service_down rule over the health check rolls a bad deploy back and says why", "[e2e][watch]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    insert_in_service_table(qs, "use = [\"service_down\"]\ncooldown = \"5m\"\n", "[service.web.rules.service_down]\nfailures = 2\n");

    CliResult check = run_backstop(qs.cli({"check"}));
    INFO(check.out << check.err);
    REQUIRE(check.exit_code == 0);

    CliResult first = run_backstop(qs.cli({"eval", "--once"}));
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(first.out.find("web/service_down: quiet  consecutive_failures=1 failures=2") != std::string::npos);
    CHECK(qs.current_release() == "v2");

    CliResult dry = run_backstop(qs.cli({"eval", "--dry-run", "--json"}));
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(dry.json()[0]["action"] == "rollback:fast");
    CHECK(dry.json()[0]["outcome"] == "dry_run");
    CHECK(qs.current_release() == "v2");

    CliResult second = run_backstop(qs.cli({"eval", "--once", "--json"}));
    INFO(second.out << second.err);
    REQUIRE(second.exit_code == 0);
    auto report = second.json();
    REQUIRE(report.size() == 1);
    CHECK(report[0]["step"] == "fire");
    CHECK(report[0]["action"] == "rollback:fast");
    CHECK(report[0]["rule"] == "default tree: down");
    CHECK(report[0]["outcome"] == "succeeded");
    CHECK(qs.current_release() == "v1");
    CHECK(qs.health().rfind("200", 0) == 0);

    auto records = history(qs);
    REQUIRE(!records.empty());
    const auto& rec = records.back();
    CHECK(rec["outcome"] == "succeeded");
    CHECK(rec["trigger"] == "trigger:service_down");
    CHECK(rec["from"] == "v2");
    CHECK(rec["to"] == "v1");
    CHECK(rec["decision"]["trigger"] == "service_down");
    CHECK(rec["decision"]["rule_source"] == "rules/service_down");
    CHECK(rec["decision"]["observed"] == "consecutive_failures=2 failures=2");
    CHECK(rec["decision"]["rule"] == "default tree: down");
    CHECK_THAT(rec["decision"]["decision_values"].get<std::string>(),
               Catch::StartsWith("down=true severity=\"critical\" consecutive_failures=2 value="));

    CliResult third = run_backstop(qs.cli({"eval", "--once"}));
    INFO(third.out << third.err);
    CHECK(third.out.find("web/service_down: cleared") != std::string::npos);
    CHECK(history(qs).size() == records.size());
}

TEST_CASE("eval: a critical log line rolls back, while paused the action is recorded as suppressed", "[e2e][watch]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.dir().write("app.log", "INFO old CRITICAL lines before backstop looked do not count\nCRITICAL old\n");
    insert_in_service_table(qs, "", "[service.web.source.app_log]\nkind = \"log\"\npath = \"app.log\"\npattern = \"CRITICAL|Traceback\"\n\n"
                                    "[[service.web.trigger]]\nname = \"critical_line\"\nsource = \"app_log\"\nwhen = \"value >= 1\"\n"
                                    "then = \"rollback\"\ncooldown = \"1s\"\n");

    REQUIRE(run_backstop(qs.cli({"eval"})).exit_code == 0);  // starts at the end of the file

    CliResult paused = run_backstop(qs.cli({"pause", "web", "--for", "10m", "--reason", "migration"}));
    INFO(paused.out << paused.err);
    REQUIRE(paused.exit_code == 0);
    append_line(qs, "app.log", "CRITICAL payment worker crashed");
    CliResult held = run_backstop(qs.cli({"eval", "--json"}));
    INFO(held.out << held.err);
    REQUIRE(held.exit_code == 0);
    CHECK(held.json()[0]["outcome"] == "suppressed");
    CHECK(qs.current_release() == "v2");
    auto records = history(qs);
    REQUIRE(records.size() == 1);
    CHECK(records[0]["outcome"] == "suppressed");
    CHECK(records[0]["decision"]["suppressed"].get<std::string>().find("until") != std::string::npos);
    CHECK(records[0]["decision"]["suppressed"].get<std::string>().find(": migration") != std::string::npos);

    REQUIRE(run_backstop(qs.cli({"resume", "web"})).exit_code == 0);
    REQUIRE(run_backstop(qs.cli({"eval"})).exit_code == 0);  // no new line: the trigger clears
    append_line(qs, "app.log", "Traceback (most recent call last):");
    CliResult acted = run_backstop(qs.cli({"eval", "--json"}));
    INFO(acted.out << acted.err);
    REQUIRE(acted.exit_code == 0);
    CHECK(acted.json()[0]["outcome"] == "succeeded");
    CHECK(qs.current_release() == "v1");
    records = history(qs);
    CHECK(records.back()["decision"]["observed"] == "value=1");
    CHECK(records.back()["decision"]["rule"] == "trigger critical_line then");
}

TEST_CASE("eval: with a hotfix announced, a critical trigger waits, past the deadline it rolls back", "[e2e][watch]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    insert_in_service_table(qs, "",
                            "[[service.web.trigger]]\nname = \"errors\"\nsource = \"health\"\nwhen = \"failed\"\n\n"
                            "[[service.web.decide]]\nwhen = \"hotfix_eta <= 15m\"\nthen = \"hotfix:1s\"\n\n"
                            "[[service.web.decide]]\nwhen = \"true\"\nthen = \"page\"\n");
    CliResult announced = run_backstop(qs.cli({"hotfix", "web", "--eta", "10m", "--reason", "fix in review"}));
    INFO(announced.out << announced.err);
    REQUIRE(announced.exit_code == 0);

    CliResult waiting = run_backstop(qs.cli({"eval", "--json"}));
    INFO(waiting.out << waiting.err);
    REQUIRE(waiting.exit_code == 0);
    CHECK(waiting.json()[0]["outcome"] == "awaiting_hotfix");
    CHECK(waiting.json()[0]["rule"] == "decide #1: hotfix_eta <= 15m");
    CHECK(qs.current_release() == "v2");
    auto records = history(qs);
    REQUIRE(records.size() == 1);
    CHECK(records[0]["decision"]["decision_values"].get<std::string>().rfind("hotfix_eta=", 0) == 0);

    // Still failing once the 1 s deadline has passed: the rollback runs.
    for (int i = 0; i < 50 && qs.current_release() == "v2"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CliResult later = run_backstop(qs.cli({"eval", "--json"}));
        INFO(later.out << later.err);
        REQUIRE(later.exit_code == 0);
    }
    CHECK(qs.current_release() == "v1");
    records = history(qs);
    CHECK(records.back()["outcome"] == "succeeded");
    CHECK(records.back()["decision"]["rule"] == "hotfix deadline passed");
    CHECK(records.back()["reason"].get<std::string>().rfind("hotfix deadline passed", 0) == 0);
}

TEST_CASE("simulate: recorded observations replay through triggers and decisions, nothing is done", "[e2e][watch]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    insert_in_service_table(qs, "use = [\"service_down\", \"p95_latency\"]\n", "[service.web.rules.p95_latency]\nfor = \"0s\"\n");
    qs.dir().write("observations.jsonl",
                   "# a latency spike, then the service stops answering\n"
                   "{\"service\": \"web\", \"source\": \"health\", \"at_s\": 0, \"status\": \"ok\", \"value\": 900}\n"
                   "{\"service\": \"web\", \"source\": \"health\", \"at_s\": 10, \"status\": \"ok\", \"value\": 950}\n"
                   "{\"service\": \"web\", \"source\": \"health\", \"at_s\": 20, \"status\": \"ok\", \"value\": 990}\n"
                   "{\"service\": \"web\", \"source\": \"health\", \"at_s\": 30, \"status\": \"ok\", \"value\": 1200}\n"
                   "{\"service\": \"web\", \"source\": \"health\", \"at_s\": 40, \"status\": \"ok\", \"value\": 1500}\n"
                   "{\"service\": \"web\", \"source\": \"health\", \"at_s\": 50, \"status\": \"failed\", \"value\": 3}\n"
                   "{\"service\": \"web\", \"source\": \"health\", \"at_s\": 60, \"status\": \"failed\", \"value\": 2}\n"
                   "{\"service\": \"web\", \"source\": \"health\", \"at_s\": 70, \"status\": \"failed\", \"value\": 2}\n");
    CliResult r = run_backstop(qs.cli({"simulate", "--observations", qs.dir().file("observations.jsonl"), "--json"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> fired;
    for (const auto& e : r.json())
        if (e.contains("action")) fired.push_back(e["at"].get<std::string>() + " " + e["trigger"].get<std::string>() + " " +
                                                  e["action"].get<std::string>() + " " + e["outcome"].get<std::string>());
    CHECK(fired == std::vector<std::string>{"+40s p95_latency page paged", "+1m10s service_down rollback:fast dry_run"});
    // The planned rollback's target and steps, in the order the terminal lists them; a page plans none.
    for (const auto& e : r.json()) {
        if (!e.contains("action")) continue;
        INFO(e.dump());
        CHECK(e.contains("plan") == (e["action"] == "rollback:fast"));
        if (!e.contains("plan")) continue;
        CHECK(e["to"] == "v1");
        std::vector<std::string> names;
        for (const auto& step : e["plan"]) names.push_back(step["name"]);
        REQUIRE(names.size() >= 3);
        CHECK(names.front() == "lock");
        CHECK(names[1] == "target");
        CHECK(names.back() == "record");
        CHECK(std::find(names.begin(), names.end(), "switch") != names.end());
    }
    CHECK(qs.current_release() == "v2");
    CHECK_FALSE(qs.dir().exists("state/history.jsonl"));

    CliResult text = run_backstop(qs.cli({"simulate", "--observations", qs.dir().file("observations.jsonl")}));
    INFO(text.out);
    CHECK(text.out.find("would rollback:fast (default tree: down)") != std::string::npos);
    CHECK(text.out.find("[plan] switch") != std::string::npos);
}

TEST_CASE("simulate --event: a recorded Alertmanager payload is routed, decided and planned, nothing is done", "[e2e][watch]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    insert_in_service_table(qs, "",
                            "[service.web.source.alerts]\nkind = \"event\"\nmatch = { service = \"web\" }\n\n"
                            "[[service.web.trigger]]\nname = \"error_alert\"\nsource = \"alerts\"\nwhen = \"failed\"\nseverity = \"critical\"\n");
    // As Alertmanager posts it: one alert for web, one for a service nobody watches.
    qs.dir().write("alert.json", R"({
  "version": "4", "status": "firing", "receiver": "backstop", "groupKey": "{}:{alertname=\"HighErrorRate\"}",
  "alerts": [
    {"status": "firing", "labels": {"alertname": "HighErrorRate", "service": "web", "severity": "critical"},
     "annotations": {"summary": "5xx above 10%"}, "startsAt": "2026-12-02T03:00:00Z"},
    {"status": "firing", "labels": {"alertname": "DiskFull", "service": "db"}, "annotations": {},
     "startsAt": "2026-12-02T03:00:00Z"}
  ]
})");
    CliResult text = run_backstop(qs.cli({"simulate", "--event", qs.dir().file("alert.json")}));
    INFO(text.out << text.err);
    REQUIRE(text.exit_code == 0);
    CHECK(text.out.find("alert HighErrorRate (firing) {alertname=\"HighErrorRate\", service=\"web\", severity=\"critical\"}\n"
                        "    reaches web/alerts (triggers: error_alert)\n") != std::string::npos);
    CHECK(text.out.find("web/error_alert: fire") != std::string::npos);
    CHECK(text.out.find("would rollback:fast (default tree: critical): dry_run") != std::string::npos);
    CHECK(text.out.find("[plan] switch") != std::string::npos);
    CHECK(text.out.find("alert DiskFull (firing) {alertname=\"DiskFull\", service=\"db\"}\n"
                        "    reaches no event source; event sources:\n      web/alerts matches {service=\"web\"}") != std::string::npos);

    CliResult json = run_backstop(qs.cli({"simulate", "--event", qs.dir().file("alert.json"), "--json"}));
    INFO(json.out << json.err);
    REQUIRE(json.exit_code == 0);
    auto out = json.json();
    REQUIRE(out.size() == 3);
    CHECK(out[0]["alert"] == "HighErrorRate");
    CHECK(out[0]["reaches"][0]["source"] == "alerts");
    CHECK(out[1]["trigger"] == "error_alert");
    CHECK(out[1]["action"] == "rollback:fast");
    CHECK(out[1]["outcome"] == "dry_run");
    CHECK(out[2]["alert"] == "DiskFull");
    CHECK(out[2]["reaches"].empty());

    // A generic event as POST /v1/events takes it, resolved: the trigger does not fire.
    qs.dir().write("resolved.json", R"({"service": "web", "source": "alerts", "name": "HighErrorRate", "status": "resolved"})");
    CliResult resolved = run_backstop(qs.cli({"simulate", "--event", qs.dir().file("resolved.json")}));
    INFO(resolved.out << resolved.err);
    REQUIRE(resolved.exit_code == 0);
    CHECK(resolved.out.find("event HighErrorRate (resolved)") != std::string::npos);
    CHECK(resolved.out.find("would ") == std::string::npos);

    CHECK(qs.current_release() == "v2");
    CHECK_FALSE(qs.dir().exists("state/history.jsonl"));

    qs.dir().write("bad.json", R"({"alerts": [{"labels": {"alertname": "X"}}]})");
    CliResult bad = run_backstop(qs.cli({"simulate", "--event", qs.dir().file("bad.json")}));
    CHECK(bad.exit_code != 0);
    CHECK(bad.err.find("bad.json: ") != std::string::npos);
}

TEST_CASE("eval: the runbook's decide(ctx) decides, and its reason is the recorded rule", "[e2e][watch]") {
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.add_release("v2", false);
    qs.write_runbook("runbooks/web.lua", R"(
local tree = require("backstop.decide")
return {
  decide = function(ctx)
    if ctx.trigger == "critical_line" and ctx.value < 3 then
      return "page", ctx.value .. " critical line(s): not enough to roll back"
    end
    return tree.default(ctx)
  end,
}
)");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\nmax_attempts = 10\nwindow = \"1h\"\n");
    qs.point_current_at("v2");
    qs.start();
    qs.dir().write("app.log", "");
    insert_in_service_table(qs, "cooldown = \"0s\"\n",
                            "[service.web.source.app_log]\nkind = \"log\"\npath = \"app.log\"\npattern = \"CRITICAL\"\n\n"
                            "[[service.web.trigger]]\nname = \"critical_line\"\nsource = \"app_log\"\nwhen = \"value >= 1\"\n"
                            "severity = \"critical\"\n");
    REQUIRE(run_backstop(qs.cli({"eval"})).exit_code == 0);

    append_line(qs, "app.log", "CRITICAL one");
    CliResult paged = run_backstop(qs.cli({"eval", "--json"}));
    INFO(paged.out << paged.err);
    REQUIRE(paged.exit_code == 0);
    CHECK(paged.json()[0]["outcome"] == "paged");
    CHECK(qs.current_release() == "v2");
    auto records = history(qs);
    REQUIRE(records.size() == 1);
    CHECK(records[0]["decision"]["rule"] == "runbook decide (runbooks/web.lua): 1 critical line(s): not enough to roll back");
    CHECK(records[0]["decision"]["decision_values"].get<std::string>().find("value=1") != std::string::npos);

    REQUIRE(run_backstop(qs.cli({"eval"})).exit_code == 0);  // nothing new: the trigger clears
    append_line(qs, "app.log", "CRITICAL a\nCRITICAL b\nCRITICAL c");
    CliResult acted = run_backstop(qs.cli({"eval", "--json"}));
    INFO(acted.out << acted.err);
    REQUIRE(acted.exit_code == 0);
    CHECK(acted.json()[0]["outcome"] == "succeeded");
    CHECK(qs.current_release() == "v1");
    records = history(qs);
    CHECK(records.back()["decision"]["rule"] == "runbook decide (runbooks/web.lua): critical");
}
