// The host's CPU as a source: value = percent of CPU time (all CPUs together) spent busy, i.e. not
// idle and not waiting for I/O, from /proc/stat, between the previous look and this one. The first
// look has no previous reading and takes two about 200 ms apart (less when the timeout is shorter);
// later looks answer at once (a look less than 200 ms after the previous one waits for the rest).
// The previous reading survives the process through save_state / restore_state ({"boot_id",
// "time_ms", "busy", "total"}; a reading from another boot is ignored), so `backstop eval --once`
// from cron reports the average since the previous run. Always ok when /proc/stat could be read:
// thresholds belong to triggers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "observe/source.h"

namespace backstop {

// Cumulative CPU time since boot, in clock ticks, all CPUs together.
struct CpuTimes {
    std::uint64_t busy = 0;   // user + nice + system + irq + softirq + steal
    std::uint64_t total = 0;  // busy + idle + iowait
};

// The first line of /proc/stat ("cpu  4705 356 584 3699 23 23 0 0 0 0"); nullopt when it is not
// there or holds fewer than the four first numbers.
std::optional<CpuTimes> parse_cpu_times(std::string_view proc_stat);

class CpuSource : public Source {
public:
    explicit CpuSource(SourceSpec spec);
    Observation observe() override;
    nlohmann::json save_state() const override;
    void restore_state(const nlohmann::json& state) override;

private:
    struct Reading {
        CpuTimes times;
        std::int64_t time_ms = 0;  // when it was taken, milliseconds since the Unix epoch
    };
    std::optional<Reading> read(std::string& error) const;

    SourceSpec spec_;
    std::string boot_id_;  // /proc/sys/kernel/random/boot_id: tick counters restart with each boot
    std::optional<Reading> previous_;
};

}  // namespace backstop
