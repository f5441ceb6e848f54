#include "runtime/health_check.h"

#include <algorithm>
#include <chrono>

#include "core/text.h"

namespace backstop {

HealthResult probe_once(HttpClient& http, const HealthCheck& check) {
    HttpRequest req;
    req.url = check.url;
    req.timeout = check.timeout;
    HttpResponse resp = http.send(req);
    HealthResult r;
    r.probes = 1;
    std::string where = "GET " + redact_url(check.url);
    if (!resp.transport_ok()) {
        r.message = where + ": " + resp.error;
        return r;
    }
    bool status_ok = check.expect_status ? resp.status == check.expect_status : (resp.status >= 200 && resp.status < 300);
    if (!status_ok) {
        r.message = where + ": status " + std::to_string(resp.status) +
                    (check.expect_status ? " (expected " + std::to_string(check.expect_status) + ")" : " (expected 2xx)");
        if (!resp.body.empty()) r.message += ": " + first_line(resp.body, 120);
        return r;
    }
    if (!check.expect_body.empty() && resp.body.find(check.expect_body) == std::string::npos) {
        r.message = where + ": status " + std::to_string(resp.status) + " but body lacks \"" + check.expect_body + "\"";
        return r;
    }
    r.ok = true;
    r.message = where + ": status " + std::to_string(resp.status);
    return r;
}

HealthResult wait_until_healthy(HttpClient& http, const HealthCheck& check, const std::function<void(Duration)>& sleep) {
    auto start = std::chrono::steady_clock::now();
    HealthResult last;
    for (int attempt = 1; attempt <= check.attempts; ++attempt) {
        last = probe_once(http, check);
        last.probes = attempt;
        auto took = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
        if (last.ok) {
            last.message += " after " + std::to_string(attempt) + (attempt == 1 ? " probe" : " probes") + " (" +
                            format_elapsed(took) + ")";
            return last;
        }
        if (attempt < check.attempts) sleep(check.interval);
    }
    auto took = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
    last.message = "unhealthy after " + std::to_string(check.attempts) + " probes (" + format_elapsed(took) +
                   "); last: " + last.message;
    return last;
}

HealthResult wait_until_healthy_by(HttpClient& http, const HealthCheck& check, Duration deadline,
                                   const std::function<void(Duration)>& sleep) {
    auto start = std::chrono::steady_clock::now();
    auto end = start + deadline;
    HealthResult last;
    for (int probe = 1;; ++probe) {
        HealthCheck bounded = check;
        auto left = std::chrono::duration_cast<Duration>(end - std::chrono::steady_clock::now());
        bounded.timeout = std::max(Duration{1}, std::min(check.timeout, left));
        last = probe_once(http, bounded);
        last.probes = probe;
        auto took = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
        if (last.ok) {
            last.message += " after " + format_elapsed(took);
            return last;
        }
        left = std::chrono::duration_cast<Duration>(end - std::chrono::steady_clock::now());
        if (left <= Duration{0}) {
            last.message = "not ready within " + format_duration(deadline) + " (" + std::to_string(probe) +
                           " probes); last: " + last.message;
            return last;
        }
        sleep(std::min(check.interval, left));
    }
}

std::string describe(const HealthCheck& check) {
    std::string expect = check.expect_status ? std::to_string(check.expect_status) : "2xx";
    if (!check.expect_body.empty()) expect += " with \"" + check.expect_body + "\"";
    return "GET " + redact_url(check.url) + " until " + expect + ", up to " + std::to_string(check.attempts) +
           " probes every " + format_duration(check.interval) + " (" + format_duration(check.timeout) + " each)";
}

}  // namespace backstop
