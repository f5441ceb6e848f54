// What `serve` tells the service manager over $NOTIFY_SOCKET (sd_notify): ready, reloading, stopping,
// a status line, and the watchdog's keep-alive. Outside a Type=notify unit every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace backstop {

class SystemdNotifier {
public:
    SystemdNotifier();  // reads WATCHDOG_USEC/WATCHDOG_PID once (sd_watchdog_enabled)

    void ready(const std::string& status) const;
    // RELOADING=1 with the CLOCK_MONOTONIC time, as Type=notify-reload (systemd >= 253) wants it;
    // ready() ends the reload.
    void reloading(const std::string& status) const;
    void stopping(const std::string& status) const;
    void status(const std::string& status) const;

    // How often the main loop must call keep_alive(): half of WatchdogSec; nullopt without one.
    std::optional<std::chrono::milliseconds> keep_alive_interval() const { return keep_alive_interval_; }
    void keep_alive() const;

private:
    std::optional<std::chrono::milliseconds> keep_alive_interval_;
};

}  // namespace backstop
