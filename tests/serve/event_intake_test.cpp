// Events from outside, up to the observation a source records: Alertmanager's version 4 payload and
// the generic event body (good and bad), `kind = "event"` sources compiled from real policy text,
// which sources an event reaches, and the bearer token check.
#include <catch2/catch.hpp>

#include <cmath>
#include <sys/stat.h>

#include "core/error.h"
#include "observe/source.h"
#include "policy/policy_test_support.h"
#include "serve/alertmanager_payload.h"
#include "serve/bearer_token.h"
#include "serve/event_routing.h"
#include "serve/incoming_event.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace {

// As Alertmanager sends it (webhook_config, version 4).
const char* kAlertmanagerBody = R"({
  "receiver": "backstop", "status": "firing", "version": "4",
  "groupKey": "{}:{alertname=\"HighErrorRate\"}", "truncatedAlerts": 0,
  "groupLabels": {"alertname": "HighErrorRate"}, "commonLabels": {"alertname": "HighErrorRate"},
  "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
  "alerts": [
    {"status": "firing",
     "labels": {"alertname": "HighErrorRate", "job": "web", "severity": "critical"},
     "annotations": {"summary": "5xx above 5% for 5m", "description": "long text"},
     "startsAt": "2024-03-10T03:00:00.000Z", "endsAt": "0001-01-01T00:00:00Z",
     "generatorURL": "http://prometheus:9090/graph", "fingerprint": "1a30ba71cca2921f"},
    {"status": "resolved",
     "labels": {"alertname": "DiskFull", "job": "db"},
     "annotations": {"description": "disk below 5%"},
     "startsAt": "2024-03-10T02:00:00.000Z", "endsAt": "2024-03-10T02:30:00.000Z"}
  ]
})";

const char* kPolicy = R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current  = "/srv/web/current"
restart  = ["true"]

[service.web.source.alerts]
kind  = "event"
match = { job = "web", severity = "critical" }

[service.web.source.deploys]
kind = "event"

[[service.web.trigger]]
name   = "alert_firing"
source = "alerts"
when   = "failed"
then   = "rollback"

[[service.web.trigger]]
name   = "bad_deploy"
source = "deploys"
when   = "event == \"deploy_failed\" and failed"
then   = "rollback"

[service.db]
strategy = "releases"
releases = "/srv/db/releases"
current  = "/srv/db/current"
restart  = ["true"]

[service.db.source.alerts]
kind  = "event"
match = { job = "db" }
)";

std::vector<std::string> reached(const PolicySet& policies, const IncomingEvent& e) {
    std::vector<std::string> out;
    for (const auto& r : route_event(policies, e)) {
        std::string line = r.service->name + "/" + r.source->name + ":";
        for (const auto& t : r.triggers) line += " " + t;
        out.push_back(line);
    }
    return out;
}

}  // namespace

TEST_CASE("an Alertmanager payload becomes one event per alert", "[events]") {
    EventParse p = parse_alertmanager_payload(kAlertmanagerBody);
    REQUIRE(p.ok());
    REQUIRE(p.events.size() == 2);
    CHECK(p.events[0].name == "HighErrorRate");
    CHECK(p.events[0].firing);
    CHECK(p.events[0].summary == "5xx above 5% for 5m");
    CHECK(p.events[0].labels.at("severity") == "critical");
    CHECK_FALSE(p.events[0].value);
    CHECK(p.events[1].name == "DiskFull");
    CHECK_FALSE(p.events[1].firing);
    CHECK(p.events[1].summary == "disk below 5%");  // no summary: the description
}

TEST_CASE("Alertmanager payloads that cannot be read are refused with the reason", "[events]") {
    CHECK(parse_alertmanager_payload("{not json").error == "the body is not JSON");
    CHECK(parse_alertmanager_payload("[]").error.find("JSON object") != std::string::npos);
    CHECK(parse_alertmanager_payload(R"({"version": "4"})").error.find("\"alerts\" must be an array") != std::string::npos);
    CHECK(parse_alertmanager_payload(R"({"version": "5", "alerts": []})").error.find("version \"5\"") != std::string::npos);
    CHECK(parse_alertmanager_payload(R"({"alerts": [{"status": "pending", "labels": {}}]})").error ==
          "alerts[0].status must be \"firing\" or \"resolved\"");
    CHECK(parse_alertmanager_payload(R"({"alerts": [{"status": "firing", "labels": {"code": 500}}]})").error ==
          "alerts[0].labels.code must be a string");
    CHECK(parse_alertmanager_payload(R"({"alerts": []})").ok());
}

TEST_CASE("a generic event needs a name and a status, the rest is optional and typed", "[events]") {
    EventParse p = parse_generic_event(
        R"({"service": "web", "source": "deploys", "name": "deploy_failed", "status": "firing", "labels": {"sha": "abc"}, "value": 3})");
    REQUIRE(p.ok());
    REQUIRE(p.events.size() == 1);
    CHECK(p.events[0].service == "web");
    CHECK(p.events[0].source == "deploys");
    CHECK(p.events[0].labels.at("sha") == "abc");
    CHECK(*p.events[0].value == 3);

    CHECK(parse_generic_event(R"({"status": "firing"})").error == "\"name\" is required");
    CHECK(parse_generic_event(R"({"name": "x", "status": "on"})").error == "\"status\" must be \"firing\" or \"resolved\", not \"on\"");
    CHECK(parse_generic_event(R"({"name": "x", "status": "firing", "value": "high"})").error == "\"value\" must be a number");
    CHECK(parse_generic_event(R"({"name": "x", "status": "firing", "labels": ["a"]})").error == "\"labels\" must be an object of strings");
    CHECK(parse_generic_event(R"({"name": 5, "status": "firing"})").error == "\"name\" must be a string");
}

TEST_CASE("an event becomes an observation: failed while firing, ok once resolved", "[events]") {
    SourceSpec spec;
    spec.name = "alerts";
    spec.kind = SourceKind::event;
    IncomingEvent firing{"HighErrorRate", true, {}, std::nullopt, "5xx above 5%", "", ""};
    Observation o = event_observation(spec, firing, 1'700'000'000'000);
    CHECK(o.source == "alerts");
    CHECK(o.kind == SourceKind::event);
    CHECK(o.time_ms == 1'700'000'000'000);
    CHECK(o.status == ObservationStatus::failed);
    CHECK(std::isnan(o.value));  // none sent: the watcher counts the source's firing alerts
    CHECK(o.event == "HighErrorRate");
    CHECK(o.state == "firing");
    CHECK(o.detail == "5xx above 5% (firing)");

    IncomingEvent resolved{"deploy_failed", false, {}, 7.5, "", "", ""};
    o = event_observation(spec, resolved, 1);
    CHECK(o.status == ObservationStatus::ok);
    CHECK(o.value == 7.5);
    CHECK(o.state == "resolved");
    CHECK(o.detail == "deploy_failed (resolved)");
}

TEST_CASE("event sources compile from policies, they take only `match`, of strings", "[events]") {
    PolicyLoadResult ok = load_one(kPolicy);
    INFO(ok.diagnostics.to_text());
    REQUIRE_FALSE(ok.diagnostics.has_errors());
    const SourceSpec* alerts = ok.policies.find("web")->watch.source("alerts");
    REQUIRE(alerts);
    CHECK(alerts->kind == SourceKind::event);
    CHECK(alerts->event().match == std::map<std::string, std::string>{{"job", "web"}, {"severity", "critical"}});
    CHECK(ok.policies.find("web")->watch.source("deploys")->event().match.empty());

    PolicyLoadResult bad = load_one(R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current  = "/srv/web/current"
restart  = ["true"]

[service.web.source.alerts]
kind     = "event"
interval = "5s"
match    = { job = "web", code = 500 }

[service.web.source.other]
kind  = "event"
match = "job=web"
)");
    CHECK(summary(bad) == std::vector<std::string>{"no-health-check web.toml:1:1", "unknown-key web.toml:9:1", "wrong-type web.toml:10:34",
                                                   "wrong-type web.toml:14:9"});

    SourceSpec spec = *alerts;
    CHECK_THROWS_WITH(make_source(spec, SourceDeps{*make_process_runner(), *make_http_client()}),
                      Catch::Contains("kind event: there is nothing to look at"));
}

TEST_CASE("an event reaches the event sources whose match labels it carries, or the source it names", "[events]") {
    PolicyLoadResult loaded = load_one(kPolicy);
    REQUIRE_FALSE(loaded.diagnostics.has_errors());
    const PolicySet& p = loaded.policies;

    EventParse am = parse_alertmanager_payload(kAlertmanagerBody);
    CHECK(reached(p, am.events[0]) == std::vector<std::string>{"web/alerts: alert_firing"});
    CHECK(reached(p, am.events[1]) == std::vector<std::string>{"db/alerts:"});

    IncomingEvent partial{"HighErrorRate", true, {{"job", "web"}}, std::nullopt, "", "", ""};
    CHECK(reached(p, partial).empty());  // severity=critical is missing

    IncomingEvent named{"deploy_failed", true, {}, std::nullopt, "", "web", "deploys"};
    CHECK(reached(p, named) == std::vector<std::string>{"web/deploys: bad_deploy"});
    IncomingEvent service_only{"deploy_failed", true, {}, std::nullopt, "", "web", ""};
    CHECK(reached(p, service_only) == std::vector<std::string>{"web/deploys: bad_deploy"});  // alerts: labels missing
    IncomingEvent other_service{"HighErrorRate", true, {{"job", "web"}, {"severity", "critical"}}, std::nullopt, "", "db", ""};
    CHECK(reached(p, other_service).empty());
    IncomingEvent no_labels_no_name{"deploy_failed", true, {}, std::nullopt, "", "", ""};
    CHECK(reached(p, no_labels_no_name).empty());  // an empty match is not a wildcard
}

TEST_CASE("the bearer token: exact match in constant time, from a file or a value", "[auth]") {
    CHECK(constant_time_equal("secret", "secret"));
    CHECK_FALSE(constant_time_equal("secret", "secreT"));
    CHECK_FALSE(constant_time_equal("secret", "secret2"));
    CHECK_FALSE(constant_time_equal("", "x"));

    TempDir dir;
    std::string file = dir.write("token", "s3cr3t-token\n");
    ::chmod(file.c_str(), 0600);
    std::string warning;
    BearerToken token = BearerToken::from_file(file, &warning);
    CHECK(warning.empty());
    CHECK(token.accepts("Bearer s3cr3t-token"));
    CHECK(token.accepts("bearer s3cr3t-token"));
    CHECK_FALSE(token.accepts("Bearer s3cr3t-toke"));
    CHECK_FALSE(token.accepts("Bearer s3cr3t-token2"));
    CHECK_FALSE(token.accepts("Basic s3cr3t-token"));
    CHECK_FALSE(token.accepts("s3cr3t-token"));
    CHECK_FALSE(token.accepts(""));

    ::chmod(file.c_str(), 0644);
    BearerToken::from_file(file, &warning);
    CHECK(warning.find("can be read by others") != std::string::npos);
    CHECK(warning.find("s3cr3t") == std::string::npos);

    dir.write("empty", "\n");
    CHECK_THROWS_WITH(BearerToken::from_file(dir.file("empty")), Catch::Contains("holds no token"));
    CHECK_THROWS_AS(BearerToken::from_file(dir.file("missing")), Error);
    CHECK(BearerToken::from_value(" abc ", "BACKSTOP_TOKEN").accepts("Bearer abc"));
}
