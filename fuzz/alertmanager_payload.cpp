// Fuzz target: an Alertmanager webhook body (POST /v1/alertmanager, `simulate --event`) through
// parse_alertmanager_payload and into the observations its alerts become.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "serve/alertmanager_payload.h"

using namespace backstop;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    EventParse parsed = parse_alertmanager_payload(body);
    if (!parsed.ok()) {
        fuzz::check(parsed.events.empty(), "a refused payload yields no events");
        return 0;
    }
    SourceSpec spec;
    spec.name = "alerts";
    spec.kind = SourceKind::event;
    for (const IncomingEvent& event : parsed.events) {
        fuzz::check(!event.name.empty(), "every alert has a name (`alertname`, else \"alert\")");
        Observation o = event_observation(spec, event, 0);
        fuzz::check(o.status == (event.firing ? ObservationStatus::failed : ObservationStatus::ok),
                    "a firing alert fails its source, a resolved one passes");
    }
    return 0;
}
