#include "runtime/service_pause.h"

#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "core/run_record.h"
#include "prim/state_files.h"

namespace backstop {

namespace {
std::filesystem::path pause_file(const std::filesystem::path& state_dir, const std::string& service) {
    return state_dir / "paused" / (service + ".json");
}
}  // namespace

std::optional<ServicePause> read_pause(const std::filesystem::path& state_dir, const std::string& service, std::int64_t now_ms) {
    check_state_folder(state_dir, "paused");
    auto text = read_state_file(pause_file(state_dir, service), "pause");
    if (!text) return std::nullopt;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    ServicePause p;
    p.service = service;
    p.since_ms = j.value("since_ms", std::int64_t{0});
    p.until_ms = j.value("until_ms", std::int64_t{0});
    p.actor = j.value("actor", "");
    p.reason = j.value("reason", "");
    if (p.until_ms && p.until_ms <= now_ms) return std::nullopt;
    return p;
}

void write_pause(const std::filesystem::path& state_dir, const ServicePause& p) {
    auto file = pause_file(state_dir, p.service);
    prepare_state_folder(state_dir, "paused");
    write_state_file(file, json_text(nlohmann::json{{"service", p.service}, {"since_ms", p.since_ms}, {"until_ms", p.until_ms},
                                                         {"actor", p.actor}, {"reason", p.reason}}) + "\n",
                     "pause");
}

bool clear_pause(const std::filesystem::path& state_dir, const std::string& service) {
    std::error_code ec;
    return std::filesystem::remove(pause_file(state_dir, service), ec);
}

std::string describe(const ServicePause& p) {
    std::string out = "paused by " + (p.actor.empty() ? std::string("someone") : p.actor) +
                      (p.until_ms ? " until " + format_utc(p.until_ms) : std::string(" until `backstop resume`"));
    if (!p.reason.empty()) out += ": " + p.reason;
    return out;
}

}  // namespace backstop
