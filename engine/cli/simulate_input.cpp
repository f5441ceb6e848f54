#include "cli/simulate_input.h"

#include <cmath>
#include <sstream>

#include "core/error.h"
#include "core/json_depth.h"
#include "serve/alertmanager_payload.h"

namespace backstop::cli {

namespace {

// Deeper than any observation or webhook body; bounds the parser's tree and the recursion of dump().
constexpr int kMaxNesting = 64;

std::string nesting_error(const std::string& where) {
    return where + ": JSON nested deeper than " + std::to_string(kMaxNesting) + " levels";
}

// One JSON object per line; blank lines and # comments skipped.
std::vector<RecordedEntry> read_lines(std::string_view text, const std::string& path) {
    std::vector<RecordedEntry> out;
    std::istringstream lines{std::string(text)};
    int n = 0;
    for (std::string line; std::getline(lines, line);) {
        ++n;
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        std::string where = path + ":" + std::to_string(n);
        if (json_nesting_depth(line) > kMaxNesting) throw Error(nesting_error(where));
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) throw Error(where + ": not a JSON object");
        out.push_back({std::move(j), line, where});
    }
    if (out.empty()) throw Error(path + ": no JSON found");
    return out;
}

const nlohmann::json* member(const RecordedEntry& entry, const char* key) {
    auto it = entry.value.find(key);
    return it == entry.value.end() || it->is_null() ? nullptr : &*it;
}

std::string string_member(const RecordedEntry& entry, const char* key, const std::string& fallback) {
    const nlohmann::json* v = member(entry, key);
    if (!v) return fallback;
    if (!v->is_string()) throw Error(entry.where + ": `" + key + "` must be a string");
    return v->get<std::string>();
}

// NaN (unknown) when absent or null.
double number_member(const RecordedEntry& entry, const char* key) {
    const nlohmann::json* v = member(entry, key);
    if (!v) return Observation::none;
    if (!v->is_number()) throw Error(entry.where + ": `" + key + "` must be a number");
    return v->get<double>();
}

int http_status_member(const RecordedEntry& entry) {
    double status = number_member(entry, "http_status");
    if (std::isnan(status)) return 0;
    if (status < 0 || status > 999 || status != std::floor(status))
        throw Error(entry.where + ": `http_status` must be a whole number from 0 to 999");
    return static_cast<int>(status);
}

ObservationStatus status_member(const RecordedEntry& entry) {
    const std::string s = string_member(entry, "status", "ok");
    if (s == "ok") return ObservationStatus::ok;
    if (s == "failed") return ObservationStatus::failed;
    if (s == "unknown") return ObservationStatus::unknown;
    throw Error(entry.where + ": status must be \"ok\", \"failed\" or \"unknown\", got \"" + s + "\"");
}

}  // namespace

std::vector<RecordedEntry> read_recording(std::string_view text, const std::string& path) {
    // Too deep to be one recording as a whole: perhaps lines, of which the deep one is reported.
    if (json_nesting_depth(text) > kMaxNesting + 1) return read_lines(text, path);
    auto whole = nlohmann::json::parse(text, nullptr, false);
    if (whole.is_object()) return {{std::move(whole), std::string(text), path}};
    if (!whole.is_array()) return read_lines(text, path);
    if (whole.empty()) throw Error(path + ": no entries in the array");
    std::vector<RecordedEntry> out;
    for (std::size_t i = 0; i < whole.size(); ++i) {
        std::string where = path + ": entry " + std::to_string(i + 1);
        if (!whole[i].is_object()) throw Error(where + ": not a JSON object");
        std::string entry_text = whole[i].dump();
        out.push_back({std::move(whole[i]), std::move(entry_text), std::move(where)});
    }
    return out;
}

std::int64_t recorded_offset_ms(const RecordedEntry& entry) {
    double ms = number_member(entry, "at_s") * 1000;
    const char* key = "at_s";
    if (std::isnan(ms)) {
        ms = number_member(entry, "at");
        key = "at";
    }
    if (std::isnan(ms)) return 0;
    if (!(ms >= 0 && ms <= static_cast<double>(kMaxReplayOffsetMs)))
        throw Error(entry.where + ": `" + key + "` must be a time from the start of the replay, 0 or more" +
                    (ms > 0 ? " and less than 35,000 years" : ""));
    return static_cast<std::int64_t>(ms);
}

RecordedObservation read_recorded_observation(const RecordedEntry& entry) {
    RecordedObservation out;
    out.service = string_member(entry, "service", "");
    Observation& o = out.observation;
    o.source = string_member(entry, "source", "");
    if (o.source.empty()) throw Error(entry.where + ": `source` is required");
    o.status = status_member(entry);
    o.value = number_member(entry, "value");
    o.latency_ms = number_member(entry, "latency_ms");
    o.restarts = number_member(entry, "restarts");
    o.http_status = http_status_member(entry);
    o.state = string_member(entry, "state", "");
    o.matched_line = string_member(entry, "line", "");
    o.event = string_member(entry, "event", "");
    o.detail = string_member(entry, "detail", "simulated");
    out.at_ms = recorded_offset_ms(entry);
    return out;
}

RecordedEvents read_recorded_events(const RecordedEntry& entry) {
    RecordedEvents out;
    out.alertmanager = entry.value.contains("alerts");
    EventParse parsed = out.alertmanager ? parse_alertmanager_payload(entry.text) : parse_generic_event(entry.text);
    if (!parsed.ok()) throw Error(entry.where + ": " + parsed.error);
    out.events = std::move(parsed.events);
    out.at_ms = recorded_offset_ms(entry);
    return out;
}

}  // namespace backstop::cli
