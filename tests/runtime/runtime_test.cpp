#include <catch2/catch.hpp>

#include "support/http_receiver.h"
#include "prim/http_client.h"
#include "runtime/attempt_guard.h"
#include "runtime/health_check.h"
#include "runtime/history_stats.h"

using namespace backstop;
using backstop::test::CannedResponse;
using backstop::test::HttpReceiver;

namespace {
RunRecord run(std::string service, Outcome o, std::int64_t started, std::int64_t took = 1000, RunMode mode = RunMode::normal) {
    RunRecord r;
    r.run_id = service + std::to_string(started);
    r.service = std::move(service);
    r.to = "v1";
    r.outcome = o;
    r.mode = mode;
    r.started_ms = started;
    r.ended_ms = started + took;
    return r;
}
}  // namespace

TEST_CASE("attempts count real runs of the service inside the window only", "[guard]") {
    ServicePolicy web;
    web.name = "web";
    web.key = "web";  // as the loader sets it: what its state and records are matched by
    web.rollback.max_attempts = 2;
    web.rollback.window = Duration{60'000};
    std::int64_t now = 1'000'000;
    std::vector<RunRecord> h = {
        run("web", Outcome::succeeded, now - 120'000),                     // outside the window
        run("web", Outcome::dry_run, now - 1000, 10, RunMode::dry_run),     // dry runs never count
        run("web", Outcome::refused, now - 1000),                          // refused runs never count
        run("api", Outcome::failed, now - 1000),                           // other service
        run("web", Outcome::verify_failed, now - 30'000),
    };
    CHECK(attempts_within_window(h, web, now) == 1);
    CHECK_FALSE(attempts_exhausted(h, web, now));
    h.push_back(run("web", Outcome::succeeded, now - 10'000));
    auto why = attempts_exhausted(h, web, now);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("2 rollbacks of web in the last 1m"));
    CHECK_THAT(*why, Catch::Contains(format_utc(now - 30'000 + 60'000)));
}

TEST_CASE("stats: success rate and MTTR over finished real runs", "[stats]") {
    std::vector<RunRecord> h = {
        run("web", Outcome::succeeded, 0, 2000), run("web", Outcome::succeeded, 10, 4000),
        run("web", Outcome::verify_failed, 20), run("api", Outcome::failed, 30),
        run("web", Outcome::dry_run, 40, 5, RunMode::dry_run), run("web", Outcome::refused, 50),
        run("api", Outcome::incomplete, 60),
    };
    HistoryStats s = compute_stats(h);
    CHECK(s.all.total == 5);
    CHECK(s.all.succeeded == 2);
    CHECK(s.all.failed == 3);
    CHECK(s.all.verify_failed == 1);
    CHECK(s.all.refused == 1);
    CHECK(s.all.dry_runs == 1);
    CHECK(s.all.success_rate == Approx(0.4));
    CHECK(s.all.mttr_seconds == Approx(3.0));
    CHECK(s.per_service.at("web").total == 3);
    CHECK(s.per_service.at("api").success_rate == 0);
    CHECK(to_json(s)["per_service"]["web"]["succeeded"] == 2);
}

TEST_CASE("health probes check status and body against a real HTTP server", "[health]") {
    HttpReceiver server;
    auto http = make_http_client();
    HealthCheck check;
    check.url = server.url("/health");
    check.timeout = Duration{500};
    check.interval = Duration{10};
    check.attempts = 5;

    server.respond("/health", {200, "ok"});
    CHECK(probe_once(*http, check).ok);
    check.expect_body = "ready";
    auto lacks = probe_once(*http, check);
    CHECK_FALSE(lacks.ok);
    CHECK_THAT(lacks.message, Catch::Contains("body lacks \"ready\""));
    check.expect_body.clear();

    server.respond_sequence("/health", {{503, "starting"}, {503, "starting"}, {200, "ok"}});
    server.clear_requests();
    auto waited = wait_until_healthy(*http, check, [](Duration) {});
    CHECK(waited.ok);
    CHECK(waited.probes == 3);
    CHECK(server.requests_to("/health").size() == 3);

    server.respond("/health", {500, "broken"});
    auto failed = wait_until_healthy(*http, check, [](Duration) {});
    CHECK_FALSE(failed.ok);
    CHECK(failed.probes == 5);
    CHECK_THAT(failed.message, Catch::Contains("unhealthy after 5 probes"));
    CHECK_THAT(failed.message, Catch::Contains("status 500"));
}

TEST_CASE("URLs lose credentials and query strings before they are shown", "[health]") {
    CHECK(redact_url("https://user:secret@hooks.example.com/x?token=abc") == "https://hooks.example.com/x");
    CHECK(redact_url("http://127.0.0.1:8080/health") == "http://127.0.0.1:8080/health");
}
