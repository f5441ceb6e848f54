#include "lua/runbook_channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"

namespace backstop::lua {

namespace {

void write_all(int fd, const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error(std::string("runbook channel: ") + (n < 0 ? std::strerror(errno) : "closed"));
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

// Waits until fd is readable; false when the deadline passed first.
bool wait_readable(int fd, std::optional<std::chrono::steady_clock::time_point> deadline) {
    if (!deadline) return true;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
        if (left.count() < 0) return false;
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count() + 1, 60'000)));
        if (r > 0) return true;
        if (r < 0 && errno != EINTR) throw Error(std::string("runbook channel: ") + std::strerror(errno));
    }
}

// Fills `size` bytes; returns how many arrived before the end of the stream.
std::size_t read_full(int fd, std::uint8_t* data, std::size_t size,
                      std::optional<std::chrono::steady_clock::time_point> deadline) {
    std::size_t got = 0;
    while (got < size) {
        if (!wait_readable(fd, deadline)) throw Error("runbook channel: timed out in the middle of a message");
        ssize_t n = ::read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(std::string("runbook channel: ") + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    return got;
}

}  // namespace

void write_message(int fd, const nlohmann::json& message) {
    std::vector<std::uint8_t> body = nlohmann::json::to_msgpack(message);
    if (body.size() > kMaxMessageBytes)
        throw Error("runbook channel: a message of " + std::to_string(body.size()) + " bytes is over the limit of " +
                    std::to_string(kMaxMessageBytes));
    std::uint8_t header[4] = {static_cast<std::uint8_t>(body.size() >> 24), static_cast<std::uint8_t>(body.size() >> 16),
                              static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size())};
    write_all(fd, header, sizeof header);
    write_all(fd, body.data(), body.size());
}

std::optional<nlohmann::json> read_message(int fd, std::optional<std::chrono::steady_clock::time_point> deadline) {
    std::uint8_t header[4];
    std::size_t got = read_full(fd, header, sizeof header, deadline);
    if (got == 0) return std::nullopt;
    if (got < sizeof header) throw Error("runbook channel: closed in the middle of a message");
    std::size_t size = (std::size_t{header[0]} << 24) | (std::size_t{header[1]} << 16) | (std::size_t{header[2]} << 8) |
                       std::size_t{header[3]};
    if (size > kMaxMessageBytes)
        throw Error("runbook channel: a message of " + std::to_string(size) + " bytes is over the limit of " +
                    std::to_string(kMaxMessageBytes));
    std::vector<std::uint8_t> body(size);
    if (read_full(fd, body.data(), size, deadline) < size) throw Error("runbook channel: closed in the middle of a message");
    nlohmann::json message = nlohmann::json::from_msgpack(body, true, false);
    if (message.is_discarded()) throw Error("runbook channel: a malformed message");
    return message;
}

}  // namespace backstop::lua
