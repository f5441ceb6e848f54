// The HTTP endpoints of `backstop serve`: POST /v1/events and POST /v1/alertmanager (bearer token),
// GET /metrics, GET /healthz and GET /v1/badge/SERVICE.json. Answers on the server thread at once: events are handed to the
// services' workers, never evaluated here.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prim/http_server.h"
#include "serve/bearer_token.h"
#include "serve/daemon_metrics.h"
#include "serve/incoming_event.h"

namespace backstop {

// Where one event went: a source of a service, and the triggers that will look at it.
struct ReachedSource {
    std::string service;
    std::string source;
    std::vector<std::string> triggers;
    bool queued = true;  // false: not taken (stopping, or it could not be kept in the spool)
};

struct EventsReached {
    std::string name;
    bool firing = true;
    std::vector<ReachedSource> reached;
};

struct HttpApiHooks {
    // Routes each event to the event sources it reaches and queues the observations with their services.
    std::function<std::vector<EventsReached>(const std::vector<IncomingEvent>&)> deliver;
    std::function<std::size_t()> services;  // how many services the policies define
    std::function<bool()> accepting;          // false once stopping: POSTs get 503; unset: always
    // The service's status badge (runtime/history_badge.h); nullopt for a service the policies do not define.
    std::function<std::optional<nlohmann::json>(const std::string& service)> badge;
};

class HttpApi {
public:
    // No token: every POST is accepted (--no-auth).
    HttpApi(HttpApiHooks hooks, DaemonMetrics& metrics, std::optional<BearerToken> token);

    HttpServerResponse handle(const HttpServerRequest& request);
    // A request the server answered itself (413: body over the limit, 400: bad Host or target):
    // counted like the answers handle() gives.
    void refused(const HttpServerRequest& request, int status);

    // Deepest nesting of arrays and objects an event body may have; checked on the raw text, so a
    // hostile document is refused before the JSON parser allocates anything for it.
    static constexpr std::size_t kMaxJsonDepth = 32;

private:
    HttpServerResponse events(const HttpServerRequest& request, const std::string& endpoint);
    HttpServerResponse badge(const HttpServerRequest& request);

    HttpApiHooks hooks_;
    DaemonMetrics& metrics_;
    std::optional<BearerToken> token_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace backstop
