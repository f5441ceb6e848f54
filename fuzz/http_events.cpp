// Fuzz target: serve's own request handling above the HTTP library (HttpApi::handle): the bearer
// token, the event endpoints' bodies, routing to a policy's event sources and the JSON answers.
// Input: "METHOD TARGET" on the first line, "Name: value" header lines, a blank line, the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "fuzz_check.h"
#include "policy/policy.h"
#include "serve/event_routing.h"
#include "serve/http_api.h"

using namespace backstop;

namespace {

constexpr const char* kPolicy = R"([service.web]
strategy = "releases"
releases = "/srv/web/releases"
current  = "/srv/web/current"
restart  = ["true"]

[service.web.source.alerts]
kind  = "event"
match = { job = "web", severity = "critical" }

[service.web.source.deploys]
kind = "event"

[[service.web.trigger]]
name   = "alert_firing"
source = "alerts"
when   = "failed"
then   = "rollback"

[[service.web.trigger]]
name   = "bad_deploy"
source = "deploys"
when   = "event == \"deploy_failed\" and failed"
then   = "rollback"
)";

const PolicySet& policies() {
    static const PolicySet set = [] {
        PolicyLoadResult loaded = load_policies({{"fuzz-web.toml", kPolicy, "/nonexistent/policies"}});
        fuzz::check(loaded.successful() && loaded.policies.services.size() == 1, "the fixed policy loads");
        return loaded.policies;
    }();
    return set;
}

// What the daemon's deliver does, minus the workers: every reached source is queued.
std::vector<EventsReached> deliver(const std::vector<IncomingEvent>& events) {
    std::vector<EventsReached> out;
    for (const IncomingEvent& e : events) {
        EventsReached reached{e.name, e.firing, {}};
        for (const EventRoute& route : route_event(policies(), e)) {
            event_observation(*route.source, e, 0);
            reached.reached.push_back({route.service->name, route.source->name, route.triggers, true});
        }
        out.push_back(std::move(reached));
    }
    return out;
}

std::string_view next_line(std::string_view& text) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

HttpServerRequest request_of(std::string_view input) {
    HttpServerRequest r;
    r.version = "HTTP/1.1";
    r.peer = "127.0.0.1:40000";
    std::string_view first = next_line(input);
    std::size_t space = first.find(' ');
    r.method = std::string(first.substr(0, space));
    std::string_view target = space == std::string_view::npos ? std::string_view() : first.substr(space + 1);
    std::size_t question = target.find('?');
    r.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) r.query = std::string(target.substr(question + 1));
    for (std::string_view line = next_line(input); !line.empty(); line = next_line(input)) {
        std::size_t colon = line.find(':');
        std::string name(line.substr(0, colon));
        for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        std::string& slot = r.headers[name];
        slot += (slot.empty() ? "" : ", ") + std::string(value);
    }
    r.body = std::string(input);
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static DaemonMetrics* metrics = [] {
        spdlog::set_level(spdlog::level::off);  // the handler logs each request; the fuzzer needs speed, not lines
        policies();
        return new DaemonMetrics();
    }();
    static HttpApi api({deliver, [] { return policies().services.size(); }}, *metrics,
                       BearerToken::from_value("fuzz-token", "fuzzing"));
    HttpServerResponse response = api.handle(request_of({reinterpret_cast<const char*>(data), size}));
    fuzz::check(response.status >= 200 && response.status <= 599, "an answer has an HTTP status");
    fuzz::check(response.status != 500, "the handler never fails on its input");
    if (response.content_type == "application/json") {
        fuzz::check(nlohmann::json::accept(response.body), "a JSON answer is JSON");
    }
    return 0;
}
