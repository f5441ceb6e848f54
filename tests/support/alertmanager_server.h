// A real Alertmanager (Debian's /usr/bin/prometheus-alertmanager) for tests: on 127.0.0.1 with a
// free port, no cluster gossip, its storage in a temp folder, and one receiver, a webhook to a URL
// the test gives. Stopped (and reaped) when destroyed.
#pragma once

#include <optional>
#include <string>

#include <sys/types.h>

#include "support/child_daemon.h"
#include "support/temp_dir.h"

namespace backstop::test {

class AlertmanagerServer {
public:
    // Every notification goes to `webhook_url` as Alertmanager's webhook JSON (resolved ones too),
    // with "Authorization: Bearer <bearer_credentials>" unless they are empty. Alerts are grouped by
    // alertname and sent 1 s after they arrive (group_wait, group_interval 1s). Waits until /-/ready
    // answers 200; throws std::runtime_error (with the tail of its log) when it does not within 60 s.
    explicit AlertmanagerServer(const std::string& webhook_url, const std::string& bearer_credentials = "");
    AlertmanagerServer(const AlertmanagerServer&) = delete;
    AlertmanagerServer& operator=(const AlertmanagerServer&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // 127.0.0.1:PORT, as Prometheus's alerting.alertmanagers targets want it.
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    pid_t pid() const { return daemon_ ? daemon_->pid() : -1; }
    std::string config_path() const { return dir_.file("alertmanager.yml"); }

private:
    TempDir dir_{"backstop-alertmanager"};
    int port_ = 0;
    std::optional<ChildDaemon> daemon_;  // declared after dir_: stopped before the folder goes
};

}  // namespace backstop::test
