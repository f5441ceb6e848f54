#include "serve/signal_pipe.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "core/error.h"

namespace backstop {

namespace {

volatile sig_atomic_t g_write_fd = -1;

extern "C" void on_signal(int signo) {
    int saved = errno;
    unsigned char byte = static_cast<unsigned char>(signo);
    if (g_write_fd >= 0) {
        ssize_t n = ::write(g_write_fd, &byte, 1);  // a full pipe already holds a wake-up
        (void)n;
    }
    errno = saved;
}

}  // namespace

SignalPipe::SignalPipe(std::initializer_list<int> signals) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Error(std::string("cannot create the signal pipe: ") + std::strerror(errno));
    read_fd_ = fds[0];
    g_write_fd = fds[1];
    for (int signo : signals) {
        struct sigaction action{};
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        struct sigaction old{};
        ::sigaction(signo, &action, &old);
        previous_[signo] = old;
    }
}

SignalPipe::~SignalPipe() {
    for (auto& [signo, old] : previous_) ::sigaction(signo, &old, nullptr);
    int write_fd = g_write_fd;
    g_write_fd = -1;
    ::close(write_fd);
    ::close(read_fd_);
}

int SignalPipe::wait(Duration timeout) {
    pollfd p{read_fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r <= 0) return 0;
    unsigned char byte = 0;
    return ::read(read_fd_, &byte, 1) == 1 ? byte : 0;
}

}  // namespace backstop
