// Which event sources an incoming alert or event reaches: every `kind = "event"` source of every
// service whose `match` labels all equal the event's, and, for generic events, the source the event
// names itself.
#pragma once

#include <string>
#include <vector>

#include "policy/policy.h"
#include "serve/incoming_event.h"

namespace backstop {

struct EventRoute {
    const ServicePolicy* service;   // in the PolicySet routed against
    const SourceSpec* source;
    std::vector<std::string> triggers;  // the service's triggers reading the source
};

// An event source S of service X is reached when:
//  - the event names both (`service` = X, `source` = S): always;
//  - otherwise, when neither names something else (`service` set and not X, `source` set and not S),
//    and every label of S's `match` is among the event's labels with the same value. A source with
//    an empty `match` is reached only by events naming its service, never by Alertmanager alerts.
std::vector<EventRoute> route_event(const PolicySet& policies, const IncomingEvent& event);

}  // namespace backstop
