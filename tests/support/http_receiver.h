// A real HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests, on libmicrohttpd with a thread per
// connection: records every request and answers with canned responses per path, optionally late (a
// hanging receiver), not at all (the connection dropped) or in a sequence (500, then 200).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace backstop::test {

struct ReceivedRequest {
    std::string method;
    std::string path;   // without the query string
    std::string query;  // after '?'; empty when none
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;

    // Value of a header (any case), "" when absent.
    std::string header(std::string_view name) const;
};

struct CannedResponse {
    int status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
    std::chrono::milliseconds delay{0};  // wait this long before answering
    bool drop = false;                   // close the connection without answering
};

class HttpReceiver {
public:
    // Binds 127.0.0.1:0 and starts serving at once; throws std::runtime_error when it cannot.
    HttpReceiver();
    // Stops serving, interrupts pending delays, joins every thread.
    ~HttpReceiver();
    HttpReceiver(const HttpReceiver&) = delete;
    HttpReceiver& operator=(const HttpReceiver&) = delete;

    int port() const { return port_; }
    // "http://127.0.0.1:PORT" + path.
    std::string url(std::string_view path = "/") const;

    // Every request to `path` (query ignored) gets `response`.
    void respond(const std::string& path, CannedResponse response);
    // Requests to `path` get these in order; the last one repeats.
    void respond_sequence(const std::string& path, std::vector<CannedResponse> responses);
    // For paths nobody configured (initially: 200 with an empty body).
    void respond_default(CannedResponse response);

    std::vector<ReceivedRequest> requests() const;
    std::vector<ReceivedRequest> requests_to(std::string_view path) const;
    // True once at least `n` requests arrived (they are recorded before any delay).
    bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;
    void clear_requests();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
    int port_ = 0;
};

}  // namespace backstop::test
