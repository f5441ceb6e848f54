#include "serve/event_routing.h"

namespace backstop {

namespace {

bool labels_match(const std::map<std::string, std::string>& wanted, const std::map<std::string, std::string>& labels) {
    for (const auto& [name, value] : wanted) {
        auto it = labels.find(name);
        if (it == labels.end() || it->second != value) return false;
    }
    return true;
}

// An event naming a service reaches it by NAME@ENV, or by NAME when it has no environments or the
// event's `env` label names this one: an event never picks an environment by itself.
bool event_names_service(const IncomingEvent& e, const ServicePolicy& service) {
    if (e.service == service.key) return true;
    if (e.service != service.name) return false;
    if (!service.has_environments) return true;
    auto env = e.labels.find("env");
    return env != e.labels.end() && env->second == service.env;
}

bool reaches(const ServicePolicy& service, const SourceSpec& source, const IncomingEvent& e) {
    if (!e.service.empty() && !event_names_service(e, service)) return false;
    if (!e.source.empty() && e.source != source.name) return false;
    if (!e.service.empty() && !e.source.empty()) return true;
    if (source.event().match.empty()) return !e.service.empty();
    return labels_match(source.event().match, e.labels);
}

}  // namespace

std::vector<EventRoute> route_event(const PolicySet& policies, const IncomingEvent& event) {
    std::vector<EventRoute> routes;
    for (const auto& [name, service] : policies.services) {
        for (const SourceSpec& source : service.watch.sources) {
            if (source.kind != SourceKind::event || !reaches(service, source, event)) continue;
            EventRoute route{&service, &source, {}};
            for (const auto& t : service.watch.triggers)
                if (t.source == source.name) route.triggers.push_back(t.name);
            routes.push_back(std::move(route));
        }
    }
    return routes;
}

}  // namespace backstop
