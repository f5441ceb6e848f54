// The tcp source against a real listening socket and a closed port.
#include <cmath>

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "observe/source.h"
#include "support/backstop_cli.h"

using namespace backstop;
using namespace backstop::test;

namespace {

// A socket listening on 127.0.0.1 (ephemeral port) that nobody accepts from: the kernel still
// completes connections into its backlog.
struct Listener {
    int fd = -1;
    int port = 0;
    Listener() {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd, 16) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port = ntohs(addr.sin_port);
    }
    ~Listener() { ::close(fd); }
};

Observation observe_tcp(int port) {
    SourceSpec spec;
    spec.name = "db";
    spec.kind = SourceKind::tcp;
    spec.tcp().host = "127.0.0.1";
    spec.tcp().port = port;
    auto runner = make_process_runner();
    auto http = make_http_client();
    SourceDeps deps{*runner, *http};
    return make_source(spec, deps)->observe();
}

}  // namespace

TEST_CASE("tcp: a listening port is ok, with the connect time as the value", "[observe][tcp]") {
    Listener listener;
    Observation o = observe_tcp(listener.port);
    CHECK(o.status == ObservationStatus::ok);
    CHECK(o.value >= 0);
    CHECK(o.value == o.latency_ms);
    CHECK_THAT(o.detail, Catch::StartsWith("connect 127.0.0.1:" + std::to_string(listener.port) + " in "));
}

TEST_CASE("tcp: a closed port is a failure", "[observe][tcp]") {
    Observation o = observe_tcp(free_port());
    CHECK(o.status == ObservationStatus::failed);
    CHECK_THAT(o.detail, Catch::EndsWith(": connection refused"));
    CHECK(o.error.empty());
}
