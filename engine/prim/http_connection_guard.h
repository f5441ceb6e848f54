// Deadlines and room for the HTTP server's connections: a request must arrive whole within its
// deadline, the connections that have waited longest for a request make way when the server is nearly
// full, and a non-loopback address holds only so many connections. It ends a connection with
// shutdown(2) on its socket; the server then reads the end of input and frees the connection itself.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/duration.h"

namespace backstop {

struct HttpConnectionCounts {
    std::size_t open = 0;                // connections now open and not being closed
    std::size_t closed_deadline = 0;     // closed because a request was not whole in time
    std::size_t closed_for_room = 0;     // closed to make room near the connection cap
    std::size_t refused_address = 0;     // refused because their address had too many open
};

class HttpConnectionGuard {
public:
    struct Limits {
        Duration request_timeout{10'000};
        std::size_t max_connections = 4096;  // room is made above 7/8 of it
        std::size_t per_address = 64;        // for non-loopback peers; 0: none
    };

    explicit HttpConnectionGuard(Limits limits);
    ~HttpConnectionGuard();  // stop()
    HttpConnectionGuard(const HttpConnectionGuard&) = delete;
    HttpConnectionGuard& operator=(const HttpConnectionGuard&) = delete;

    // Ends the thread that closes late connections. Idempotent; the other calls stay valid after it.
    void stop();

    // Whether a new connection from `address` (no port) may come in. Counts a refusal.
    bool admits(const std::string& address, bool loopback);

    // The server's connection events; `id` names a connection from opened() to closed().
    void opened(const void* id, int fd, const std::string& address, bool loopback);
    void answering(const void* id);  // its request is whole: no deadline while the answer goes out
    void answered(const void* id);   // its answer is done: the next request's deadline starts now
    void closed(const void* id);

    HttpConnectionCounts counts() const;

private:
    using Clock = std::chrono::steady_clock;
    struct Entry {
        int fd = -1;
        std::string address;  // empty for loopback: not counted per address
        bool waiting = false;
        bool closing = false;
        Clock::time_point since;
        std::list<const void*>::iterator in_line;
    };

    void run();
    void start_waiting(const void* id, Entry& e);
    void stop_waiting(Entry& e);
    void close(Entry& e);
    std::size_t room_limit() const;

    Limits limits_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::unordered_map<const void*, Entry> entries_;
    std::list<const void*> waiting_;  // connections waiting for a request, longest waiting first
    std::unordered_map<std::string, std::size_t> per_address_;
    HttpConnectionCounts counts_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace backstop
