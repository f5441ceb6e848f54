// Load generator for `backstop serve`'s event intake (not a test): keeps CONNECTIONS keep-alive
// connections to 127.0.0.1:PORT busy with POST /v1/events, one request in flight on each, for
// SECONDS, and prints one `name value` line per figure: events accepted (2xx) per second, and the
// counts of accepted, other answers and reconnects.
//
// usage: event_load PORT TOKEN CONNECTIONS SECONDS SERVICE SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Conn {
    int fd = -1;
    std::string in;
    std::size_t sent = 0;  // bytes of the request written
};

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// Length of the first whole response in `in` (0 while incomplete); its status and whether the
// server closes after it.
std::size_t whole_response(std::string_view in, int& status, bool& closes) {
    std::size_t head_end = in.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return 0;
    std::string_view head = in.substr(0, head_end);
    status = in.size() > 12 ? std::atoi(std::string(in.substr(9, 3)).c_str()) : 0;
    std::size_t length = 0;
    std::size_t at = head.find("Content-Length: ");
    if (at != std::string_view::npos) length = std::strtoul(std::string(head.substr(at + 16, 12)).c_str(), nullptr, 10);
    closes = head.find("Connection: close") != std::string_view::npos;
    if (in.size() < head_end + 4 + length) return 0;
    return head_end + 4 + length;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s PORT TOKEN CONNECTIONS SECONDS SERVICE SOURCE\n", argv[0]);
        return 64;
    }
    const int port = std::atoi(argv[1]);
    const std::string token = argv[2];
    const int connections = std::atoi(argv[3]);
    const double seconds = std::atof(argv[4]);
    const std::string body = std::string("{\"service\": \"") + argv[5] + "\", \"source\": \"" + argv[6] +
                             "\", \"name\": \"deploy_finished\", \"status\": \"resolved\", \"labels\": {\"job\": \"web\"}}";
    const std::string request = "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                                "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                "\r\n\r\n" + body;

    std::vector<Conn> conns(static_cast<std::size_t>(connections));
    for (auto& c : conns) {
        c.fd = connect_to(port);
        if (c.fd < 0) {
            std::fprintf(stderr, "cannot connect to 127.0.0.1:%d: %s\n", port, std::strerror(errno));
            return 1;
        }
    }
    long accepted = 0, other = 0, reconnects = 0;
    std::vector<pollfd> fds(conns.size());
    char chunk[16 * 1024];
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < end) {
        for (std::size_t i = 0; i < conns.size(); ++i)
            fds[i] = {conns[i].fd, static_cast<short>(conns[i].sent < request.size() ? POLLOUT : POLLIN), 0};
        if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) return 1;
        for (std::size_t i = 0; i < conns.size(); ++i) {
            Conn& c = conns[i];
            if (!fds[i].revents) continue;
            if (c.sent < request.size()) {
                ssize_t n = ::send(c.fd, request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n > 0) c.sent += static_cast<std::size_t>(n);
                continue;
            }
            ssize_t n = ::recv(c.fd, chunk, sizeof chunk, MSG_DONTWAIT);
            bool reconnect = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
            if (n > 0) {
                c.in.append(chunk, static_cast<std::size_t>(n));
                int status = 0;
                bool closes = false;
                if (std::size_t used = whole_response(c.in, status, closes)) {
                    (status >= 200 && status < 300 ? accepted : other) += 1;
                    c.in.erase(0, used);
                    c.sent = 0;
                    reconnect = closes;
                }
            }
            if (reconnect) {
                ::close(c.fd);
                c = Conn{};
                c.fd = connect_to(port);
                ++reconnects;
                if (c.fd < 0) return 1;
            }
        }
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("events_per_s %.0f\naccepted %ld\nother_answers %ld\nreconnects %ld\n", accepted / elapsed, accepted, other,
                reconnects);
    return 0;
}
