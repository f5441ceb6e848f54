#include "serve/http_api.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/json_text.h"
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

std::string labels_text(const std::map<std::string, std::string>& labels) {
    std::string out;
    for (const auto& [k, v] : labels) out += (out.empty() ? "" : ", ") + k + "=\"" + v + "\"";
    return out.empty() ? "no labels" : out;
}

}  // namespace

HttpApi::HttpApi(HttpApiHooks hooks, DaemonMetrics& metrics, std::optional<BearerToken> token)
    : hooks_(std::move(hooks)), metrics_(metrics), token_(std::move(token)) {}

HttpServerResponse HttpApi::handle(const HttpServerRequest& request) {
    if (request.path == "/v1/events" || request.path == "/v1/alertmanager") {
        std::string endpoint = request.path == "/v1/events" ? "events" : "alertmanager";
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
    return text_response(404, "not found; backstop serves POST /v1/events, POST /v1/alertmanager, GET /metrics, GET /healthz\n");
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
    EventParse parsed = endpoint == "events" ? parse_generic_event(request.body) : parse_alertmanager_payload(request.body);
    if (!parsed.ok()) {
        metrics_.event_request(endpoint, "bad_request");
        spdlog::warn("POST {} from {}: 400, {}", request.path, request.peer, parsed.error);
        return json_response(400, {{"error", parsed.error}});
    }

    std::vector<EventsReached> delivered = hooks_.deliver(parsed.events);
    nlohmann::json events = nlohmann::json::array();
    std::size_t sources = 0, triggers = 0;
    bool refused = false;
    for (std::size_t i = 0; i < delivered.size(); ++i) {
        const EventsReached& e = delivered[i];
        nlohmann::json reached = nlohmann::json::array();
        for (const ReachedSource& r : e.reached) {
            reached.push_back({{"service", r.service}, {"source", r.source}, {"triggers", r.triggers}});
            refused = refused || !r.queued;
            ++sources;
            triggers += r.triggers.size();
        }
        events.push_back({{"name", e.name}, {"status", e.firing ? "firing" : "resolved"}, {"reached", reached}});
        if (e.reached.empty())
            spdlog::info("POST {}: {} ({}) reached no event source ({})", request.path, e.name, e.firing ? "firing" : "resolved",
                         labels_text(parsed.events[i].labels));
        for (const ReachedSource& r : e.reached)
            spdlog::info("POST {}: {} ({}) -> {}/{}, triggers: {}", request.path, e.name, e.firing ? "firing" : "resolved", r.service,
                         r.source, r.triggers.empty() ? "none" : nlohmann::json(r.triggers).dump());
    }
    if (refused) {
        metrics_.event_request(endpoint, "unavailable");
        HttpServerResponse r = json_response(503, {{"error", "backstop is stopping or reloading; send again"}, {"events", events}});
        r.headers["Retry-After"] = "1";
        return r;
    }
    if (sources == 0) {
        metrics_.event_request(endpoint, "unmatched");
        std::string message = parsed.events.empty()
                                  ? "no alerts in the payload"
                                  : "no event source matched: a source with kind = \"event\" and `match` labels the event carries "
                                    "(or a generic event naming its service and source) receives it";
        return json_response(200, {{"status", "unmatched"}, {"message", message}, {"events", events}});
    }
    metrics_.event_request(endpoint, "accepted");
    std::string message = std::to_string(delivered.size()) + " event(s) reached " + std::to_string(sources) +
                          " source(s); their " + std::to_string(triggers) + " trigger(s) are evaluated now";
    return json_response(202, {{"status", "accepted"}, {"message", message}, {"events", events}});
}

}  // namespace backstop
