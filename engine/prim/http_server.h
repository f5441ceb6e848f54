// The HTTP/1.1 server of `serve` and the tests' loopback fixtures, on libmicrohttpd: one epoll thread
// runs every connection and calls the handler inline, so handlers must be quick. Limits that hold under
// a flood of idle or trickling connections: a whole-request deadline, a global connection cap with
// the longest-waiting connections evicted first near it, and a per-address cap for non-loopback peers.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/duration.h"

struct MHD_Connection;

namespace backstop {

struct HttpServerRequest {
    std::string method;   // as sent, e.g. "GET", "POST"
    std::string path;     // request target before '?', not percent-decoded; absolute-form targets lose scheme and authority
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

// Told on the server thread about each request the server answered itself without calling the
// handler (400 for a missing or repeated Host or a bad target, 413 for a body over the limit), so the
// owner can count them. `request` has what was read: method, path, query, version, headers, peer.
using HttpRefusalObserver = std::function<void(const HttpServerRequest& request, int status)>;

struct HttpServerOptions {
    std::string host = "127.0.0.1";  // a numeric address or a name that resolves, e.g. "::1", "0.0.0.0"
    int port = 0;                    // 0: an ephemeral port, see HttpServer::port()
    std::size_t max_header_bytes = 16 * 1024;    // request line + headers; more -> 431 (from libmicrohttpd)
    std::size_t max_body_bytes = 1024 * 1024;    // a body above this -> 413, refused before it is read when announced
    // Each request, headers and body, must arrive whole within this, counted from the connection's
    // start or from the previous answer; otherwise the connection is closed. Trickling bytes does not
    // extend it. An answer the client does not read is dropped after the same time without progress.
    Duration read_timeout{10'000};
    // Open connections at most. Above 7/8 of it the connections that have waited longest for their
    // request are closed first, so a new request always finds room; fewer when the process's file
    // descriptor limit is lower (see raise_fd_limit()).
    std::size_t max_connections = 4096;
    // Open connections per peer address, except loopback (every local client shares 127.0.0.1, the
    // health checker with any local flood); a peer over it is closed at once. 0: no limit.
    std::size_t max_connections_per_address = 64;
    // TLS when both are set (PEM text, not paths).
    std::string tls_cert_pem;
    std::string tls_key_pem;
    HttpRefusalObserver on_refused;
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
    // The connection cap in effect (options.max_connections, lowered to fit the descriptor limit).
    std::size_t max_connections() const { return options_.max_connections; }

    // Closes every connection (answers in progress are dropped) and ends the server thread.
    // Idempotent. From inside a handler it only refuses further requests; the destructor ends it.
    void stop();

    struct Impl;

private:
    HttpServerOptions options_;
    int port_ = 0;
    std::unique_ptr<Impl> impl_;
};

// Raises this process's soft limit on open files towards `wanted` (never above the hard limit, never
// lowers it); returns the soft limit now in effect.
std::size_t raise_fd_limit(std::size_t wanted);

// The request headers of a libmicrohttpd connection as HttpServerRequest::headers holds them: names
// lower-cased, repeated headers joined by ", ". For the tests' own libmicrohttpd receivers too.
std::map<std::string, std::string> request_headers(MHD_Connection* connection);

}  // namespace backstop
