// A real Prometheus exporter on 127.0.0.1 (ephemeral port) standing for a web service's metrics:
// GET /metrics serves the counters http_requests_total{code="200"} and {code="500"}. Each scrape
// counts 100 more requests, of which the share the test set answered 500, so the error rate
// Prometheus computes with rate() is that share however often or late it scrapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

#include "prim/http_server.h"

namespace backstop::test {

class ErrorRateExporter {
public:
    // Serves at once, with `error_share` (0 to 1) of the requests failing.
    explicit ErrorRateExporter(double error_share = 0);
    ErrorRateExporter(const ErrorRateExporter&) = delete;
    ErrorRateExporter& operator=(const ErrorRateExporter&) = delete;

    // 127.0.0.1:PORT, as a Prometheus scrape target.
    std::string address() const { return "127.0.0.1:" + std::to_string(server_.port()); }
    // From the next scrape on.
    void set_error_share(double error_share);
    std::size_t scrapes() const;

private:
    HttpServerResponse scrape();

    mutable std::mutex mutex_;
    int errors_per_scrape_ = 0;
    std::uint64_t ok_ = 0;
    std::uint64_t errors_ = 0;
    std::size_t scrapes_ = 0;
    HttpServer server_;  // last: stopped before the counters go
};

}  // namespace backstop::test
