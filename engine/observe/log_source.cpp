#include "observe/log_source.h"

#include <cstdint>
#include <optional>

namespace backstop {

namespace {

// The partial line is kept as hex: it may hold any bytes, and JSON strings must be UTF-8.
std::string to_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 0xF];
    }
    return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
    auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int high = value(hex[i]), low = value(hex[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        out += static_cast<char>(high * 16 + low);
    }
    return out;
}

std::optional<std::uint64_t> unsigned_member(const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    if (it->is_number_unsigned()) return it->get<std::uint64_t>();
    if (it->is_number_integer() && it->get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(it->get<std::int64_t>());
    return std::nullopt;
}

}  // namespace

std::string shorten_line(std::string_view line, std::size_t max) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!line.empty() && blank(line.front())) line.remove_prefix(1);
    while (!line.empty() && blank(line.back())) line.remove_suffix(1);
    if (line.size() <= max) return std::string(line);
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    return std::string(line.substr(0, cut));
}

LogSource::LogSource(SourceSpec spec) : spec_(std::move(spec)), pattern_(spec_.log().pattern), follower_(spec_.log().path) {}

nlohmann::json LogSource::save_state() const {
    LogFollower::Position at = follower_.position();
    nlohmann::json state = {{"path", spec_.log().path}, {"started", at.started}};
    if (at.has_file)
        state["file"] = {{"device", at.device}, {"inode", at.inode}, {"offset", at.offset}, {"partial_hex", to_hex(at.partial)}};
    return state;
}

void LogSource::restore_state(const nlohmann::json& state) {
    if (!state.is_object()) return;
    auto path = state.find("path");
    auto started = state.find("started");
    if (path == state.end() || !path->is_string() || path->get<std::string>() != spec_.log().path) return;
    if (started == state.end() || !started->is_boolean()) return;
    LogFollower::Position at;
    at.started = started->get<bool>();
    if (auto file = state.find("file"); file != state.end()) {
        if (!file->is_object()) return;
        auto device = unsigned_member(*file, "device");
        auto inode = unsigned_member(*file, "inode");
        auto offset = unsigned_member(*file, "offset");
        auto partial_hex = file->find("partial_hex");
        if (!device || !inode || !offset || partial_hex == file->end() || !partial_hex->is_string()) return;
        auto partial = from_hex(partial_hex->get<std::string>());
        if (!partial) return;
        at.has_file = true;
        at.device = *device;
        at.inode = *inode;
        at.offset = *offset;
        at.partial = std::move(*partial);
    }
    follower_.resume(at);
}

Observation LogSource::observe() {
    Observation o = begin_observation(spec_);
    std::size_t matches = 0;
    std::string last;
    LogFollower::Result read = follower_.read_new_lines([&](std::string_view line) {
        if (!pattern_.found_in(line)) return;
        ++matches;
        last = shorten_line(line);
    });
    std::string where = spec_.log().path + (read.event.empty() ? "" : " (" + read.event + ")");
    if (matches > 0) {  // lines read before the file went away still count
        o.status = ObservationStatus::failed;
        o.value = static_cast<double>(matches);
        o.matched_line = last;
        o.detail = std::to_string(matches) + (matches == 1 ? " new line of " : " new lines of ") + where +
                   (matches == 1 ? " matches `" : " match `") + pattern_.pattern() + "`";
        if (!read.readable) o.detail += "; now: " + read.error;
        return o;
    }
    if (!read.readable) {
        o.error = spec_.log().path + ": " + read.error;
        return o;
    }
    o.status = ObservationStatus::ok;
    o.value = 0;
    o.detail = "no new line of " + where + " matches `" + pattern_.pattern() + "`";
    return o;
}

}  // namespace backstop
