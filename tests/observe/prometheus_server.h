// A real Prometheus (Debian's /usr/bin/prometheus) for tests: on 127.0.0.1 with a free port, its
// storage in a temp folder, scraping itself every second. Stopped (and reaped) when destroyed.
#pragma once

#include <string>

#include <sys/types.h>

#include "support/temp_dir.h"

namespace backstop::test {

class PrometheusServer {
public:
    // Starts it and waits until /-/ready answers 200; throws std::runtime_error (with the tail of
    // its log) when it does not start within 60 s.
    PrometheusServer();
    ~PrometheusServer();
    PrometheusServer(const PrometheusServer&) = delete;
    PrometheusServer& operator=(const PrometheusServer&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    pid_t pid() const { return pid_; }

private:
    void stop();

    TempDir dir_{"backstop-prometheus"};
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace backstop::test
