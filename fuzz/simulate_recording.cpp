// Fuzz target: the text of a recording `backstop simulate` replays, through the readers of its
// entries, observations and events. Every problem must be an Error naming the entry's place.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cli/simulate_input.h"
#include "core/error.h"
#include "fuzz_check.h"

using namespace backstop;
using namespace backstop::cli;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<RecordedEntry> entries;
    try {
        entries = read_recording(text, "night.jsonl");
    } catch (const Error&) {
        return 0;
    }
    fuzz::check(!entries.empty(), "a recording that reads has entries");
    for (const RecordedEntry& entry : entries) {
        fuzz::check(entry.value.is_object(), "every entry is an object");
        try {
            RecordedObservation o = read_recorded_observation(entry);
            fuzz::check(o.at_ms >= 0 && o.at_ms <= kMaxReplayOffsetMs, "offsets are within the replay's range");
            fuzz::check(!o.observation.source.empty(), "an observation names its source");
        } catch (const Error&) {
        }
        try {
            RecordedEvents e = read_recorded_events(entry);
            fuzz::check(e.at_ms >= 0 && e.at_ms <= kMaxReplayOffsetMs, "offsets are within the replay's range");
        } catch (const Error&) {
        }
    }
    return 0;
}
