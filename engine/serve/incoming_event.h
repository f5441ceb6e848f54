// An alert or event that arrived from outside (POST /v1/events, POST /v1/alertmanager), before it is
// routed to event sources, and the Observation it becomes for one of them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/observation.h"

namespace backstop {

struct IncomingEvent {
    std::string name;  // the event's name, or the alert's `alertname` label
    bool firing = true;  // false: resolved
    std::map<std::string, std::string> labels;
    std::optional<double> value;  // the sender's number; absent: the source's count of firing alerts
    std::string summary;          // for people: the `summary` annotation; empty when none
    // Generic events may address a source directly; empty when not given.
    std::string service;
    std::string source;
    std::string fingerprint;  // Alertmanager's identity of the alert; empty: told apart by name and labels
};

// What a POST body held: the events, or why it is not acceptable (then events is empty).
struct EventParse {
    std::vector<IncomingEvent> events;
    std::string error;
    bool ok() const { return error.empty(); }
};

// POST /v1/events: {"service": "web", "source": "deploys", "name": "...", "status": "firing" |
// "resolved", "labels": {...}, "value": n, "summary": "..."}; only name and status are required.
EventParse parse_generic_event(std::string_view body);

// The observation `event` becomes for the event source `spec`, stamped `now_ms`: failed while firing,
// ok once resolved; value as sent, else none (the source's count of firing alerts takes its place);
// event = the name; state = "firing" / "resolved"; alert = the fingerprint, else a digest of the
// name and labels.
Observation event_observation(const SourceSpec& spec, const IncomingEvent& event, std::int64_t now_ms);

}  // namespace backstop
