#include "observe/memory_source.h"

#include <algorithm>
#include <cstdio>

#include "observe/proc_file.h"

namespace backstop {

namespace {

// The number after "Key:" on the line that starts with it ("MemTotal:  16314504 kB").
std::optional<std::uint64_t> meminfo_field(std::string_view text, std::string_view key) {
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        std::string_view line = text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
            std::size_t i = key.size() + 1;
            while (i < line.size() && line[i] == ' ') ++i;
            std::uint64_t value = 0;
            std::size_t digits = 0;
            for (; i < line.size() && line[i] >= '0' && line[i] <= '9' && digits < 19; ++i, ++digits)
                value = value * 10 + static_cast<std::uint64_t>(line[i] - '0');
            if (digits == 0) return std::nullopt;
            return value;
        }
        if (end == std::string_view::npos) break;
        at = end + 1;
    }
    return std::nullopt;
}

}  // namespace

std::optional<MemoryUse> parse_meminfo(std::string_view text) {
    auto total = meminfo_field(text, "MemTotal");
    auto available = meminfo_field(text, "MemAvailable");
    if (!total || !available || *total == 0) return std::nullopt;
    return MemoryUse{*total, std::min(*available, *total)};
}

MemorySource::MemorySource(SourceSpec spec) : spec_(std::move(spec)) {}

Observation MemorySource::observe() {
    Observation o = begin_observation(spec_);
    const std::string path = "/proc/meminfo";
    std::string error;
    auto text = read_proc_file(path, error);
    if (!text) {
        o.error = "cannot read " + path + ": " + error;
        return o;
    }
    auto use = parse_meminfo(*text);
    if (!use) {
        o.error = path + " holds no MemTotal and MemAvailable";
        return o;
    }
    double used_kib = static_cast<double>(use->total_kib - use->available_kib);
    double percent = used_kib / static_cast<double>(use->total_kib) * 100;
    o.status = ObservationStatus::ok;
    o.value = percent;
    char buf[160];
    std::snprintf(buf, sizeof buf, "memory %.1f%% in use: %s of %s (%s available)", round_tenth(percent),
                  format_bytes(used_kib * 1024).c_str(), format_bytes(static_cast<double>(use->total_kib) * 1024).c_str(),
                  format_bytes(static_cast<double>(use->available_kib) * 1024).c_str());
    o.detail = buf;
    return o;
}

}  // namespace backstop
