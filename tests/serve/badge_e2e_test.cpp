// The status badge through the built binary and a real `serve` on loopback: `history badge SERVICE`
// and GET /v1/badge/SERVICE.json give the same shields.io endpoint JSON from the service's history:
// grey "no runs" before any, then the newest telling outcome; an unknown service is an error / 404.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "serve_process.h"
#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

namespace {

nlohmann::json badge(const std::string& message, const std::string& colour) {
    return {{"schemaVersion", 1}, {"label", "web"}, {"message", message}, {"color", colour}};
}

// `history badge web` as printed; fails the test unless it exits 0 with one line of JSON.
std::string cli_badge(const QuickstartService& qs) {
    CliResult r = run_backstop(qs.cli({"history", "badge", "web"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.out.find('\n') == r.out.size() - 1);
    return r.out;
}

}  // namespace

TEST_CASE("serve and history badge: shields.io endpoint JSON of the newest telling run", "[e2e][serve]") {
    QuickstartService qs;
    qs.add_release("v1", true);
    qs.point_current_at("v1");
    qs.start();
    qs.write_policy();
    int port = free_port();
    ServeProcess serve(serve_args(qs, port, {"--no-auth"}), port);
    INFO(serve.log());
    REQUIRE(serve.ready());

    // No history yet: a grey "no runs", the same bytes from both.
    std::string out = cli_badge(qs);
    CHECK(nlohmann::json::parse(out) == badge("no runs", "lightgrey"));
    HttpResponse got = serve.get("/v1/badge/web.json");
    CHECK(got.status == 200);
    CHECK(got.headers["content-type"] == "application/json");
    CHECK(got.body == out);

    REQUIRE(run_backstop(qs.cli({"verify", "web"})).exit_code == 0);
    out = cli_badge(qs);
    CHECK(nlohmann::json::parse(out) == badge("verified", "brightgreen"));
    CHECK(serve.get("/v1/badge/web.json").body == out);

    REQUIRE(run_backstop(qs.cli({"rollback", "web"})).exit_code == 1);  // nothing older than v1: failed
    // A dry run changes nothing: the badge still tells the failure.
    run_backstop(qs.cli({"rollback", "web", "--dry-run"}));
    out = cli_badge(qs);
    CHECK(nlohmann::json::parse(out) == badge("failed", "red"));
    CHECK(serve.get("/v1/badge/web.json").body == out);

    HttpResponse unknown = serve.get("/v1/badge/nosuch.json");
    CHECK(unknown.status == 404);
    CHECK(nlohmann::json::parse(unknown.body)["error"] == "unknown service \"nosuch\"");
    CHECK(serve.get("/v1/badge/web").status == 404);

    CliResult cli_unknown = run_backstop(qs.cli({"history", "badge", "nosuch"}));
    CHECK(cli_unknown.exit_code == 1);
    CHECK(cli_unknown.err.find("unknown service `nosuch`") != std::string::npos);
    CHECK(run_backstop(qs.cli({"history", "badge"})).exit_code == 64);
    CHECK(run_backstop(qs.cli({"history", "badge", "web", "--limit", "2"})).exit_code == 64);
}
