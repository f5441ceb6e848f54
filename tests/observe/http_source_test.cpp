// The http source against a real loopback HTTP server: statuses, body regex, latency threshold,
// and a hanging or absent server (both `failed`: the service is down, not unknown).
#include <cmath>

#include <catch2/catch.hpp>

#include "observe/source.h"
#include "support/backstop_cli.h"
#include "support/http_receiver.h"

using namespace backstop;
using namespace backstop::test;

namespace {

struct HttpFixture {
    HttpReceiver server;
    std::unique_ptr<ProcessRunner> runner = make_process_runner();
    std::unique_ptr<HttpClient> http = make_http_client();

    Observation observe(SourceSpec spec) {
        SourceDeps deps{*runner, *http};
        return make_source(spec, deps)->observe();
    }

    SourceSpec spec(const std::string& url) const {
        SourceSpec s;
        s.name = "api";
        s.kind = SourceKind::http;
        s.http().url = url;
        s.timeout = Duration{5000};
        return s;
    }
};

}  // namespace

TEST_CASE_METHOD(HttpFixture, "http: a 200 is ok, with its latency as the value", "[observe][http]") {
    server.respond("/health", {200, "ok"});
    Observation o = observe(spec(server.url("/health")));
    CHECK(o.status == ObservationStatus::ok);
    CHECK(o.source == "api");
    CHECK(o.kind == SourceKind::http);
    CHECK(o.http_status == 200);
    CHECK(o.value >= 0);
    CHECK(o.value == o.latency_ms);
    CHECK_THAT(o.detail, Catch::StartsWith("GET " + server.url("/health") + " -> 200 in "));
    CHECK_THAT(o.detail, Catch::EndsWith(" ms"));
    CHECK(o.error.empty());
    CHECK(server.requests_to("/health").size() == 1);
}

TEST_CASE_METHOD(HttpFixture, "http: statuses outside 200-399 fail unless listed", "[observe][http]") {
    server.respond("/health", {503, "down"});
    server.respond("/moved", {302, "", {{"Location", "/elsewhere"}}});
    Observation down = observe(spec(server.url("/health")));
    CHECK(down.status == ObservationStatus::failed);
    CHECK(down.http_status == 503);
    CHECK_THAT(down.detail, Catch::Contains("-> 503 in") && Catch::EndsWith("(expected 200-399)"));

    Observation moved = observe(spec(server.url("/moved")));
    CHECK(moved.status == ObservationStatus::ok);  // redirects are not followed; 3xx counts as up
    CHECK(moved.http_status == 302);

    SourceSpec listed = spec(server.url("/health"));
    listed.http().expect_status = {503, 204};
    CHECK(observe(listed).status == ObservationStatus::ok);
    listed.http().expect_status = {204};
    Observation wrong = observe(listed);
    CHECK(wrong.status == ObservationStatus::failed);
    CHECK_THAT(wrong.detail, Catch::EndsWith("(expected 204)"));
}

TEST_CASE_METHOD(HttpFixture, "http: the body must match body_regex", "[observe][http]") {
    server.respond_sequence("/ready", {{200, "{\"status\": \"ready\", \"db\": true}"}, {200, "{\"status\": \"starting\"}"}});
    SourceSpec s = spec(server.url("/ready"));
    s.http().body_regex = "\"status\": \"(ready|ok)\"";
    SourceDeps deps{*runner, *http};
    auto source = make_source(s, deps);  // one source observed twice
    Observation ready = source->observe();
    CHECK(ready.status == ObservationStatus::ok);
    Observation starting = source->observe();
    CHECK(starting.status == ObservationStatus::failed);
    CHECK(starting.http_status == 200);
    CHECK_THAT(starting.detail, Catch::EndsWith("body does not match `\"status\": \"(ready|ok)\"`"));
}

TEST_CASE_METHOD(HttpFixture, "http: an answer slower than max_latency fails", "[observe][http]") {
    server.respond("/slow", {200, "ok", {}, std::chrono::milliseconds(300)});
    SourceSpec s = spec(server.url("/slow"));
    s.http().max_latency = Duration{100};
    Observation slow = observe(s);
    CHECK(slow.status == ObservationStatus::failed);
    CHECK(slow.http_status == 200);
    CHECK(slow.value >= 300);
    CHECK_THAT(slow.detail, Catch::EndsWith("slower than max_latency 100ms"));
    s.http().max_latency = Duration{4000};
    CHECK(observe(s).status == ObservationStatus::ok);
}

TEST_CASE_METHOD(HttpFixture, "http: a hanging server or a closed port is a failure, not unknown", "[observe][http]") {
    server.respond("/hang", {200, "late", {}, std::chrono::milliseconds(20'000)});
    SourceSpec hang = spec(server.url("/hang"));
    hang.timeout = Duration{300};
    Observation o = observe(hang);
    CHECK(o.status == ObservationStatus::failed);
    CHECK(o.http_status == 0);
    CHECK(o.value >= 290);
    CHECK(o.value < 10'000);
    CHECK_THAT(o.detail, Catch::StartsWith("GET " + server.url("/hang") + ": ") && Catch::Contains("timed out"));
    CHECK(o.error.empty());

    Observation refused = observe(spec("http://127.0.0.1:" + std::to_string(free_port()) + "/health"));
    CHECK(refused.status == ObservationStatus::failed);
    CHECK(refused.http_status == 0);
    CHECK_THAT(refused.detail, Catch::Contains("refused"));
}

TEST_CASE_METHOD(HttpFixture, "http: credentials and query strings stay out of the detail", "[observe][http]") {
    server.respond("/health", {200, "ok"});
    std::string url = "http://user:secret@127.0.0.1:" + std::to_string(server.port()) + "/health?token=abc";
    Observation o = observe(spec(url));
    CHECK(o.status == ObservationStatus::ok);
    CHECK(server.requests_to("/health").at(0).query == "token=abc");
    CHECK_THAT(o.detail, !Catch::Contains("secret") && !Catch::Contains("abc"));
}
