#include "support/connection_flood.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include "prim/http_server.h"

namespace backstop::test {

namespace {

// A head that never ends: the request line, then header bytes for ever.
char head_byte(std::size_t i) {
    constexpr std::string_view start = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    return i < start.size() ? start[i] : 'a';
}

}  // namespace

ConnectionFlood::ConnectionFlood(int port, std::size_t idle, std::size_t trickling) : port_(port), conns_(idle + trickling) {
    const std::size_t wanted = conns_.size() + 1024;
    if (raise_fd_limit(wanted) < wanted) throw std::runtime_error("ConnectionFlood: the open-files limit is below " + std::to_string(wanted));
    for (std::size_t i = 0; i < conns_.size(); ++i) {
        conns_[i].trickling = i >= idle;
        open(conns_[i]);
    }
    thread_ = std::thread([this] { run(); });
}

ConnectionFlood::~ConnectionFlood() {
    stop_ = true;
    thread_.join();
    for (Conn& c : conns_)
        if (c.fd >= 0) ::close(c.fd);
}

void ConnectionFlood::open(Conn& c) {
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) throw std::runtime_error("ConnectionFlood: socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    c.connected = false;
    c.sent = 0;
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        c.connected = true;
        ++established_;
    }
}

// One look at a connection: notice the connect completing or the server closing, send a byte.
void ConnectionFlood::tick(Conn& c, short revents, bool send_now) {
    if (!c.connected && (revents & POLLOUT)) {
        int error = 0;
        socklen_t len = sizeof error;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
        if (error == 0) {
            c.connected = true;
            ++established_;
        }
    }
    bool gone = (revents & (POLLERR | POLLHUP)) != 0;
    if (!gone && (revents & POLLIN)) {
        char buffer[4096];
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        gone = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
    }
    if (!gone && c.connected && c.trickling && send_now) {
        const char byte = head_byte(c.sent);
        const ssize_t n = ::send(c.fd, &byte, 1, MSG_NOSIGNAL);
        if (n == 1) {
            ++c.sent;
            ++trickled_;
        }
        gone = n < 0 && errno != EAGAIN && errno != EINTR;
    }
    if (!gone) return;
    if (c.connected) {
        --established_;
        ++closed_by_server_;
    }
    ::close(c.fd);
    open(c);
}

void ConnectionFlood::run() {
    std::vector<pollfd> fds(conns_.size());
    auto next_trickle = std::chrono::steady_clock::now();
    while (!stop_) {
        for (std::size_t i = 0; i < conns_.size(); ++i)
            fds[i] = {conns_[i].fd, static_cast<short>(conns_[i].connected ? POLLIN : POLLOUT), 0};
        ::poll(fds.data(), fds.size(), 100);
        const bool trickle_now = std::chrono::steady_clock::now() >= next_trickle;
        if (trickle_now) next_trickle = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
        for (std::size_t i = 0; i < conns_.size(); ++i) {
            Conn& c = conns_[i];
            if (fds[i].revents || (trickle_now && c.trickling)) tick(c, fds[i].revents, trickle_now);
        }
    }
}

}  // namespace backstop::test
