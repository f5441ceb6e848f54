// Fuzz target: a generic event body (POST /v1/events, `simulate --event`) through
// parse_generic_event and into the observation it becomes.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "serve/incoming_event.h"

using namespace backstop;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    EventParse parsed = parse_generic_event(body);
    if (!parsed.ok()) {
        fuzz::check(parsed.events.empty(), "a refused event yields no events");
        return 0;
    }
    fuzz::check(parsed.events.size() == 1, "an accepted body is one event");
    const IncomingEvent& event = parsed.events.front();
    fuzz::check(!event.name.empty(), "an event has a name");
    fuzz::check(!event.value || std::isfinite(*event.value), "an event's value is a finite number");
    SourceSpec spec;
    spec.name = "deploys";
    spec.kind = SourceKind::event;
    Observation o = event_observation(spec, event, 0);
    // Without a value of its own, the watcher gives it the number of the source's firing alerts.
    fuzz::check(event.value ? std::isfinite(o.value) : std::isnan(o.value),
                "the observation has the event's finite value, or none");
    return 0;
}
