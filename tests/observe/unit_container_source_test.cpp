// The unit and container sources against a real `systemd --user` manager and a real dockerd, both
// started by the test process (tests/support/systemd_user_manager, tests/support/docker_engine).
#include <cmath>
#include <thread>

#include <catch2/catch.hpp>

#include "observe/source.h"
#include "support/docker_engine.h"
#include "support/systemd_user_manager.h"

using namespace backstop;
using namespace backstop::test;

namespace {

struct SourceFixture {
    std::unique_ptr<ProcessRunner> runner = make_process_runner();
    std::unique_ptr<HttpClient> http = make_http_client();

    Observation observe(const SourceSpec& spec) {
        SourceDeps deps{*runner, *http};
        return make_source(spec, deps)->observe();
    }
};

SourceSpec unit_spec(const std::string& unit) {
    SourceSpec spec;
    spec.name = "web";
    spec.kind = SourceKind::unit;
    spec.unit().unit = unit;
    spec.unit().scope = "user";
    spec.timeout = Duration{10'000};
    return spec;
}

SourceSpec container_spec(const std::string& container, const std::string& host) {
    SourceSpec spec;
    spec.name = "app";
    spec.kind = SourceKind::container;
    spec.container().container = container;
    spec.container().host = host;
    spec.timeout = Duration{30'000};
    return spec;
}

}  // namespace

TEST_CASE_METHOD(SourceFixture, "unit: active is ok, stopped, failed and unknown units are not", "[observe][unit][systemd]") {
    SystemdUserManager& manager = SystemdUserManager::shared();
    manager.write_unit("observed.service", "[Service]\nExecStart=/bin/sleep 600\n");
    manager.write_unit("observed-crash.service", "[Service]\nExecStart=/bin/sh -c 'exit 3'\n");

    Observation stopped = observe(unit_spec("observed.service"));
    CHECK(stopped.status == ObservationStatus::failed);
    CHECK(stopped.state == "inactive");
    CHECK(stopped.detail == "observed.service (user): inactive, 0 restarts");

    REQUIRE(manager.systemctl({"start", "observed.service"}).ok());
    Observation active = observe(unit_spec("observed.service"));
    CHECK(active.status == ObservationStatus::ok);
    CHECK(active.state == "active");
    CHECK(active.restarts == 0);
    CHECK(active.value == 0);
    manager.systemctl({"stop", "observed.service"});

    manager.systemctl({"start", "observed-crash.service"});
    Observation crashed;
    for (int i = 0; i < 250; ++i) {
        crashed = observe(unit_spec("observed-crash.service"));
        if (crashed.state == "failed") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(crashed.status == ObservationStatus::failed);
    CHECK(crashed.state == "failed");

    Observation missing = observe(unit_spec("no-such-unit.service"));
    CHECK(missing.status == ObservationStatus::failed);
    CHECK(missing.detail == "no-such-unit.service (user): no such unit");
}

TEST_CASE_METHOD(SourceFixture, "container: running is ok, exited and missing containers fail, no daemon is unknown", "[observe][container][docker]") {
    DockerEngine& engine = DockerEngine::shared();
    engine.build_app_image("observed-app:v1", true);
    engine.must({"run", "-d", "--name", "observed", "--network", "none", "observed-app:v1", "/bin/busybox", "sleep", "600"});

    Observation running = observe(container_spec("observed", engine.host()));
    CHECK(running.status == ObservationStatus::ok);
    CHECK(running.state == "running");
    CHECK(running.restarts == 0);
    CHECK(running.detail == "container observed: running, 0 restarts");

    engine.must({"stop", "--time", "0", "observed"});
    Observation exited = observe(container_spec("observed", engine.host()));
    CHECK(exited.status == ObservationStatus::failed);
    CHECK(exited.state == "exited");
    engine.must({"rm", "observed"});

    Observation missing = observe(container_spec("observed", engine.host()));
    CHECK(missing.status == ObservationStatus::failed);
    CHECK(missing.state == "missing");

    Observation no_daemon = observe(container_spec("observed", "unix:///nonexistent/docker.sock"));
    CHECK(no_daemon.status == ObservationStatus::unknown);
    CHECK_THAT(no_daemon.error, Catch::StartsWith("docker container inspect observed: "));
}
