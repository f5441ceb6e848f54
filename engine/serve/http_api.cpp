#include "serve/http_api.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/json_depth.h"
#include "core/json_text.h"
#include "core/text.h"
#include "serve/alertmanager_payload.h"

namespace backstop {

namespace {

HttpServerResponse json_response(int status, const nlohmann::json& body) {
    HttpServerResponse r;
    r.status = status;
    r.content_type = "application/json";
    r.body = json_text(body) + "\n";
    return r;
}

HttpServerResponse text_response(int status, std::string body) {
    HttpServerResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

HttpServerResponse wrong_method(const std::string& allowed) {
    HttpServerResponse r = text_response(405, "method not allowed; use " + allowed + "\n");
    r.headers["Allow"] = allowed;
    return r;
}

// JSON for the event answers, written directly: the bytes json_text() gives for the same document
// (keys in order, compact), without building one per request on the hot path.
void append_json_string(std::string& out, std::string_view s) {
    const bool plain = std::all_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
    });
    if (plain) {
        out += '"';
        out += s;
        out += '"';
    } else {
        out += json_text(nlohmann::json(std::string(s)));  // escapes, and replaces invalid UTF-8, as json_text does
    }
}

// [{"name": …, "reached": [{"service": …, "source": …, "triggers": […]}, …], "status": …}, …]
std::string events_json(const std::vector<EventsReached>& delivered) {
    std::string out = "[";
    for (const EventsReached& e : delivered) {
        if (out.size() > 1) out += ',';
        out += "{\"name\":";
        append_json_string(out, e.name);
        out += ",\"reached\":[";
        for (std::size_t i = 0; i < e.reached.size(); ++i) {
            const ReachedSource& r = e.reached[i];
            out += i ? ",{\"service\":" : "{\"service\":";
            append_json_string(out, r.service);
            out += ",\"source\":";
            append_json_string(out, r.source);
            out += ",\"triggers\":[";
            for (std::size_t t = 0; t < r.triggers.size(); ++t) {
                if (t) out += ',';
                append_json_string(out, r.triggers[t]);
            }
            out += "]}";
        }
        out += e.firing ? "],\"status\":\"firing\"}" : "],\"status\":\"resolved\"}";
    }
    out += ']';
    return out;
}

// An answer whose JSON object is written up to its last member: closes it.
HttpServerResponse events_response(int status, std::string body) {
    HttpServerResponse r;
    r.status = status;
    r.content_type = "application/json";
    r.body = std::move(body);
    r.body += "}\n";
    return r;
}

// An event's labels in a log line.
std::string labels_text(const std::map<std::string, std::string>& labels) {
    std::string quoted = quoted_labels(labels);
    return quoted.empty() ? "no labels" : quoted;
}

constexpr std::string_view kBadgePrefix = "/v1/badge/";

// The endpoint a path names, "" when it is none of the event endpoints.
std::string_view event_endpoint(const std::string& path) {
    if (path == "/v1/events") return "events";
    if (path == "/v1/alertmanager") return "alertmanager";
    return {};
}

}  // namespace

HttpApi::HttpApi(HttpApiHooks hooks, DaemonMetrics& metrics, std::optional<BearerToken> token)
    : hooks_(std::move(hooks)), metrics_(metrics), token_(std::move(token)) {}

HttpServerResponse HttpApi::handle(const HttpServerRequest& request) {
    if (const std::string_view name = event_endpoint(request.path); !name.empty()) {
        const std::string endpoint(name);
        if (request.method != "POST") return wrong_method("POST");
        return events(request, endpoint);
    }
    if (request.path == "/metrics") {
        if (request.method != "GET" && request.method != "HEAD") return wrong_method("GET");
        HttpServerResponse r = text_response(200, metrics_.render());
        r.content_type = DaemonMetrics::kContentType;
        return r;
    }
    if (request.path == "/healthz") {
        if (request.method != "GET" && request.method != "HEAD") return wrong_method("GET");
        auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
        return text_response(200, "ok uptime_seconds=" + std::to_string(up) + " services=" + std::to_string(hooks_.services()) + "\n");
    }
    if (request.path.starts_with(kBadgePrefix)) {
        if (request.method != "GET" && request.method != "HEAD") return wrong_method("GET");
        return badge(request);
    }
    return text_response(404, "not found; backstop serves POST /v1/events, POST /v1/alertmanager, GET /metrics, GET /healthz, "
                              "GET /v1/badge/SERVICE.json\n");
}

// Unauthenticated like /metrics: shields.io fetches it from outside, and it tells only an outcome.
HttpServerResponse HttpApi::badge(const HttpServerRequest& request) {
    std::string_view name = std::string_view(request.path).substr(kBadgePrefix.size());
    if (!name.ends_with(".json") || name.size() == 5)
        return json_response(404, {{"error", "not found; a badge is GET /v1/badge/SERVICE.json"}});
    const std::string service(name.substr(0, name.size() - 5));
    try {
        std::optional<nlohmann::json> found;
        if (hooks_.badge) found = hooks_.badge(service);
        if (!found) return json_response(404, {{"error", "unknown service \"" + service + "\""}});
        return json_response(200, *found);
    } catch (const std::exception& e) {
        spdlog::error("GET {}: 500, history not readable: {}", request.path, e.what());
        return json_response(500, {{"error", "the history of " + service + " cannot be read now"}});
    }
}

void HttpApi::refused(const HttpServerRequest& request, int status) {
    const std::string_view endpoint = event_endpoint(request.path);
    if (endpoint.empty()) return;
    metrics_.event_request(endpoint, status == 413 ? "too_large" : "bad_request");
    spdlog::warn("{} {} from {}: {}, {}", request.method, request.path, request.peer, status,
                 status == 413 ? "body over the size limit" : "bad Host header or request target");
}

HttpServerResponse HttpApi::events(const HttpServerRequest& request, const std::string& endpoint) {
    if (token_ && !token_->accepts(request.header("authorization"))) {
        metrics_.event_request(endpoint, "unauthorized");
        spdlog::warn("POST {} from {}: 401, {} bearer token", request.path, request.peer,
                     request.header("authorization").empty() ? "no" : "wrong");
        HttpServerResponse r = json_response(401, {{"error", "missing or wrong bearer token (Authorization: Bearer TOKEN)"}});
        r.headers["WWW-Authenticate"] = "Bearer realm=\"backstop\"";
        return r;
    }
    if (hooks_.accepting && !hooks_.accepting()) {
        metrics_.event_request(endpoint, "unavailable");
        HttpServerResponse r = json_response(503, {{"error", "backstop is stopping; send again"}});
        r.headers["Retry-After"] = "1";
        return r;
    }
    if (json_nesting_depth(request.body) > static_cast<int>(kMaxJsonDepth)) {
        metrics_.event_request(endpoint, "bad_request");
        spdlog::warn("POST {} from {}: 400, JSON nested deeper than {} levels", request.path, request.peer, kMaxJsonDepth);
        return json_response(400, {{"error", "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"}});
    }
    EventParse parsed = endpoint == "events" ? parse_generic_event(request.body) : parse_alertmanager_payload(request.body);
    if (!parsed.ok()) {
        metrics_.event_request(endpoint, "bad_request");
        spdlog::warn("POST {} from {}: 400, {}", request.path, request.peer, parsed.error);
        return json_response(400, {{"error", parsed.error}});
    }

    std::vector<EventsReached> delivered = hooks_.deliver(parsed.events);
    std::size_t sources = 0, triggers = 0;
    bool refused = false;
    for (std::size_t i = 0; i < delivered.size(); ++i) {
        const EventsReached& e = delivered[i];
        for (const ReachedSource& r : e.reached) {
            refused = refused || !r.queued;
            ++sources;
            triggers += r.triggers.size();
        }
        if (e.reached.empty())
            spdlog::info("POST {}: {} ({}) reached no event source ({})", request.path, e.name, e.firing ? "firing" : "resolved",
                         labels_text(parsed.events[i].labels));
        for (const ReachedSource& r : e.reached)
            spdlog::info("POST {}: {} ({}) -> {}/{}, triggers: {}", request.path, e.name, e.firing ? "firing" : "resolved", r.service,
                         r.source, r.triggers.empty() ? "none" : nlohmann::json(r.triggers).dump());
    }
    const std::string events = events_json(delivered);
    if (refused) {
        metrics_.event_request(endpoint, "unavailable");
        HttpServerResponse r = events_response(
            503, "{\"error\":\"backstop cannot take the event now (stopping, or it cannot be kept); send again\",\"events\":" + events);
        r.headers["Retry-After"] = "1";
        return r;
    }
    if (sources == 0) {
        metrics_.event_request(endpoint, "unmatched");
        std::string message = parsed.events.empty()
                                  ? "no alerts in the payload"
                                  : "no event source matched: a source with kind = \"event\" and `match` labels the event carries "
                                    "(or a generic event naming its service and source) receives it";
        std::string body = "{\"events\":" + events + ",\"message\":";
        append_json_string(body, message);
        return events_response(200, body + ",\"status\":\"unmatched\"");
    }
    metrics_.event_request(endpoint, "accepted");
    std::string message = std::to_string(delivered.size()) + " event(s) reached " + std::to_string(sources) +
                          " source(s); their " + std::to_string(triggers) + " trigger(s) are evaluated now";
    std::string body = "{\"events\":" + events + ",\"message\":";
    append_json_string(body, message);
    return events_response(202, body + ",\"status\":\"accepted\"");
}

}  // namespace backstop
