#include "serve/incoming_event.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/sha256.h"

namespace backstop {

namespace {

// A JSON object's member as a string, or why it cannot be one.
bool read_string(const nlohmann::json& j, const char* key, bool required, std::string& out, std::string& error) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required) error = std::string("\"") + key + "\" is required";
        return !required;
    }
    if (!it->is_string()) {
        error = std::string("\"") + key + "\" must be a string";
        return false;
    }
    out = it->get<std::string>();
    return true;
}

// An alert is its fingerprint, else its name and label set; a digest keeps long ones small in the
// watch state.
std::string alert_key(const IncomingEvent& event) {
    if (!event.fingerprint.empty() && event.fingerprint.size() <= 64) return event.fingerprint;
    std::string text = event.fingerprint.empty() ? event.name : event.fingerprint;
    if (event.fingerprint.empty())
        for (const auto& [k, v] : event.labels) text += '\0' + k + '=' + v;
    return "sha256:" + sha256_hex(text).substr(0, 32);
}

}  // namespace

EventParse parse_generic_event(std::string_view body) {
    EventParse out;
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) return {{}, "the body is not JSON"};
    if (!j.is_object()) return {{}, "the body must be a JSON object"};
    IncomingEvent e;
    std::string status, error;
    if (!read_string(j, "name", true, e.name, error) || !read_string(j, "status", true, status, error) ||
        !read_string(j, "service", false, e.service, error) || !read_string(j, "source", false, e.source, error) ||
        !read_string(j, "summary", false, e.summary, error))
        return {{}, error};
    if (e.name.empty()) return {{}, "\"name\" must not be empty"};
    if (status != "firing" && status != "resolved") return {{}, "\"status\" must be \"firing\" or \"resolved\", not \"" + status + "\""};
    e.firing = status == "firing";
    if (auto v = j.find("value"); v != j.end() && !v->is_null()) {
        if (!v->is_number() || !std::isfinite(v->get<double>())) return {{}, "\"value\" must be a number"};
        e.value = v->get<double>();
    }
    if (auto l = j.find("labels"); l != j.end() && !l->is_null()) {
        if (!l->is_object()) return {{}, "\"labels\" must be an object of strings"};
        for (const auto& [k, v] : l->items()) {
            if (!v.is_string()) return {{}, "label \"" + k + "\" must be a string"};
            e.labels[k] = v.get<std::string>();
        }
    }
    out.events.push_back(std::move(e));
    return out;
}

Observation event_observation(const SourceSpec& spec, const IncomingEvent& event, std::int64_t now_ms) {
    Observation o;
    o.source = spec.name;
    o.kind = SourceKind::event;
    o.time_ms = now_ms;
    o.status = event.firing ? ObservationStatus::failed : ObservationStatus::ok;
    o.value = event.value.value_or(Observation::none);
    o.state = event.firing ? "firing" : "resolved";
    o.event = event.name;
    o.alert = alert_key(event);
    o.detail = (event.summary.empty() ? event.name : event.summary) + (event.firing ? " (firing)" : " (resolved)");
    return o;
}

}  // namespace backstop
