// The host's memory as a source: value = percent in use, (MemTotal - MemAvailable) / MemTotal from
// /proc/meminfo (MemAvailable: what could be handed out without swapping, page cache included).
// Always ok when /proc/meminfo could be read: thresholds belong to triggers. Keeps no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "observe/source.h"

namespace backstop {

struct MemoryUse {
    std::uint64_t total_kib = 0;
    std::uint64_t available_kib = 0;
};

// MemTotal and MemAvailable from /proc/meminfo's text; nullopt when either is missing or MemTotal is 0.
std::optional<MemoryUse> parse_meminfo(std::string_view text);

class MemorySource : public Source {
public:
    explicit MemorySource(SourceSpec spec);
    Observation observe() override;

private:
    SourceSpec spec_;
};

}  // namespace backstop
