// The command source with real programs: exit codes, stderr in the detail, the timeout, and a
// program that does not exist.
#include <cmath>

#include <catch2/catch.hpp>

#include "observe/source.h"

using namespace backstop;

namespace {

Observation run_command(std::vector<std::string> argv, Duration timeout = Duration{5000}) {
    SourceSpec spec;
    spec.name = "check";
    spec.kind = SourceKind::command;
    spec.command().argv = std::move(argv);
    spec.timeout = timeout;
    auto runner = make_process_runner();
    auto http = make_http_client();
    SourceDeps deps{*runner, *http};
    return make_source(spec, deps)->observe();
}

}  // namespace

TEST_CASE("command: exit 0 is ok and the exit code is the value", "[observe][command]") {
    Observation ok = run_command({"/bin/true"});
    CHECK(ok.status == ObservationStatus::ok);
    CHECK(ok.value == 0);
    CHECK(ok.detail == "`/bin/true`: exit 0");

    Observation failed = run_command({"/bin/false"});
    CHECK(failed.status == ObservationStatus::failed);
    CHECK(failed.value == 1);

    Observation three = run_command({"/bin/sh", "-c", "echo 'disk almost full' >&2; exit 3"});
    CHECK(three.status == ObservationStatus::failed);
    CHECK(three.value == 3);
    CHECK(three.detail == "`/bin/sh -c echo 'disk almost full' >&2; exit 3`: exit 3: disk almost full");
}

TEST_CASE("command: hitting the timeout is a failure without a value", "[observe][command]") {
    auto start = std::chrono::steady_clock::now();
    Observation o = run_command({"/bin/sleep", "30"}, Duration{300});
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));  // hang guard: the command sleeps 30 s
    CHECK(o.status == ObservationStatus::failed);
    CHECK(std::isnan(o.value));
    CHECK(o.detail == "`/bin/sleep 30`: timed out after 300ms");
}

TEST_CASE("command: a program that cannot start is unknown", "[observe][command]") {
    Observation o = run_command({"/nonexistent/check-health"});
    CHECK(o.status == ObservationStatus::unknown);
    CHECK(std::isnan(o.value));
    CHECK_THAT(o.error, Catch::StartsWith("`/nonexistent/check-health` could not start: "));
}
