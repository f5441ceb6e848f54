// The observation model and the source factory: kind names, spec checking, and the small text
// helpers sources share (regex, line shortening, query encoding).
#include <cmath>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/observation.h"
#include "observe/log_source.h"
#include "observe/prometheus_source.h"
#include "observe/source.h"
#include "core/text_pattern.h"

using namespace backstop;

TEST_CASE("source kinds have names and parse back", "[observe]") {
    for (std::string_view name : source_kind_names()) {
        auto kind = parse_source_kind(name);
        REQUIRE(kind);
        CHECK(to_string(*kind) == name);
    }
    CHECK(source_kind_names().size() == 12);
    CHECK(parse_source_kind("disk") == SourceKind::disk);
    CHECK(!parse_source_kind("HTTP"));
    CHECK(!parse_source_kind("systemd"));
    CHECK(to_string(ObservationStatus::unknown) == "unknown");
    CHECK(to_string(ObservationStatus::failed) == "failed");
}

TEST_CASE("a fresh observation is unknown with no numbers", "[observe]") {
    SourceSpec spec;
    spec.name = "api";
    spec.kind = SourceKind::tcp;
    Observation o = begin_observation(spec);
    CHECK(o.source == "api");
    CHECK(o.kind == SourceKind::tcp);
    CHECK(o.status == ObservationStatus::unknown);
    CHECK(std::isnan(o.value));
    CHECK(std::isnan(o.latency_ms));
    CHECK(std::isnan(o.restarts));
    CHECK(o.time_ms > 1'600'000'000'000);  // after 2020, in milliseconds
}

TEST_CASE("spec problems are reported one by one and make_source refuses them", "[observe]") {
    SourceSpec spec;
    spec.name = "api";
    spec.kind = SourceKind::http;
    spec.http().url = "127.0.0.1:8080/health";
    spec.http().expect_status = {200, 42};
    spec.http().body_regex = "(ready";
    auto problems = source_spec_problems(spec);
    REQUIRE(problems.size() == 3);
    CHECK_THAT(problems[0], Catch::Contains("http://"));
    CHECK_THAT(problems[1], Catch::Contains("42"));
    CHECK_THAT(problems[2], Catch::Contains("body_regex `(ready`"));

    auto runner = make_process_runner();
    auto http = make_http_client();
    SourceDeps deps{*runner, *http};
    CHECK_THROWS_MATCHES(make_source(spec, deps), Error, Catch::Matchers::Message(
        "source `api` (http): " + problems[0] + "; " + problems[1] + "; " + problems[2]));

    SourceSpec tcp;
    tcp.name = "db";
    tcp.kind = SourceKind::tcp;
    tcp.tcp().host = "127.0.0.1";
    tcp.tcp().port = 70000;
    CHECK(source_spec_problems(tcp) == std::vector<std::string>{"port must be 1-65535, not 70000"});
    tcp.tcp().port = 5432;
    CHECK(source_spec_problems(tcp).empty());
    auto tcp_source = make_source(tcp, deps);
    REQUIRE(tcp_source != nullptr);
    CHECK(tcp_source->save_state() == nlohmann::json::object());  // a kind that keeps nothing
    tcp_source->restore_state({{"anything", 1}});                 // ignored

    SourceSpec host;
    host.name = "host";
    for (SourceKind kind : {SourceKind::cpu, SourceKind::memory, SourceKind::disk}) {
        host.kind = kind;
        CHECK(source_spec_problems(host).empty());  // disk: path defaults to "/"
    }

    SourceSpec unit;
    unit.name = "web";
    unit.kind = SourceKind::unit;
    unit.unit().unit = "-web.service";
    unit.unit().scope = "session";
    CHECK(source_spec_problems(unit).size() == 2);

    SourceSpec log;
    log.name = "errors";
    log.kind = SourceKind::log;
    log.log().path = "/var/log/app.log";
    CHECK(source_spec_problems(log) == std::vector<std::string>{"pattern is required"});

    SourceSpec nothing;
    nothing.kind = SourceKind::prometheus;
    nothing.timeout = Duration{0};
    CHECK(source_spec_problems(nothing).size() == 4);  // name, timeout, url, query
}

TEST_CASE("text patterns are POSIX extended expressions matched anywhere in the text", "[observe]") {
    TextPattern p("ERROR|panic: [0-9]+");
    CHECK(p.found_in("2024-01-01 ERROR disk full"));
    CHECK(p.found_in("panic: 42"));
    CHECK_FALSE(p.found_in("panic: x"));
    CHECK_FALSE(p.found_in(""));
    CHECK(p.found_in(std::string_view("\0\0ERROR", 7)));  // NUL bytes do not end the text
    CHECK(TextPattern("^status: ready$").found_in("line one\nstatus: ready\nline three"));
    // A long line does not exhaust the stack (std::regex would crash here).
    std::string huge(2'000'000, 'a');
    huge += " ERROR";
    CHECK(TextPattern("(a|b)*ERROR").found_in(huge));
    CHECK(TextPattern::problem("ok(").size() > 0);
    CHECK(TextPattern::problem("ok").empty());
    CHECK_THROWS_AS(TextPattern("[z-a]"), Error);
}

TEST_CASE("matched lines are trimmed and capped at a character boundary", "[observe]") {
    CHECK(shorten_line("  ERROR x \r\n") == "ERROR x");
    std::string line = std::string(510, 'a') + "\xC3\xA9\xC3\xA9";  // é é: bytes 510-513
    CHECK(shorten_line(line).size() == 512);
    std::string odd = std::string(511, 'a') + "\xC3\xA9";  // é would straddle byte 512
    CHECK(shorten_line(odd) == std::string(511, 'a'));
}

TEST_CASE("queries are percent-encoded", "[observe]") {
    CHECK(url_query_encode("sum(up{job=\"api\"}) > 0.5") == "sum%28up%7Bjob%3D%22api%22%7D%29%20%3E%200.5");
    CHECK(url_query_encode("a-b_c.d~e") == "a-b_c.d~e");
}
