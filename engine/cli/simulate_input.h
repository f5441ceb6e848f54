// What `backstop simulate` replays, read from the text of a recording: entries (one JSON value for
// the whole file, an array of them, or one object per line) and the observation or events each holds.
// Every problem is an Error naming the entry's place ("FILE:LINE" or "FILE: entry N").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/observation.h"
#include "serve/incoming_event.h"

namespace backstop::cli {

struct RecordedEntry {
    nlohmann::json value;  // always an object
    std::string text;      // as written, for the event parsers, which take text
    std::string where;
};

// The entries of a recording: a JSON array is its entries, a JSON object is one entry, anything
// else is read one object per line (blank lines and # comments skipped). Throws Error when an entry
// is not a JSON object or there is none.
std::vector<RecordedEntry> read_recording(std::string_view text, const std::string& path);

// The latest offset a recording may give: far beyond any replay, and small enough that times in
// milliseconds since the epoch cannot overflow.
inline constexpr std::int64_t kMaxReplayOffsetMs = std::int64_t{1} << 50;

// "at" (ms) or "at_s" (seconds) after the start of the replay; 0 when neither. Throws Error when it
// is not a number from 0 to kMaxReplayOffsetMs.
std::int64_t recorded_offset_ms(const RecordedEntry& entry);

struct RecordedObservation {
    std::string service;
    Observation observation;  // kind left for the caller, who knows the service's sources
    std::int64_t at_ms = 0;
};

// {"service", "source", "at" or "at_s", "status", "value", "latency_ms", "http_status", "state",
// "line", "event", "restarts", "detail"}; service and source required. Throws Error when a member
// has the wrong type or value.
RecordedObservation read_recorded_observation(const RecordedEntry& entry);

struct RecordedEvents {
    bool alertmanager = false;  // an Alertmanager webhook body ("alerts"), else a generic event
    std::vector<IncomingEvent> events;
    std::int64_t at_ms = 0;
};

// The events of an entry, parsed as the daemon parses POST /v1/alertmanager or /v1/events. Throws
// Error with the parser's reason when the daemon would answer 400.
RecordedEvents read_recorded_events(const RecordedEntry& entry);

}  // namespace backstop::cli
