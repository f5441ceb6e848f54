#include "serve/systemd_notifier.h"

#include <time.h>

#include <algorithm>
#include <cstdint>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

namespace backstop {

namespace {

// A newline would start another assignment of the protocol.
std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n') c = ' ';
    return text;
}

std::uint64_t monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
}

void notify(const std::string& message) {
    // Without $NOTIFY_SOCKET sd_notify returns 0; a failure to reach the manager is worth a line,
    // never a stop: the service keeps working, only the unit's state lags.
    if (int r = ::sd_notify(0, message.c_str()); r < 0) spdlog::warn("cannot notify the service manager: error {}", -r);
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        keep_alive_interval_ = std::chrono::milliseconds(std::max<std::uint64_t>(usec / 2'000u, 1));
}

void SystemdNotifier::ready(const std::string& status) const { notify("READY=1\nSTATUS=" + one_line(status)); }

void SystemdNotifier::reloading(const std::string& status) const {
    notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()) + "\nSTATUS=" + one_line(status));
}

void SystemdNotifier::stopping(const std::string& status) const { notify("STOPPING=1\nSTATUS=" + one_line(status)); }

void SystemdNotifier::status(const std::string& status) const { notify("STATUS=" + one_line(status)); }

void SystemdNotifier::keep_alive() const {
    if (keep_alive_interval_) notify("WATCHDOG=1");
}

}  // namespace backstop
