// The loopback HTTP server against real clients: the engine's libcurl client for ordinary requests and
// raw sockets for keep-alive, pipelining, limits, malformed input, slow clients and stopping.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <set>
#include <utility>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "prim/http_client.h"
#include "prim/http_server.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace std::chrono_literals;

namespace {

// Echoes what it got: "METHOD PATH?QUERY|BODY", and the peer and a header in response headers.
HttpServerResponse echo(const HttpServerRequest& r) {
    HttpServerResponse out;
    out.body = r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query) + "|" + r.body;
    out.headers["X-Peer"] = r.peer;
    out.headers["X-Token"] = r.header("X-TOKEN");
    out.headers["X-Version"] = r.version;
    if (r.path == "/json") out.content_type = "application/json";
    if (r.path == "/created") out.status = 201;
    if (r.path == "/no-content") out.status = 204;
    if (r.path == "/bye") out.headers["Connection"] = "close";
    if (r.path == "/throw") throw std::runtime_error("handler broke");
    return out;
}

HttpServerOptions options_with(Duration read_timeout = 10s, std::size_t max_connections = 64) {
    HttpServerOptions o;
    o.read_timeout = read_timeout;
    o.max_connections = max_connections;
    return o;
}

std::string url(const HttpServer& server, const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(server.port()) + path;
}

HttpRequest request(std::string method, std::string target, std::string body = {}) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(target);
    r.body = std::move(body);
    r.timeout = 10s;
    return r;
}

// A TCP client that speaks raw bytes; every read gives up after a generous deadline.
class RawClient {
public:
    explicit RawClient(int port, const std::string& address = "127.0.0.1") {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        REQUIRE(::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) == 1);
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~RawClient() { ::close(fd_); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    int local_port() const {
        sockaddr_in addr{};
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        return ntohs(addr.sin_port);
    }

    // False when the server has closed or reset the connection.
    bool send(std::string_view data) {
        while (!data.empty()) {
            ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    // One whole response (head, then Content-Length bytes unless `bodiless`); "" when the
    // connection ended or nothing came within the deadline.
    std::string read_response(bool bodiless = false) {
        std::size_t head_end;
        while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos)
            if (!read_more()) return take(buffer_.size());
        std::size_t length = 0;
        const std::string head = lower(buffer_.substr(0, head_end));
        if (auto pos = head.find("\r\ncontent-length: "); pos != std::string::npos && !bodiless)
            length = std::stoul(head.substr(pos + 18));
        while (buffer_.size() < head_end + 4 + length)
            if (!read_more()) return take(buffer_.size());
        return take(head_end + 4 + length);
    }

    // Everything until the server closes; `closed` tells whether it did within the deadline.
    std::string read_until_close(bool* closed = nullptr) {
        bool ended = false;
        while (!ended) {
            if (!read_more(&ended)) break;
        }
        if (closed) *closed = ended;
        return take(buffer_.size());
    }

private:
    static std::string lower(std::string s) {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }

    std::string take(std::size_t n) {
        std::string out = buffer_.substr(0, n);
        buffer_.erase(0, n);
        return out;
    }

    bool read_more(bool* ended = nullptr) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 15'000) <= 0) return false;
        char chunk[65536];
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) {
            if (ended) *ended = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::string buffer_;
};

// The first IPv4 address of this machine that is not loopback, "" when it has none.
std::string own_non_loopback_address() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return "";
    std::string found;
    for (ifaddrs* i = list; i && found.empty(); i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK)) continue;
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
        found = text;
    }
    ::freeifaddrs(list);
    return found;
}

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

std::string body_of(const std::string& response) {
    auto pos = response.find("\r\n\r\n");
    return pos == std::string::npos ? std::string() : response.substr(pos + 4);
}

bool has_header(const std::string& response, const std::string& line) {
    return response.substr(0, response.find("\r\n\r\n") + 2).find("\r\n" + line + "\r\n") != std::string::npos;
}

}  // namespace

TEST_CASE("the server answers the libcurl client: method, path, query, headers, body", "[http-server]") {
    HttpServer server(options_with(), echo);
    REQUIRE(server.port() > 0);
    auto client = make_http_client();

    auto get = client->send(request("GET", url(server, "/status?service=web&verbose=1")));
    REQUIRE(get.transport_ok());
    CHECK(get.status == 200);
    CHECK(get.body == "GET /status?service=web&verbose=1|");
    CHECK(get.headers["content-type"] == "text/plain; charset=utf-8");
    CHECK(get.headers["x-version"] == "HTTP/1.1");

    auto post = request("POST", url(server, "/json"), R"({"event":"deploy"})");
    post.headers = {{"Content-Type", "application/json"}, {"x-token", "s3cret"}};
    auto r = client->send(post);
    REQUIRE(r.transport_ok());
    CHECK(r.status == 200);
    CHECK(r.body == R"(POST /json|{"event":"deploy"})");
    CHECK(r.headers["content-type"] == "application/json");
    CHECK(r.headers["x-token"] == "s3cret");
    CHECK(r.headers["x-peer"].starts_with("127.0.0.1:"));

    CHECK(client->send(request("PUT", url(server, "/created"), "x")).status == 201);
    auto none = client->send(request("DELETE", url(server, "/no-content")));
    CHECK(none.status == 204);
    CHECK(none.body.empty());
}

TEST_CASE("one libcurl client reuses its keep-alive connection", "[http-server]") {
    HttpServer server(options_with(), echo);
    auto client = make_http_client();
    std::set<std::string> peers;
    for (int i = 0; i < 20; ++i) {
        auto r = client->send(request("POST", url(server, "/events"), "event " + std::to_string(i)));
        REQUIRE(r.status == 200);
        CHECK(r.body == "POST /events|event " + std::to_string(i));
        peers.insert(r.headers["x-peer"]);
    }
    CHECK(peers.size() == 1);
}

TEST_CASE("a 1 MiB body is accepted and a larger one gets 413, from libcurl too", "[http-server]") {
    HttpServer server(options_with(), [](const HttpServerRequest& r) {
        return HttpServerResponse{.body = std::to_string(r.body.size())};
    });
    auto client = make_http_client();
    auto ok = client->send(request("POST", url(server, "/big"), std::string(1024 * 1024, 'a')));
    CHECK(ok.status == 200);
    CHECK(ok.body == "1048576");
    auto big = client->send(request("POST", url(server, "/big"), std::string(1024 * 1024 + 1, 'a')));
    CHECK(big.status == 413);
    // The server still works for the next request.
    CHECK(make_http_client()->send(request("GET", url(server, "/"))).status == 200);
}

TEST_CASE("pipelined requests on one connection are answered in order", "[http-server]") {
    HttpServer server(options_with(), echo);
    RawClient c(server.port());
    REQUIRE(c.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
                   "POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                   "GET /three?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string one = c.read_response(), two = c.read_response(), three = c.read_response();
    CHECK(status_line(one) == "HTTP/1.1 200 OK");
    CHECK(body_of(one) == "GET /one|");
    CHECK(body_of(two) == "POST /two|hello");
    CHECK(body_of(three) == "GET /three?q=1|");
    CHECK(has_header(one, "Content-Length: 9"));
    CHECK_FALSE(has_header(one, "Connection: close"));
    CHECK(has_header(one, "X-Peer: 127.0.0.1:" + std::to_string(c.local_port())));

    // Still open: a request split across writes, then one that asks to close.
    REQUIRE(c.send("POST /four HTTP/1.1\r\nHost: x\r\nContent-Le"));
    REQUIRE(c.send("ngth: 3\r\n\r\nab"));
    REQUIRE(c.send("c"));
    CHECK(body_of(c.read_response()) == "POST /four|abc");
    REQUIRE(c.send("GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    std::string last = c.read_response();
    CHECK(body_of(last) == "GET /last|");
    CHECK(has_header(last, "Connection: close"));
    bool closed = false;
    CHECK(c.read_until_close(&closed).empty());
    CHECK(closed);
}

TEST_CASE("many pipelined requests sent before reading any answer all get answers", "[http-server]") {
    HttpServer server(options_with(), echo);
    RawClient c(server.port());
    std::string burst;
    constexpr int kCount = 3000;
    for (int i = 0; i < kCount; ++i) burst += "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n" + std::to_string(1000 + i);
    std::thread writer([&] { c.send(burst); });  // the server stops reading while answers pile up
    int answered = 0;
    for (int i = 0; i < kCount; ++i) {
        if (body_of(c.read_response()) != "POST /e|" + std::to_string(1000 + i)) break;
        ++answered;
    }
    writer.join();
    CHECK(answered == kCount);
}

TEST_CASE("HTTP/1.0 closes unless keep-alive is asked for, and HEAD has no body", "[http-server]") {
    HttpServer server(options_with(), echo);
    {
        RawClient c(server.port());
        REQUIRE(c.send("GET /old HTTP/1.0\r\n\r\n"));
        bool closed = false;
        std::string r = c.read_until_close(&closed);
        CHECK(closed);
        CHECK(has_header(r, "Connection: close"));
        CHECK(body_of(r) == "GET /old|");
    }
    {
        RawClient c(server.port());
        REQUIRE(c.send("GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        CHECK(body_of(c.read_response()) == "GET /a|");
        REQUIRE(c.send("HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"));
        std::string head = c.read_response(true);
        CHECK(status_line(head) == "HTTP/1.1 200 OK");
        CHECK(has_header(head, "Content-Length: 8"));  // the length of "HEAD /b|", which is not sent
        CHECK(body_of(head).empty());
        REQUIRE(c.send("GET /c HTTP/1.1\r\nHost: x\r\n\r\n"));
        CHECK(body_of(c.read_response()) == "GET /c|");
    }
}

TEST_CASE("a handler can close the connection, and a throwing handler is a 500", "[http-server]") {
    HttpServer server(options_with(), echo);
    RawClient c(server.port());
    REQUIRE(c.send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string r = c.read_response();
    CHECK(status_line(r) == "HTTP/1.1 500 Internal Server Error");
    CHECK(body_of(r) == "internal error: handler broke\n");
    REQUIRE(c.send("GET /bye HTTP/1.1\r\nHost: x\r\n\r\n"));
    r = c.read_response();
    CHECK(has_header(r, "Connection: close"));
    bool closed = false;
    c.read_until_close(&closed);
    CHECK(closed);
}

TEST_CASE("an announced body over the limit is refused with 413 before it is read", "[http-server]") {
    HttpServer server(options_with(), echo);
    SECTION("headers only") {
        RawClient c(server.port());
        REQUIRE(c.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n"));
        bool closed = false;
        std::string r = c.read_until_close(&closed);
        CHECK(status_line(r) == "HTTP/1.1 413 Content Too Large");
        CHECK(has_header(r, "Connection: close"));
        CHECK(closed);
    }
    SECTION("with part of the body already sent: the answer is not lost to a reset") {
        RawClient c(server.port());
        REQUIRE(c.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n" + std::string(200'000, 'x')));
        CHECK(status_line(c.read_response()) == "HTTP/1.1 413 Content Too Large");
    }
    SECTION("absurd lengths") {
        RawClient c(server.port());
        REQUIRE(c.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"));
        CHECK(status_line(c.read_response()) == "HTTP/1.1 413 Content Too Large");
    }
}

TEST_CASE("Expect: 100-continue gets a 100 before the body is sent", "[http-server]") {
    HttpServer server(options_with(), echo);
    RawClient c(server.port());
    REQUIRE(c.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
    CHECK(c.read_response() == "HTTP/1.1 100 Continue\r\n\r\n");
    REQUIRE(c.send("data"));
    CHECK(body_of(c.read_response()) == "POST /e|data");
}

TEST_CASE("headers over 16 KiB get 431", "[http-server]") {
    HttpServer server(options_with(), echo);
    SECTION("complete but too large") {
        RawClient c(server.port());
        REQUIRE(c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17 * 1024, 'h') + "\r\n\r\n"));
        CHECK(status_line(c.read_response()) == "HTTP/1.1 431 Request Header Fields Too Large");
    }
    SECTION("never ending") {
        RawClient c(server.port());
        c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'h'));
        CHECK(status_line(c.read_response()) == "HTTP/1.1 431 Request Header Fields Too Large");
    }
    SECTION("just under the limit is fine") {
        RawClient c(server.port());
        REQUIRE(c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(15 * 1024, 'h') + "\r\n\r\n"));
        CHECK(status_line(c.read_response()) == "HTTP/1.1 200 OK");
    }
}

TEST_CASE("malformed requests get 400 (or 501, 505) and the connection closes", "[http-server]") {
    std::vector<std::string> refusals;  // "STATUS PATH"
    HttpServerOptions options = options_with();
    options.on_refused = [&](const HttpServerRequest& r, int status) { refusals.push_back(std::to_string(status) + " " + r.path); };
    HttpServer server(options, echo);
    struct Case {
        std::string request;
        std::string status;  // "": closed without an answer
    };
    const Case cases[] = {
        {"GARBAGE\r\n\r\n", ""},
        {"GET /\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"GET / HTTP/1.1 extra\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"GET nopath HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"GET ftp://x/ HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"GET / HTTP/x\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"GET / HTTP/2.0\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported"},
        {"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"GET / HTTP/1.1\r\nHost: x\r\nName : space\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "HTTP/1.1 400 Bad Request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
         "HTTP/1.1 400 Bad Request"},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 Not Implemented"},
    };
    for (const auto& c : cases) {
        INFO(c.request);
        RawClient client(server.port());
        REQUIRE(client.send(c.request));
        bool closed = false;
        std::string r = client.read_until_close(&closed);
        CHECK(status_line(r) == c.status);
        if (!c.status.empty()) CHECK(has_header(r, "Connection: close"));
        CHECK(closed);
    }
    // The refusals the server makes itself (libmicrohttpd's own are not seen) reach the observer.
    CHECK(refusals == std::vector<std::string>{"400 ", "400 ", "400 ", "400 /", "400 /", "501 /"});
    // Repeated equal lengths are fine, and so are empty lines before a request and bare LF line ends.
    RawClient ok(server.port());
    REQUIRE(ok.send("\r\nPOST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi"));
    CHECK(body_of(ok.read_response()) == "POST /x|hi");
    REQUIRE(ok.send("GET /lf HTTP/1.1\nHost: x\n\n"));
    CHECK(body_of(ok.read_response()) == "GET /lf|");
    // What RFC 9112 lets a server accept: a chunked body, spaces between the words of the request line.
    REQUIRE(ok.send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
    CHECK(body_of(ok.read_response()) == "POST /chunked|abcde");
    REQUIRE(ok.send("GET  /spaces HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(body_of(ok.read_response()) == "GET /spaces|");
}

TEST_CASE("Host: none or two in HTTP/1.1 is a 400, and absolute-form targets are served", "[http-server]") {
    HttpServer server(options_with(), echo);
    const std::pair<std::string, std::string> cases[] = {
        {"GET /none HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"GET /two HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "HTTP/1.1 400 Bad Request"},
        {"GET /two HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", "HTTP/1.1 400 Bad Request"},
    };
    for (const auto& [request, status] : cases) {
        INFO(request);
        RawClient c(server.port());
        REQUIRE(c.send(request));
        bool closed = false;
        std::string r = c.read_until_close(&closed);
        CHECK(status_line(r) == status);
        CHECK(closed);
    }
    RawClient c(server.port());
    REQUIRE(c.send("GET http://backstop.example:9470/v1/x?a=1 HTTP/1.1\r\nHost: backstop.example:9470\r\n\r\n"));
    CHECK(body_of(c.read_response()) == "GET /v1/x?a=1|");
    REQUIRE(c.send("GET HTTPS://backstop.example?b=2 HTTP/1.1\r\nHost: backstop.example\r\n\r\n"));
    CHECK(body_of(c.read_response()) == "GET /?b=2|");
    REQUIRE(c.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));  // HTTP/1.0 needs no Host
    CHECK(body_of(c.read_response()) == "GET /old|");
}

TEST_CASE("a slow client is cut off at the request deadline and cannot pin the server", "[http-server]") {
    HttpServer server(options_with(300ms), echo);
    RawClient slow(server.port());
    REQUIRE(slow.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part"));
    // Trickling bytes does not extend the deadline: it is per request, not per read.
    RawClient trickle(server.port());
    std::atomic<bool> stop_trickling{false};
    std::atomic<int> trickled{0};
    std::thread trickler([&] {
        trickle.send("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 200 && !stop_trickling && trickle.send("X"); ++i, ++trickled) std::this_thread::sleep_for(20ms);
    });
    // Meanwhile others are served.
    auto client = make_http_client();
    CHECK(client->send(request("GET", url(server, "/meanwhile"))).body == "GET /meanwhile|");

    bool closed = false;
    CHECK(slow.read_until_close(&closed).empty());
    CHECK(closed);
    CHECK(trickle.read_until_close(&closed).empty());
    CHECK(closed);
    stop_trickling = true;
    trickler.join();
    CHECK(trickled < 200);  // the trickler was cut off, not the end of its bytes
}

TEST_CASE("an idle keep-alive connection is closed silently after the read timeout", "[http-server]") {
    HttpServer server(options_with(300ms), echo);
    RawClient c(server.port());
    REQUIRE(c.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(body_of(c.read_response()) == "GET /first|");
    bool closed = false;
    CHECK(c.read_until_close(&closed).empty());
    CHECK(closed);
}

TEST_CASE("near the connection cap the longest-waiting connections make room for new requests", "[http-server]") {
    HttpServer server(options_with(60s, 8), echo);
    REQUIRE(server.max_connections() == 8);
    // Three times the cap of connections that send nothing; the deadline (60 s) closes none of them.
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 24; ++i) idle.push_back(std::make_unique<RawClient>(server.port()));
    RawClient c(server.port());
    REQUIRE(c.send("GET /late HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(body_of(c.read_response()) == "GET /late|");
    // The first ones were closed to make that room.
    bool closed = false;
    CHECK(idle.front()->read_until_close(&closed).empty());
    CHECK(closed);
}

TEST_CASE("a non-loopback address gets only its share of connections", "[http-server]") {
    // The machine's own non-loopback address: a peer the per-address cap applies to.
    std::string address = own_non_loopback_address();
    REQUIRE_FALSE(address.empty());
    HttpServerOptions options = options_with(60s);
    options.host = "0.0.0.0";
    options.max_connections_per_address = 3;
    HttpServer server(options, echo);
    std::vector<std::unique_ptr<RawClient>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<RawClient>(server.port(), address));
        REQUIRE(held.back()->send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n"));
        CHECK(body_of(held.back()->read_response()) == "GET /held|");
    }
    RawClient fourth(server.port(), address);
    fourth.send("GET /fourth HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed = false;
    CHECK(fourth.read_until_close(&closed).empty());
    CHECK(closed);
    // Loopback is not limited: every local client shares 127.0.0.1.
    std::vector<std::unique_ptr<RawClient>> local;
    for (int i = 0; i < 5; ++i) {
        local.push_back(std::make_unique<RawClient>(server.port()));
        REQUIRE(local.back()->send("GET /local HTTP/1.1\r\nHost: x\r\n\r\n"));
        CHECK(body_of(local.back()->read_response()) == "GET /local|");
    }
    // Once one of the address's connections ends, it may open another.
    held.front().reset();
    std::string again;  // the server notices the departure asynchronously: retry for a while
    for (int i = 0; i < 500 && body_of(again) != "GET /again|"; ++i) {
        RawClient d(server.port(), address);
        d.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
        again = d.read_response();
        if (body_of(again) != "GET /again|") std::this_thread::sleep_for(20ms);
    }
    CHECK(body_of(again) == "GET /again|");
}

TEST_CASE("stop() returns while clients are connected and closes their connections", "[http-server]") {
    auto server = std::make_unique<HttpServer>(options_with(), echo);
    RawClient idle(server->port());
    RawClient partial(server->port());
    REQUIRE(idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(status_line(idle.read_response()) == "HTTP/1.1 200 OK");
    REQUIRE(partial.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));

    auto stopped = std::async(std::launch::async, [&] { server->stop(); });
    REQUIRE(stopped.wait_for(10s) == std::future_status::ready);  // a bound against hangs, not a timing claim
    server->stop();  // idempotent
    bool closed = false;
    idle.read_until_close(&closed);
    CHECK(closed);
    partial.read_until_close(&closed);
    CHECK(closed);
    server.reset();
}

TEST_CASE("a handler may call stop()", "[http-server]") {
    std::promise<void> asked;
    HttpServer* self = nullptr;
    HttpServer server(options_with(), [&](const HttpServerRequest&) {
        self->stop();
        asked.set_value();
        return HttpServerResponse{.body = "stopping"};
    });
    self = &server;
    RawClient c(server.port());
    REQUIRE(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    REQUIRE(asked.get_future().wait_for(10s) == std::future_status::ready);
    auto stopped = std::async(std::launch::async, [&] { server.stop(); });
    REQUIRE(stopped.wait_for(10s) == std::future_status::ready);
}

TEST_CASE("binding reports a taken port and an unknown host as errors", "[http-server]") {
    HttpServer first(options_with(), echo);
    HttpServerOptions same = options_with();
    same.port = first.port();
    CHECK_THROWS_WITH(HttpServer(same, echo),
                      "cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": Address already in use");
    HttpServerOptions bad = options_with();
    bad.host = "no-such-host.invalid";
    CHECK_THROWS_AS(HttpServer(bad, echo), Error);
    HttpServerOptions ipv6 = options_with();
    ipv6.host = "::1";
    try {
        HttpServer v6(ipv6, echo);
        CHECK(v6.port() > 0);
        auto r = make_http_client()->send(request("GET", "http://[::1]:" + std::to_string(v6.port()) + "/six"));
        if (r.transport_ok()) CHECK(r.headers["x-peer"].starts_with("[::1]:"));
    } catch (const Error& e) {
        WARN("no IPv6 loopback here: " << e.what());
    }
}

TEST_CASE("ten thousand keep-alive POSTs from one libcurl client all get answers", "[http-server]") {
    std::atomic<int> handled{0};
    HttpServer server(options_with(), [&](const HttpServerRequest& r) {
        ++handled;
        return HttpServerResponse{.status = 202, .body = r.body};
    });
    auto client = make_http_client();
    auto req = request("POST", url(server, "/events"));
    req.headers = {{"Content-Type", "application/json"}};
    int ok = 0;
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 10'000; ++i) {
        req.body = R"({"service":"web","n":)" + std::to_string(i) + "}";
        auto r = client->send(req);
        if (r.status == 202 && r.body == req.body) ++ok;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(ok == 10'000);
    CHECK(handled == 10'000);
    WARN("10000 POSTs in " << seconds << "s: " << static_cast<int>(10'000 / seconds) << " requests/s (informational)");
}

namespace {

// Standard output of a shell command, "" when it could not run.
std::string output_of(const std::string& command) {
    std::string out;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char chunk[4096];
        for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, p)) > 0;) out.append(chunk, n);
        ::pclose(p);
    }
    return out;
}

}  // namespace

TEST_CASE("with a certificate and key the server speaks HTTPS, and only HTTPS", "[http-server]") {
    test::TempDir dir("backstop-tls");
    REQUIRE(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                         "-keyout " + dir.file("key.pem") + " -out " + dir.file("cert.pem") + " 2>/dev/null")
                            .c_str()) == 0);
    HttpServerOptions options = options_with();
    options.tls_cert_pem = dir.read("cert.pem");
    options.tls_key_pem = dir.read("key.pem");
    HttpServer server(options, echo);
    const std::string https = "https://127.0.0.1:" + std::to_string(server.port()) + "/secure?x=1";
    CHECK(output_of("curl --silent --show-error --max-time 10 --cacert " + dir.file("cert.pem") + " " + https + " 2>&1") ==
          "GET /secure?x=1|");
    // TLS 1.0 and 1.1 are refused, and so is plain HTTP.
    CHECK(output_of("curl --silent --max-time 10 --tls-max 1.1 --cacert " + dir.file("cert.pem") + " " + https).empty());
    CHECK_FALSE(make_http_client()->send(request("GET", url(server, "/plain"))).status == 200);

    options.tls_key_pem.clear();
    CHECK_THROWS_WITH(HttpServer(options, echo), Catch::Contains("TLS needs both a certificate and a key"));
    options.tls_key_pem = "not a key";
    CHECK_THROWS_AS(HttpServer(options, echo), Error);
}
