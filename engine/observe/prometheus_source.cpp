#include "observe/prometheus_source.h"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "core/url_redaction.h"

namespace backstop {

namespace {

// Prometheus writes sample values as strings: "42", "0.5", "NaN", "+Inf".
bool parse_sample(const nlohmann::json& sample, double& out) {
    if (!sample.is_array() || sample.size() != 2 || !sample[1].is_string()) return false;
    const std::string& text = sample[1].get_ref<const std::string&>();
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size();
}

// `{job="api", instance="a:9100"}` for naming a series in an error.
std::string series_name(const nlohmann::json& series) {
    std::string out;
    if (series.is_object() && series.contains("metric") && series["metric"].is_object())
        for (const auto& [label, value] : series["metric"].items())
            out += (out.empty() ? "" : ", ") + label + "=" + (value.is_string() ? "\"" + value.get<std::string>() + "\"" : value.dump());
    return "{" + out + "}";
}

// The string at `key`, "" when absent or not a string.
std::string text_field(const nlohmann::json& object, const char* key) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

std::string url_query_encode(std::string_view text) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                     c == '.' || c == '_' || c == '~';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

PrometheusSource::PrometheusSource(SourceSpec spec, HttpClient& http) : spec_(std::move(spec)), http_(http) {}

Observation PrometheusSource::observe() {
    Observation o = begin_observation(spec_);
    std::string base = spec_.prometheus().url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string& query = spec_.prometheus().query;
    HttpRequest request;
    request.url = base + "/api/v1/query?query=" + url_query_encode(query);
    request.timeout = spec_.timeout;
    auto start = std::chrono::steady_clock::now();
    HttpResponse response = http_.send(request);
    o.latency_ms = elapsed_ms(start);
    std::string where = "prometheus " + redact_url(base);
    if (!response.transport_ok()) {
        o.error = where + ": " + response.error;
        return o;
    }
    o.http_status = static_cast<int>(response.status);
    nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
    if (!answer.is_object()) {
        o.error = where + ": status " + std::to_string(response.status) + ", not a Prometheus answer: " +
                  first_line(response.body, 200);
        return o;
    }
    if (text_field(answer, "status") != "success") {
        std::string type = text_field(answer, "errorType");
        std::string why = text_field(answer, "error");
        o.error = where + ": " + (type.empty() ? "" : type + ": ") +
                  (why.empty() ? "status " + std::to_string(response.status) : why);
        return o;
    }
    const nlohmann::json& data = answer.contains("data") ? answer["data"] : nlohmann::json{};
    std::string type = text_field(data, "resultType");
    const nlohmann::json& result = data.is_object() && data.contains("result") ? data["result"] : nlohmann::json{};
    double value = Observation::none;
    if (type == "scalar") {
        if (!parse_sample(result, value)) {
            o.error = where + ": unreadable scalar " + result.dump();
            return o;
        }
    } else if (type == "vector" && result.is_array()) {
        if (result.empty()) {
            o.error = "query `" + query + "` returned no series";
            return o;
        }
        if (result.size() > 1) {
            o.error = "query `" + query + "` returned " + std::to_string(result.size()) + " series (" +
                      series_name(result[0]) + ", " + series_name(result[1]) + (result.size() > 2 ? ", ..." : "") +
                      "); aggregate them to one, e.g. sum(...) or max(...)";
            return o;
        }
        if (!result[0].is_object() || !result[0].contains("value") || !parse_sample(result[0]["value"], value)) {
            o.error = where + ": unreadable sample " + result[0].dump();
            return o;
        }
    } else {
        o.error = "query `" + query + "` returned a " + (type.empty() ? "result of no known type" : type) +
                  ", not a number (use an instant query)";
        return o;
    }
    o.status = ObservationStatus::ok;
    o.value = value;
    char shown[64];
    std::snprintf(shown, sizeof shown, "%.15g", value);
    o.detail = "`" + query + "` = " + shown + " (" + format_ms(o.latency_ms) + ")";
    return o;
}

}  // namespace backstop
