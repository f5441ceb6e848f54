// The plain http:// client against real loopback servers, beyond what http_client_test.cpp asks of
// both clients: keep-alive reuse and its failure modes, and wire-level answers from a raw socket
// server (chunked, HTTP/1.0, 100 Continue, malformed, oversized).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "prim/http_server.h"
#include "prim/plain_http_client.h"
#include "support/http_receiver.h"

using namespace backstop;
using backstop::test::HttpReceiver;
using namespace std::chrono_literals;

namespace {

HttpRequest request(std::string method, std::string url, std::string body = {}) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.body = std::move(body);
    r.timeout = 5s;
    return r;
}

struct RawRequest {
    std::string head;  // request line and headers
    std::string body;
    int connection = 0;  // which accepted connection (0, 1, ...) it came on

    bool has_line(const std::string& line) const { return head.find("\r\n" + line + "\r\n") != std::string::npos; }
};

class RawServer;

// One accepted connection, blocking with 5 s socket timeouts so a confused test cannot hang.
class RawConnection {
public:
    RawConnection(RawServer& server, int fd, int index);
    ~RawConnection() { close(); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // The next request (recorded by the server), or nullopt when the client closed.
    std::optional<RawRequest> read_request();
    void write(const std::string& data);
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    RawServer& server_;
    int fd_;
    int index_;
    std::string in_;
};

// A TCP server on 127.0.0.1 for answers HttpServer never sends: one thread runs `script` on each
// accepted connection in turn.
class RawServer {
public:
    using Script = std::function<void(RawConnection&, int index)>;

    explicit RawServer(Script script) : script_(std::move(script)) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(listen_fd_, 16) == 0);
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~RawServer() {
        ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the blocked accept()
        thread_.join();
        ::close(listen_fd_);
    }
    RawServer(const RawServer&) = delete;
    RawServer& operator=(const RawServer&) = delete;

    std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

    std::vector<RawRequest> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    int accepted() const {
        std::lock_guard lock(mutex_);
        return accepted_;
    }
    // True once `n` connections were handled to the end of their script.
    bool wait_finished(int n) const {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, 5s, [&] { return finished_ >= n; });
    }
    void record(RawRequest r) {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(r));
    }

private:
    void run() {
        for (int index = 0;;) {
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0 && errno == EINTR) continue;
            if (fd < 0) return;
            {
                std::lock_guard lock(mutex_);
                ++accepted_;
            }
            {
                RawConnection c(*this, fd, index);
                script_(c, index++);
            }
            std::lock_guard lock(mutex_);
            ++finished_;
            changed_.notify_all();
        }
    }

    Script script_;
    int listen_fd_ = -1;
    int port_ = 0;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<RawRequest> requests_;
    int accepted_ = 0;
    int finished_ = 0;
    std::thread thread_;
};

RawConnection::RawConnection(RawServer& server, int fd, int index) : server_(server), fd_(fd), index_(index) {
    timeval five{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &five, sizeof five);
}

std::optional<RawRequest> RawConnection::read_request() {
    auto read_more = [&] {
        char buf[64 * 1024];
        ssize_t n;
        do n = ::recv(fd_, buf, sizeof buf, 0);
        while (n < 0 && errno == EINTR);
        if (n > 0) in_.append(buf, static_cast<std::size_t>(n));
        return n > 0;
    };
    std::size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
        if (!read_more()) return std::nullopt;
    RawRequest r;
    r.connection = index_;
    r.head = in_.substr(0, end + 2);
    in_.erase(0, end + 4);
    std::string lowered = r.head;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
    std::size_t length = 0;
    if (auto at = lowered.find("\r\ncontent-length: "); at != std::string::npos)
        length = std::stoul(lowered.substr(at + 18));
    while (in_.size() < length)
        if (!read_more()) return std::nullopt;
    r.body = in_.substr(0, length);
    in_.erase(0, length);
    server_.record(r);
    return r;
}

void RawConnection::write(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the client gave up: fine for tests that expect that
        sent += static_cast<std::size_t>(n);
    }
}

const std::string kKeepAliveOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// Answers every request on a connection with `response` until the client closes.
RawServer::Script answer_all(std::string response) {
    return [response](RawConnection& c, int) {
        while (c.read_request()) c.write(response);
    };
}

}  // namespace

TEST_CASE("plain HTTP bad URLs come back as errors", "[http][plain]") {
    auto client = make_plain_http_client();
    CHECK(client->send(request("GET", "http://127.0.0.1:99999/x")).error == "malformed URL `http://127.0.0.1:99999/x`");
    CHECK(client->send(request("GET", "not a url")).error == "malformed URL `not a url`");
    auto https = client->send(request("GET", "https://127.0.0.1/x"));
    CHECK_FALSE(https.transport_ok());
    CHECK(https.error.find("cannot send `https://127.0.0.1/x`") != std::string::npos);
}

TEST_CASE("plain HTTP sequential requests reuse one keep-alive connection", "[http][plain]") {
    HttpServer server(HttpServerOptions{}, [](const HttpServerRequest& r) {
        HttpServerResponse out;
        out.body = r.method + " " + r.body;
        out.headers["X-Peer"] = r.peer;
        if (r.path == "/no-content") out.status = 204;
        if (r.path == "/bye") out.headers["Connection"] = "close";
        return out;
    });
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    auto client = make_plain_http_client();
    std::vector<std::string> peers;
    auto send = [&](const HttpRequest& req) {
        auto r = client->send(req);
        CHECK(r.transport_ok());
        peers.push_back(r.headers["x-peer"]);
        return r;
    };
    for (int i = 0; i < 20; ++i) CHECK(send(request("GET", base + "/health")).body == "GET ");
    CHECK(send(request("HEAD", base + "/health")).body.empty());
    CHECK(send(request("GET", base + "/no-content")).status == 204);
    CHECK(send(request("POST", base + "/echo", "data")).body == "POST data");
    CHECK(send(request("GET", base + "/bye")).status == 200);  // answered with Connection: close
    CHECK(send(request("GET", base + "/health")).status == 200);

    REQUIRE(peers.size() == 25);
    CHECK(std::count(peers.begin(), peers.end(), peers.front()) == 24);
    CHECK(peers.back() != peers.front());
}

TEST_CASE("plain HTTP chunked body with extensions and trailers, connection kept", "[http][plain]") {
    RawServer server(answer_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n"
                                "5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Checksum: abc\r\n\r\n"));
    auto client = make_plain_http_client();
    for (int i = 0; i < 2; ++i) {
        auto r = client->send(request("GET", server.url()));
        CHECK(r.transport_ok());
        CHECK(r.body == "hello, world");
        CHECK(r.headers["x-kind"] == "chunked");
        CHECK(r.headers["x-checksum"] == "abc");
    }
    CHECK(server.accepted() == 1);
}

TEST_CASE("plain HTTP HTTP/1.0 bodies end at close unless keep-alive has a length", "[http][plain]") {
    RawServer server([](RawConnection& c, int) {
        while (auto req = c.read_request()) {
            if (req->head.starts_with("GET /keep ")) {
                c.write("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\nkept");
            } else {
                c.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
                return;
            }
        }
    });
    auto client = make_plain_http_client();
    CHECK(client->send(request("GET", server.url("/keep"))).body == "kept");
    CHECK(client->send(request("GET", server.url("/keep"))).body == "kept");
    auto closed = client->send(request("GET", server.url("/close")));
    CHECK(closed.transport_ok());
    CHECK(closed.body == "until the end");
    CHECK(client->send(request("GET", server.url("/keep"))).body == "kept");

    auto seen = server.requests();
    REQUIRE(seen.size() == 4);
    CHECK(seen[2].connection == 0);
    CHECK(seen[3].connection == 1);
}

TEST_CASE("plain HTTP 100 Continue is skipped, the final response counts", "[http][plain]") {
    RawServer server(answer_all("HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
                                "HTTP/1.1 201 Created\r\nContent-Length: 7\r\n\r\ncreated"));
    auto r = make_plain_http_client()->send(request("POST", server.url("/things"), "thing"));
    CHECK(r.transport_ok());
    CHECK(r.status == 201);
    CHECK(r.body == "created");
    CHECK(r.headers.count("x-interim") == 0);
}

TEST_CASE("plain HTTP idle connection the server closed is not used", "[http][plain]") {
    RawServer server([](RawConnection& c, int index) {
        if (auto req = c.read_request()) c.write(index == 0 ? kKeepAliveOk : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
    });
    auto client = make_plain_http_client();
    CHECK(client->send(request("GET", server.url("/a"))).body == "ok");
    REQUIRE(server.wait_finished(1));  // the server closed the kept connection
    auto post = client->send(request("POST", server.url("/b"), "once"));
    CHECK(post.transport_ok());
    CHECK(post.body == "fresh");

    auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].body == "once");
    CHECK(seen[1].connection == 1);
}

TEST_CASE("plain HTTP GET is retried once when a reused connection closes unanswered", "[http][plain]") {
    RawServer server([](RawConnection& c, int index) {
        if (!c.read_request()) return;
        if (index > 0) {
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
            return;
        }
        c.write(kKeepAliveOk);
        c.read_request();  // the next request on the kept connection is never answered
    });
    auto client = make_plain_http_client();
    CHECK(client->send(request("GET", server.url("/a"))).body == "ok");
    auto again = client->send(request("GET", server.url("/b")));
    CHECK(again.transport_ok());
    CHECK(again.body == "fresh");

    auto seen = server.requests();
    REQUIRE(seen.size() == 3);
    CHECK(seen[1].connection == 0);
    CHECK(seen[2].connection == 1);
    CHECK(seen[2].head.starts_with("GET /b "));
}

TEST_CASE("plain HTTP POST is not retried when a reused connection closes unanswered", "[http][plain]") {
    RawServer server([](RawConnection& c, int index) {
        if (!c.read_request()) return;
        c.write(kKeepAliveOk);
        if (index == 0) c.read_request();  // the POST on the kept connection is never answered
    });
    auto client = make_plain_http_client();
    CHECK(client->send(request("GET", server.url("/a"))).status == 200);
    auto post = client->send(request("POST", server.url("/b"), "once"));
    CHECK(post.status == 0);
    CHECK(post.error == "empty reply from server");

    auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].body == "once");
}

TEST_CASE("plain HTTP malformed responses are short errors", "[http][plain]") {
    RawServer server([](RawConnection& c, int) {
        auto req = c.read_request();
        if (!req) return;
        if (req->head.starts_with("GET /ssh ")) c.write("SSH-2.0-OpenSSH_9.6\r\n");
        if (req->head.starts_with("GET /length ")) c.write("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n0123456789");
        if (req->head.starts_with("GET /chunk ")) c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    });
    auto client = make_plain_http_client();
    auto ssh = client->send(request("GET", server.url("/ssh")));
    CHECK(ssh.status == 0);
    CHECK(ssh.error == "malformed response from server: bad status line");
    CHECK(client->send(request("GET", server.url("/length"))).error == "malformed response from server: bad Content-Length");
    CHECK(client->send(request("GET", server.url("/chunk"))).error == "malformed response from server: bad chunk size");
}

TEST_CASE("plain HTTP response bodies over 16 MiB are refused", "[http][plain]") {
    const std::string big(17 << 20, 'x');
    RawServer server([&](RawConnection& c, int) {
        auto req = c.read_request();
        if (!req) return;
        if (req->head.starts_with("GET /length "))
            c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" + big);
        if (req->head.starts_with("GET /close ")) c.write("HTTP/1.0 200 OK\r\n\r\n" + big);
        if (req->head.starts_with("GET /chunked ")) {
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 17; ++i) c.write("100000\r\n" + big.substr(0, 1 << 20) + "\r\n");
            c.write("0\r\n\r\n");
        }
    });
    auto client = make_plain_http_client();
    for (std::string path : {"/length", "/close", "/chunked"}) {
        auto r = client->send(request("GET", server.url(path)));
        CHECK(r.error == "response body larger than 16 MiB");
        CHECK(r.status == 200);
        CHECK(r.body.empty());
    }
}

TEST_CASE("plain HTTP reaches [::1] and localhost", "[http][plain]") {
    std::optional<HttpServer> v6;
    try {
        HttpServerOptions options;
        options.host = "::1";
        v6.emplace(options, [](const HttpServerRequest& r) {
            HttpServerResponse out;
            out.body = r.header("host");
            return out;
        });
    } catch (const std::exception& e) {
        WARN("no IPv6 loopback here, only localhost on 127.0.0.1 is checked: " << e.what());
    }
    auto client = make_plain_http_client();
    if (v6) {
        const std::string port = std::to_string(v6->port());
        auto r = client->send(request("GET", "http://[::1]:" + port + "/"));
        CHECK(r.transport_ok());
        CHECK(r.body == "[::1]:" + port);
        // 127.0.0.1 refuses this port, so localhost falls back to ::1.
        CHECK(client->send(request("GET", "http://localhost:" + port + "/")).body == "localhost:" + port);
    }
    HttpReceiver receiver;
    auto r = client->send(request("GET", "http://LocalHost:" + std::to_string(receiver.port()) + "/up"));
    CHECK(r.status == 200);
    CHECK(receiver.requests_to("/up").size() == 1);
}

TEST_CASE("plain HTTP can_send takes numeric hosts and localhost only", "[http][plain]") {
    for (const char* url : {"http://127.0.0.1:8080/health", "HTTP://127.0.0.1", "http://10.1.2.3:80/x?y=1",
                            "http://[::1]:9000/", "http://[2001:db8::7]/", "http://localhost:3000/ready",
                            "http://LOCALHOST/", "http://127.0.0.1:8080?q", "http://127.0.0.1/a#frag"})
        CHECK(plain_http_can_send(url));
    for (const char* url : {"https://127.0.0.1/", "http://example.com/", "http://user:pass@127.0.0.1/",
                            "http://127.0.0.1:0/", "http://127.0.0.1:65536/", "http://127.0.0.1:/",
                            "http://127.0.0.1:8o/", "http://127.1/", "http://[::1/", "http://[fe80::1%25eth0]/",
                            "http://::1/", "http:///path", "127.0.0.1:80", "http://127.0.0.1/a b",
                            "http://127.0.0.1/a/../b", "ftp://127.0.0.1/", "http://localhost.localdomain/", ""})
        CHECK_FALSE(plain_http_can_send(url));
}
