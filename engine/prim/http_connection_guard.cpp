#include "prim/http_connection_guard.h"

#include <sys/socket.h>

#include <algorithm>

namespace backstop {

HttpConnectionGuard::HttpConnectionGuard(Limits limits) : limits_(limits) {
    if (limits_.max_connections == 0) limits_.max_connections = 1;
    thread_ = std::thread([this] { run(); });
}

HttpConnectionGuard::~HttpConnectionGuard() { stop(); }

void HttpConnectionGuard::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::size_t HttpConnectionGuard::room_limit() const {
    const std::size_t cap = limits_.max_connections;
    return cap - std::max<std::size_t>(1, cap / 8);
}

bool HttpConnectionGuard::admits(const std::string& address, bool loopback) {
    if (loopback || limits_.per_address == 0) return true;
    std::lock_guard lock(mutex_);
    auto it = per_address_.find(address);
    if (it == per_address_.end() || it->second < limits_.per_address) return true;
    ++counts_.refused_address;
    return false;
}

void HttpConnectionGuard::opened(const void* id, int fd, const std::string& address, bool loopback) {
    bool crowded;
    {
        std::lock_guard lock(mutex_);
        auto [it, inserted] = entries_.try_emplace(id);
        if (!inserted) return;
        Entry& e = it->second;
        e.fd = fd;
        if (!loopback && limits_.per_address > 0) {
            e.address = address;
            ++per_address_[address];
        }
        ++counts_.open;
        start_waiting(id, e);
        crowded = counts_.open > room_limit();
    }
    if (crowded) wake_.notify_all();
}

void HttpConnectionGuard::answering(const void* id) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(id); it != entries_.end()) stop_waiting(it->second);
}

void HttpConnectionGuard::answered(const void* id) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(id); it != entries_.end() && !it->second.closing) {
        stop_waiting(it->second);
        start_waiting(id, it->second);
    }
}

void HttpConnectionGuard::closed(const void* id) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    Entry& e = it->second;
    stop_waiting(e);
    if (!e.closing) --counts_.open;
    if (!e.address.empty()) {
        auto count = per_address_.find(e.address);
        if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
    }
    entries_.erase(it);
}

HttpConnectionCounts HttpConnectionGuard::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

void HttpConnectionGuard::start_waiting(const void* id, Entry& e) {
    // The thread sleeps until the first deadline in line; a new first one must wake it.
    const bool first = waiting_.empty();
    e.waiting = true;
    e.since = Clock::now();
    e.in_line = waiting_.insert(waiting_.end(), id);
    if (first) wake_.notify_all();
}

void HttpConnectionGuard::stop_waiting(Entry& e) {
    if (!e.waiting) return;
    waiting_.erase(e.in_line);
    e.waiting = false;
}

// The socket stays open until the server frees the connection (closed() comes first), so `fd` is
// still this connection's: never another one's that reused the number.
void HttpConnectionGuard::close(Entry& e) {
    stop_waiting(e);
    e.closing = true;
    --counts_.open;
    ::shutdown(e.fd, SHUT_RDWR);
}

void HttpConnectionGuard::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto now = Clock::now();
        while (!waiting_.empty()) {
            Entry& e = entries_.at(waiting_.front());
            if (e.since + limits_.request_timeout > now) break;
            close(e);
            ++counts_.closed_deadline;
        }
        while (counts_.open > room_limit() && !waiting_.empty()) {
            close(entries_.at(waiting_.front()));
            ++counts_.closed_for_room;
        }
        if (waiting_.empty()) wake_.wait(lock);
        else wake_.wait_until(lock, entries_.at(waiting_.front()).since + limits_.request_timeout);
    }
}

}  // namespace backstop
