#include "prim/tcp_probe.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace backstop {

std::string tcp_connect_error(const std::string& host, int port, Duration timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    // Numeric hosts only resolve instantly; names go through the resolver, which has its own timeout.
    if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
        return "cannot resolve " + host + ": " + ::gai_strerror(rc);
    std::string error = "no address for " + host;
    for (addrinfo* a = found; a; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            error = std::strerror(errno);
            continue;
        }
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
            if (ready == 0) {
                ::close(fd);
                error = "timed out after " + format_duration(timeout);
                continue;
            }
            int so_error = 0;
            socklen_t len = sizeof so_error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
            rc = so_error == 0 ? 0 : -1;
            errno = so_error;
        }
        if (rc == 0) {
            ::close(fd);
            ::freeaddrinfo(found);
            return {};
        }
        error = errno == ECONNREFUSED ? "connection refused" : std::strerror(errno);
        ::close(fd);
    }
    ::freeaddrinfo(found);
    return error;
}

}  // namespace backstop
