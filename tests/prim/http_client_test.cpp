// The HTTP client (libcurl) against a real loopback receiver: methods, headers, bodies, deadlines,
// refusals.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "prim/http_client.h"
#include "support/http_receiver.h"

using namespace backstop;
using backstop::test::CannedResponse;
using backstop::test::HttpReceiver;
using namespace std::chrono_literals;

namespace {

HttpRequest request(std::string method, std::string url) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.timeout = 5s;
    return r;
}

// A port nobody listens on: bind an ephemeral port, then close it without listening.
int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("GET returns status, body and lower-cased headers", "[http]") {
    HttpReceiver receiver;
    receiver.respond("/health", {.status = 200, .body = "all good", .headers = {{"X-Release", "v42"}}});
    auto client = make_http_client();
    auto r = client->send(request("GET", receiver.url("/health?verbose=1#top")));
    CHECK(r.transport_ok());
    CHECK(r.status == 200);
    CHECK(r.body == "all good");
    CHECK(r.headers["x-release"] == "v42");
    CHECK(r.headers["content-length"] == "8");
    CHECK_FALSE(r.timed_out);
    CHECK(r.elapsed < 5s);

    auto seen = receiver.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].path == "/health");
    CHECK(seen[0].query == "verbose=1");
    CHECK(seen[0].header("host") == "127.0.0.1:" + std::to_string(receiver.port()));
    CHECK(seen[0].header("user-agent") == "backstop");
    CHECK(seen[0].header("content-length").empty());
}

TEST_CASE("an HTTP error status is an answer, not a transport failure", "[http]") {
    HttpReceiver receiver;
    receiver.respond("/broken", {.status = 503, .body = "down"});
    auto r = make_http_client()->send(request("GET", receiver.url("/broken")));
    CHECK(r.transport_ok());
    CHECK(r.status == 503);
    CHECK(r.body == "down");
}

TEST_CASE("POST delivers body and headers, the caller's User-Agent wins", "[http]") {
    HttpReceiver receiver;
    receiver.respond("/hook", {.status = 202, .body = "queued"});
    auto req = request("POST", receiver.url("/hook"));
    req.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer t0ken"}, {"User-Agent", "poller/2"}, {"X-Empty", ""}};
    req.body = R"({"release":"v41","reason":"error rate"})";
    auto r = make_http_client()->send(req);
    CHECK(r.status == 202);
    CHECK(r.body == "queued");

    REQUIRE(receiver.wait_for_requests(1, 1s));
    auto seen = receiver.requests_to("/hook");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "POST");
    CHECK(seen[0].body == req.body);
    CHECK(seen[0].header("content-type") == "application/json");
    CHECK(seen[0].header("Authorization") == "Bearer t0ken");
    CHECK(seen[0].header("user-agent") == "poller/2");
    CHECK(seen[0].headers.count("x-empty") == 1);
    CHECK(seen[0].header("expect").empty());
}

TEST_CASE("a large POST body arrives whole without an Expect round trip", "[http]") {
    HttpReceiver receiver;
    auto req = request("POST", receiver.url("/big"));
    req.body = std::string(3 << 20, 'b');
    auto r = make_http_client()->send(req);
    CHECK(r.status == 200);
    CHECK(r.elapsed < 900ms);
    auto seen = receiver.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].body.size() == req.body.size());
}

TEST_CASE("PUT, DELETE and HEAD use their methods", "[http]") {
    HttpReceiver receiver;
    receiver.respond("/thing", {.status = 200, .body = "twelve bytes"});
    auto client = make_http_client();

    auto put = request("PUT", receiver.url("/thing"));
    put.body = "new";
    CHECK(client->send(put).status == 200);

    auto empty_put = request("PUT", receiver.url("/thing"));
    CHECK(client->send(empty_put).status == 200);

    CHECK(client->send(request("DELETE", receiver.url("/thing"))).status == 200);

    auto head = client->send(request("HEAD", receiver.url("/thing")));
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.headers["content-length"] == "12");

    auto seen = receiver.requests();
    REQUIRE(seen.size() == 4);
    CHECK(seen[0].method == "PUT");
    CHECK(seen[0].body == "new");
    CHECK(seen[1].method == "PUT");
    CHECK(seen[1].header("content-length") == "0");
    CHECK(seen[2].method == "DELETE");
    CHECK(seen[2].header("content-length").empty());
    CHECK(seen[3].method == "HEAD");
}

TEST_CASE("a hanging receiver times out at the deadline", "[http]") {
    HttpReceiver receiver;
    receiver.respond("/slow", {.status = 200, .body = "late", .delay = 5s});
    auto req = request("GET", receiver.url("/slow"));
    req.timeout = 300ms;
    auto start = std::chrono::steady_clock::now();
    auto r = make_http_client()->send(req);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.timed_out);
    CHECK_FALSE(r.transport_ok());
    CHECK(r.error == "timed out after 300ms");
    CHECK(r.status == 0);
    CHECK(took >= 250ms);
    CHECK(took < 2s);
    CHECK(r.elapsed < 2s);
}

TEST_CASE("a closed port is a refused connection", "[http]") {
    auto r = make_http_client()->send(request("GET", "http://127.0.0.1:" + std::to_string(closed_port()) + "/"));
    CHECK(r.status == 0);
    CHECK(r.error == "connection refused");
    CHECK_FALSE(r.timed_out);
}

TEST_CASE("redirects are not followed", "[http]") {
    HttpReceiver receiver;
    receiver.respond("/old", {.status = 302, .headers = {{"Location", "/new"}}});
    auto r = make_http_client()->send(request("GET", receiver.url("/old")));
    CHECK(r.status == 302);
    CHECK(r.headers["location"] == "/new");
    CHECK(receiver.requests().size() == 1);
}

TEST_CASE("one client serves several requests, a sequence answers in order", "[http]") {
    HttpReceiver receiver;
    receiver.respond_sequence("/flaky", {{.status = 500, .body = "boom"}, {.status = 200, .body = "fine"}});
    auto client = make_http_client();
    CHECK(client->send(request("GET", receiver.url("/flaky"))).status == 500);
    CHECK(client->send(request("GET", receiver.url("/flaky"))).status == 200);
    CHECK(client->send(request("GET", receiver.url("/flaky"))).status == 200);  // the last repeats
    CHECK(receiver.requests_to("/flaky").size() == 3);
}

TEST_CASE("a dropped connection is an empty reply", "[http]") {
    HttpReceiver receiver;
    receiver.respond("/drop", {.drop = true});
    auto dropped = make_http_client()->send(request("GET", receiver.url("/drop")));
    CHECK(dropped.status == 0);
    CHECK(dropped.error == "empty reply from server");
}

TEST_CASE("libcurl: a URL of another scheme comes back as an error", "[http]") {
    auto bad = make_http_client()->send(request("GET", "ftp://127.0.0.1/x"));
    CHECK_FALSE(bad.transport_ok());
    CHECK(bad.error.find("unsupported URL scheme") != std::string::npos);
}

TEST_CASE("the receiver answers requests in parallel and records them all", "[http]") {
    HttpReceiver receiver;
    receiver.respond("/slow", {.delay = 300ms});
    std::vector<std::thread> threads;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] { make_http_client()->send(request("POST", receiver.url("/slow"))); });
    CHECK(receiver.wait_for_requests(4, 2s));
    for (auto& t : threads) t.join();
    CHECK(std::chrono::steady_clock::now() - start < 1s);
    CHECK(receiver.requests().size() == 4);
}
