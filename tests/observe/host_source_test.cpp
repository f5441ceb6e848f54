// The host sources (cpu, memory, disk) on this machine's real /proc and filesystems, compared with
// what `df` says, and the cpu source's previous reading carried to a fresh source.
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include "observe/cpu_source.h"
#include "observe/memory_source.h"
#include "observe/source.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace {

struct HostFixture {
    std::unique_ptr<ProcessRunner> runner = make_process_runner();
    std::unique_ptr<HttpClient> http = make_http_client();

    std::unique_ptr<Source> make(SourceKind kind, std::string disk_path = "/") {
        SourceSpec spec;
        spec.name = std::string(to_string(kind));
        spec.kind = kind;
        spec.disk().path = std::move(disk_path);
        return make_source(spec, SourceDeps{*runner, *http});
    }
};

}  // namespace

TEST_CASE_METHOD(HostFixture, "disk: percent used agrees with df", "[observe][host]") {
    TempDir dir{"backstop-observe-disk"};
    Observation o = make(SourceKind::disk, dir.path())->observe();
    ProcessResult df = runner->run({{"df", "--output=pcent", dir.path()}, {}, {}, Duration{10'000}});
    REQUIRE(df.ok());
    // "Use%\n 42%\n"
    std::string pcent = df.out.substr(df.out.find('\n') + 1);
    double df_percent = std::stod(pcent.substr(0, pcent.find('%')));
    REQUIRE(o.status == ObservationStatus::ok);
    CHECK(o.value == Approx(df_percent).margin(1.0));
    CHECK(o.value == std::round(o.value * 10) / 10);  // rounded to 0.1
    CHECK(o.state.empty());
    CHECK_THAT(o.detail, Catch::StartsWith(dir.path() + ": ") && Catch::Contains("% used (") && Catch::Contains(" available)"));

    Observation root = make(SourceKind::disk)->observe();
    CHECK(root.status == ObservationStatus::ok);
    CHECK(root.value >= 0);
    CHECK(root.value <= 100);
}

TEST_CASE_METHOD(HostFixture, "disk: a path that does not exist is unknown with the reason", "[observe][host]") {
    TempDir dir{"backstop-observe-disk"};
    Observation o = make(SourceKind::disk, dir.file("no/such/dir"))->observe();
    CHECK(o.status == ObservationStatus::unknown);
    CHECK(std::isnan(o.value));
    CHECK(o.error == "statvfs(" + dir.file("no/such/dir") + "): No such file or directory");
    CHECK(o.detail == o.error);

    SourceSpec empty;
    empty.name = "disk";
    empty.kind = SourceKind::disk;
    empty.disk().path = "";
    CHECK(source_spec_problems(empty) == std::vector<std::string>{"path is required"});
}

TEST_CASE_METHOD(HostFixture, "memory: percent in use from /proc/meminfo", "[observe][host]") {
    auto source = make(SourceKind::memory);
    Observation o = source->observe();
    REQUIRE(o.status == ObservationStatus::ok);
    CHECK(o.value > 0);
    CHECK(o.value <= 100);
    CHECK_THAT(o.detail, Catch::StartsWith("memory ") && Catch::Contains("% in use: ") && Catch::Contains(" available)"));
    CHECK(source->save_state() == nlohmann::json::object());
}

TEST_CASE("memory: /proc/meminfo's two fields are what counts", "[observe][host]") {
    auto use = parse_meminfo("MemTotal:       16314504 kB\nMemFree:         1201424 kB\nMemAvailable:    8157252 kB\n");
    REQUIRE(use);
    CHECK(use->total_kib == 16314504);
    CHECK(use->available_kib == 8157252);
    CHECK_FALSE(parse_meminfo("MemTotal:       16314504 kB\nMemFree:         1201424 kB\n"));  // kernels before 3.14
    CHECK_FALSE(parse_meminfo("MemTotal: 0 kB\nMemAvailable: 0 kB\n"));
    CHECK_FALSE(parse_meminfo("XMemTotal: 5 kB\nMemAvailable: 1 kB\n"));
}

TEST_CASE_METHOD(HostFixture, "cpu: the first look samples, later looks and a restored source use the previous reading", "[observe][host][state]") {
    auto source = make(SourceKind::cpu);
    CHECK(source->save_state() == nlohmann::json::object());  // no reading yet
    Observation first = source->observe();
    REQUIRE(first.status == ObservationStatus::ok);
    CHECK(first.value >= 0);
    CHECK(first.value <= 100);
    CHECK_THAT(first.detail, Catch::StartsWith("CPU ") && Catch::Contains("(first look: two readings)"));

    Observation second = source->observe();
    REQUIRE(second.status == ObservationStatus::ok);
    CHECK(second.value >= 0);
    CHECK(second.value <= 100);
    CHECK_THAT(second.detail, Catch::Contains("since the previous look"));

    nlohmann::json state = nlohmann::json::parse(source->save_state().dump());
    CHECK(state["total"].get<std::uint64_t>() >= state["busy"].get<std::uint64_t>());
    source.reset();

    auto restored = make(SourceKind::cpu);
    restored->restore_state(state);
    Observation third = restored->observe();
    REQUIRE(third.status == ObservationStatus::ok);
    CHECK(third.value >= 0);
    CHECK(third.value <= 100);
    CHECK_THAT(third.detail, Catch::Contains("since the previous look"));

    // A reading from another boot, or one that is not a reading, is ignored: back to sampling.
    nlohmann::json other_boot = state;
    other_boot["boot_id"] = "00000000-0000-0000-0000-000000000000";
    nlohmann::json ahead = state;  // counters ahead of the kernel's: not from this boot either
    ahead["total"] = state["total"].get<std::uint64_t>() * 4 + 1'000'000;
    ahead["busy"] = state["total"].get<std::uint64_t>() * 4 + 1'000'000;
    for (const nlohmann::json& bad : {other_boot, ahead, nlohmann::json("cpu"), nlohmann::json::object(),
                                      nlohmann::json{{"busy", -1}, {"total", 5}}}) {
        INFO(bad.dump());
        auto fresh = make(SourceKind::cpu);
        fresh->restore_state(bad);
        Observation o = fresh->observe();
        CHECK(o.status == ObservationStatus::ok);
        CHECK_THAT(o.detail, Catch::Contains("(first look: two readings)"));
    }
}

TEST_CASE("cpu: busy time leaves out idle, iowait and guest time", "[observe][host]") {
    auto t = parse_cpu_times("cpu  100 20 30 400 50 6 7 8 90 10\ncpu0 1 2 3 4 5 6 7 8 9 10\n");
    REQUIRE(t);
    CHECK(t->busy == 100 + 20 + 30 + 6 + 7 + 8);
    CHECK(t->total == t->busy + 400 + 50);
    auto old_kernel = parse_cpu_times("cpu  1 2 3 4\n");
    REQUIRE(old_kernel);
    CHECK(old_kernel->busy == 6);
    CHECK(old_kernel->total == 10);
    CHECK_FALSE(parse_cpu_times("cpu0 1 2 3 4\n"));
    CHECK_FALSE(parse_cpu_times("cpu  1 2 3\n"));
    CHECK_FALSE(parse_cpu_times(""));
}
