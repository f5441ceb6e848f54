#include "support/error_rate_exporter.h"

#include <algorithm>
#include <cmath>

namespace backstop::test {

namespace {

constexpr int kRequestsPerScrape = 100;

int errors_of(double share) { return static_cast<int>(std::lround(std::clamp(share, 0.0, 1.0) * kRequestsPerScrape)); }

}  // namespace

ErrorRateExporter::ErrorRateExporter(double error_share)
    : errors_per_scrape_(errors_of(error_share)),
      server_(HttpServerOptions{}, [this](const HttpServerRequest& request) {
          if (request.path == "/metrics" && request.method == "GET") return scrape();
          HttpServerResponse r;
          r.status = 404;
          r.body = "GET /metrics\n";
          return r;
      }) {}

void ErrorRateExporter::set_error_share(double error_share) {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_per_scrape_ = errors_of(error_share);
}

std::size_t ErrorRateExporter::scrapes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return scrapes_;
}

HttpServerResponse ErrorRateExporter::scrape() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++scrapes_;
    errors_ += static_cast<std::uint64_t>(errors_per_scrape_);
    ok_ += static_cast<std::uint64_t>(kRequestsPerScrape - errors_per_scrape_);
    HttpServerResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = "# HELP http_requests_total Requests answered, by status code.\n"
             "# TYPE http_requests_total counter\n"
             "http_requests_total{code=\"200\"} " + std::to_string(ok_) + "\n"
             "http_requests_total{code=\"500\"} " + std::to_string(errors_) + "\n";
    return r;
}

}  // namespace backstop::test
