// A real Prometheus (Debian's /usr/bin/prometheus) for tests: on 127.0.0.1 with a free port, its
// config and storage in a temp folder, firing alerts resent every second; by default it scrapes
// itself every second. Stopped (and reaped) when destroyed.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <sys/types.h>

#include "support/child_daemon.h"
#include "support/temp_dir.h"

namespace backstop::test {

// What a test gives Prometheus. In every text, "{{address}}" becomes the server's own
// 127.0.0.1:PORT (known only once the port is chosen), so a config can scrape Prometheus itself.
struct PrometheusConfig {
    std::string yml = "global:\n"
                      "  scrape_interval: 1s\n"
                      "  evaluation_interval: 1s\n"
                      "scrape_configs:\n"
                      "  - job_name: prometheus\n"
                      "    static_configs:\n"
                      "      - targets: ['{{address}}']\n";
    // Written beside prometheus.yml (relative paths): rule files, a config to switch to later…
    std::map<std::string, std::string> files;
};

class PrometheusServer {
public:
    // Writes the config, starts Prometheus and waits until /-/ready answers 200; throws
    // std::runtime_error (with the tail of its log) when it does not start within 60 s.
    explicit PrometheusServer(const PrometheusConfig& config = {});
    PrometheusServer(const PrometheusServer&) = delete;
    PrometheusServer& operator=(const PrometheusServer&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    pid_t pid() const { return daemon_ ? daemon_->pid() : -1; }
    // The folder holding prometheus.yml and the files given beside it.
    const TempDir& dir() const { return dir_; }
    std::string config_path() const { return dir_.file("prometheus.yml"); }
    // The YAML of the config it runs now (GET /api/v1/status/config): after a reload, the new one.
    // "" when it does not answer.
    std::string loaded_config() const;

private:
    TempDir dir_{"backstop-prometheus"};
    int port_ = 0;
    std::optional<ChildDaemon> daemon_;  // declared after dir_: stopped before the folder goes
};

}  // namespace backstop::test
