// Sending a signal to a running process named by pid or by a pid file (e.g. HUP for a reload).
#pragma once

#include <optional>
#include <string>

namespace backstop {

// "HUP", "SIGHUP", "hup" -> SIGHUP; nullopt for names we do not send.
std::optional<int> signal_number(const std::string& name);

// The pid in a pid file; throws Error when missing, unreadable or not a positive number.
long read_pid_file(const std::string& path);

// Throws Error (with errno text) when the signal cannot be delivered.
void send_signal(long pid, int signo);

}  // namespace backstop
