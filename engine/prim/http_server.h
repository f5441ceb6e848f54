// A small HTTP/1.1 server meant for loopback: one poll-loop thread runs every connection and calls the
// handler inline, so handlers must be quick. Keep-alive, pipelining, size limits and per-connection
// read timeouts; no TLS, no chunked uploads (411), no new library.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/duration.h"

namespace backstop {

struct HttpServerRequest {
    std::string method;   // as sent, e.g. "GET", "POST"
    std::string path;     // request target before '?', not percent-decoded
    std::string query;    // after '?', not decoded; empty when none
    std::string version;  // "HTTP/1.1" or "HTTP/1.0"
    std::map<std::string, std::string> headers;  // names lower-cased; repeated headers joined by ", "
    std::string body;
    std::string peer;  // "127.0.0.1:54321", "[::1]:54321"

    // Value of a header (any case), "" when absent.
    std::string header(std::string_view name) const;
};

struct HttpServerResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";  // no Content-Type header when empty
    // Extra headers. The server writes Content-Length and Connection itself and ignores them here,
    // except that `Connection: close` closes the connection after this response.
    std::map<std::string, std::string> headers;
    std::string body;
};

// Called on the server thread for every complete request. An exception becomes a 500.
using HttpHandler = std::function<HttpServerResponse(const HttpServerRequest&)>;

struct HttpServerOptions {
    std::string host = "127.0.0.1";  // a numeric address or a name that resolves, e.g. "::1", "0.0.0.0"
    int port = 0;                    // 0: an ephemeral port, see HttpServer::port()
    std::size_t max_header_bytes = 16 * 1024;    // request line + headers; more -> 431
    std::size_t max_body_bytes = 1024 * 1024;    // Content-Length above this -> 413
    Duration read_timeout{10'000};               // each request must arrive whole within this -> 408
    std::size_t max_connections = 64;            // further connections get 503 and are closed
};

class HttpServer {
public:
    // Binds, listens and starts serving at once; throws Error when it cannot listen.
    HttpServer(HttpServerOptions options, HttpHandler handler);
    // stop()
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The port actually bound (the ephemeral one when options.port was 0).
    int port() const { return port_; }
    const std::string& host() const { return options_.host; }

    // Closes every connection (answers in progress are dropped), then joins the server thread.
    // Idempotent. From inside a handler it only asks the loop to end; the destructor joins.
    void stop();

private:
    void run();

    HttpServerOptions options_;
    HttpHandler handler_;
    int listen_fd_ = -1;
    int wake_read_ = -1;  // readable once stop() was called
    int wake_write_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::mutex stop_mutex_;  // two threads calling stop() must not both join
    std::thread thread_;
};

}  // namespace backstop
