// A real HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests: records every request and answers
// with canned responses per path, optionally late (a hanging receiver) or in a sequence (500, then 200).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
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

private:
    struct Connection {
        std::thread thread;
        std::shared_ptr<bool> done;  // guarded by mutex_
    };

    void accept_loop();
    void serve(int fd);
    CannedResponse pick_response(const std::string& path);
    bool wait_readable(int fd, std::chrono::milliseconds timeout) const;  // false on stop/timeout

    int listen_fd_ = -1;
    int wake_read_ = -1;  // readable once stopping: every poll includes it
    int wake_write_ = -1;
    int port_ = 0;

    mutable std::mutex mutex_;
    mutable std::condition_variable arrived_;
    std::vector<ReceivedRequest> requests_;
    std::map<std::string, std::vector<CannedResponse>> responses_;
    std::map<std::string, std::size_t> served_;  // how far into each sequence we are
    CannedResponse default_response_;
    std::vector<Connection> connections_;
    std::thread acceptor_;
};

}  // namespace backstop::test
