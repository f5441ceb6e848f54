#include "observe/http_source.h"

#include <algorithm>

#include "core/url_redaction.h"

namespace backstop {

HttpSource::HttpSource(SourceSpec spec, HttpClient& http) : spec_(std::move(spec)), http_(http) {
    if (!spec_.http().body_regex.empty()) body_ = std::make_unique<TextPattern>(spec_.http().body_regex);
}

bool HttpSource::status_expected(long status) const {
    const auto& expected = spec_.http().expect_status;
    if (expected.empty()) return status >= 200 && status <= 399;
    return std::find(expected.begin(), expected.end(), status) != expected.end();
}

std::string HttpSource::expected_statuses() const {
    if (spec_.http().expect_status.empty()) return "200-399";
    std::string out;
    for (int s : spec_.http().expect_status) out += (out.empty() ? "" : ", ") + std::to_string(s);
    return out;
}

Observation HttpSource::observe() {
    Observation o = begin_observation(spec_);
    HttpRequest request;
    request.method = spec_.http().method;
    request.url = spec_.http().url;
    request.timeout = spec_.timeout;
    auto start = std::chrono::steady_clock::now();
    HttpResponse response = http_.send(request);
    o.latency_ms = o.value = elapsed_ms(start);
    o.status = ObservationStatus::failed;
    std::string where = request.method + " " + redact_url(request.url);
    if (!response.transport_ok()) {
        o.detail = where + ": " + response.error;
        return o;
    }
    o.http_status = static_cast<int>(response.status);
    o.detail = where + " -> " + std::to_string(response.status) + " in " + format_ms(o.latency_ms);
    if (!status_expected(response.status)) {
        o.detail += " (expected " + expected_statuses() + ")";
        return o;
    }
    if (body_ && !body_->found_in(response.body)) {
        o.detail += ", body does not match `" + body_->pattern() + "`";
        return o;
    }
    if (spec_.http().max_latency && o.latency_ms > static_cast<double>(spec_.http().max_latency->count())) {
        o.detail += ", slower than max_latency " + format_duration(*spec_.http().max_latency);
        return o;
    }
    o.status = ObservationStatus::ok;
    return o;
}

}  // namespace backstop
