#include "observe/unit_source.h"

#include <cmath>
#include <map>

#include "core/error.h"
#include "prim/systemd_units.h"

namespace backstop {

namespace {

// "Key=Value" lines of `systemctl show` as a map.
std::map<std::string, std::string> parse_properties(const std::string& text) {
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        if (auto eq = line.find('='); eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
        pos = end + 1;
    }
    return out;
}

}  // namespace

UnitSource::UnitSource(SourceSpec spec, ProcessRunner& runner) : spec_(std::move(spec)), runner_(runner) {}

Observation UnitSource::observe() {
    Observation o = begin_observation(spec_);
    const std::string& unit = spec_.unit().unit;
    SystemdScope scope = spec_.unit().scope == "user" ? SystemdScope::user : SystemdScope::system;
    std::string where = unit + (scope == SystemdScope::user ? " (user)" : "");
    std::map<std::string, std::string> props;
    try {
        SystemdUnits units(runner_, scope, spec_.timeout);
        props = parse_properties(units.run({"show", "-p", "LoadState", "-p", "ActiveState", "-p", "NRestarts", unit}));
    } catch (const Error& e) {
        o.error = e.what();
        return o;
    }
    o.state = props["ActiveState"];
    if (o.state.empty()) {
        o.error = "systemctl show " + unit + " gave no ActiveState";
        return o;
    }
    if (const std::string& n = props["NRestarts"]; !n.empty() && n.find_first_not_of("0123456789") == std::string::npos)
        o.value = o.restarts = std::stod(n);
    if (props["LoadState"] == "not-found") {
        o.status = ObservationStatus::failed;
        o.detail = where + ": no such unit";
        return o;
    }
    o.status = o.state == "active" ? ObservationStatus::ok : ObservationStatus::failed;
    o.detail = where + ": " + o.state;
    if (!std::isnan(o.restarts)) o.detail += ", " + props["NRestarts"] + " restarts";
    return o;
}

}  // namespace backstop
