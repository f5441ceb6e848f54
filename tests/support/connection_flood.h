// An attacker holding many TCP connections to a server on 127.0.0.1: some idle (connect, send
// nothing), some trickling (a request head that never ends, one byte per connection every 100 ms,
// the slowloris attack). A connection the server closes is opened again, so the pressure stays.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace backstop::test {

class ConnectionFlood {
public:
    // Starts at once; raises this process's open-files limit to fit. Throws when it cannot.
    ConnectionFlood(int port, std::size_t idle, std::size_t trickling);
    ~ConnectionFlood();  // closes every connection
    ConnectionFlood(const ConnectionFlood&) = delete;
    ConnectionFlood& operator=(const ConnectionFlood&) = delete;

    // Connections whose connect completed and that the server has not closed (yet).
    std::size_t established() const { return established_; }
    // Connections the server closed (each then opened again).
    std::size_t closed_by_server() const { return closed_by_server_; }
    // Bytes the trickling connections sent.
    std::size_t trickled_bytes() const { return trickled_; }

private:
    struct Conn {
        int fd = -1;
        bool trickling = false;
        bool connected = false;
        std::size_t sent = 0;  // bytes of the head sent so far
    };
    void open(Conn& c);
    void run();
    void tick(Conn& c, short revents, bool send_now);

    int port_;
    std::vector<Conn> conns_;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> established_{0};
    std::atomic<std::size_t> closed_by_server_{0};
    std::atomic<std::size_t> trickled_{0};
    std::thread thread_;
};

}  // namespace backstop::test
