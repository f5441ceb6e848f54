// The messages between backstop and its runbook process: MessagePack (strings stay byte-exact,
// which JSON text would not keep for binary output) behind a 4-byte length, over a stream socket.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

#include <nlohmann/json.hpp>

namespace backstop::lua {

// Larger messages are refused: a runbook cannot make backstop hold more than this for it.
inline constexpr std::size_t kMaxMessageBytes = 8u << 20;

// Writes one message whole. Throws Error when the peer is gone or the message is too large.
void write_message(int fd, const nlohmann::json& message);

// Reads one message; nullopt at a clean end of stream (the peer closed between messages).
// Without a deadline it blocks; with one it throws Error when the deadline passes mid-way.
// Throws Error on a truncated, oversized or malformed message.
std::optional<nlohmann::json> read_message(
    int fd, std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

}  // namespace backstop::lua
