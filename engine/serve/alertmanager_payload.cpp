#include "serve/alertmanager_payload.h"

#include <nlohmann/json.hpp>

namespace backstop {

namespace {

// `labels` or `annotations` of an alert: strings only.
bool read_string_map(const nlohmann::json& alert, const char* key, std::map<std::string, std::string>& out,
                     std::string& error, std::size_t index) {
    auto it = alert.find(key);
    if (it == alert.end() || it->is_null()) return true;
    std::string where = "alerts[" + std::to_string(index) + "]." + key;
    if (!it->is_object()) {
        error = where + " must be an object";
        return false;
    }
    for (const auto& [k, v] : it->items()) {
        if (!v.is_string()) {
            error = where + "." + k + " must be a string";
            return false;
        }
        out[k] = v.get<std::string>();
    }
    return true;
}

}  // namespace

EventParse parse_alertmanager_payload(std::string_view body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) return {{}, "the body is not JSON"};
    if (!j.is_object()) return {{}, "the body must be a JSON object (Alertmanager webhook payload)"};
    if (auto v = j.find("version"); v != j.end() && !(v->is_string() && v->get<std::string>() == "4"))
        return {{}, "payload version " + v->dump() + " is not understood; backstop reads Alertmanager's version \"4\""};
    auto alerts = j.find("alerts");
    if (alerts == j.end() || !alerts->is_array()) return {{}, "\"alerts\" must be an array (Alertmanager webhook payload)"};
    EventParse out;
    for (std::size_t i = 0; i < alerts->size(); ++i) {
        const auto& a = (*alerts)[i];
        std::string where = "alerts[" + std::to_string(i) + "]";
        if (!a.is_object()) return {{}, where + " must be an object"};
        IncomingEvent e;
        auto status = a.find("status");
        if (status == a.end() || !status->is_string() || (*status != "firing" && *status != "resolved"))
            return {{}, where + ".status must be \"firing\" or \"resolved\""};
        e.firing = *status == "firing";
        std::map<std::string, std::string> annotations;
        std::string error;
        if (!read_string_map(a, "labels", e.labels, error, i) || !read_string_map(a, "annotations", annotations, error, i))
            return {{}, error};
        auto name = e.labels.find("alertname");
        e.name = name != e.labels.end() && !name->second.empty() ? name->second : "alert";
        if (auto f = a.find("fingerprint"); f != a.end() && f->is_string()) e.fingerprint = f->get<std::string>();
        if (auto s = annotations.find("summary"); s != annotations.end()) e.summary = s->second;
        else if (auto d = annotations.find("description"); d != annotations.end()) e.summary = d->second;
        out.events.push_back(std::move(e));
    }
    return out;
}

}  // namespace backstop
