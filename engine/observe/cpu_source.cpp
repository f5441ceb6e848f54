#include "observe/cpu_source.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "observe/proc_file.h"

namespace backstop {

namespace {

constexpr std::int64_t kSampleMs = 200;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string read_boot_id() {
    std::string error;
    auto text = read_proc_file("/proc/sys/kernel/random/boot_id", error, 128);
    if (!text) return {};
    while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
    return *text;
}

// "61 s", "1.5 s", "200 ms": how long the measured window was.
std::string format_window(std::int64_t ms) {
    if (ms < 1000) return std::to_string(ms) + " ms";
    char buf[32];
    std::snprintf(buf, sizeof buf, ms < 10'000 ? "%.1f s" : "%.0f s", static_cast<double>(ms) / 1000);
    return buf;
}

}  // namespace

std::optional<CpuTimes> parse_cpu_times(std::string_view proc_stat) {
    std::string_view line = proc_stat.substr(0, proc_stat.find('\n'));
    if (line.substr(0, 4) != "cpu ") return std::nullopt;
    line.remove_prefix(4);
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already
    // counted in user and nice, so the last two are left out.
    std::uint64_t fields[8] = {};
    std::size_t count = 0;
    while (count < 8) {
        while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        if (line.empty() || line.front() < '0' || line.front() > '9') break;
        std::uint64_t value = 0;
        for (std::size_t digits = 0; !line.empty() && line.front() >= '0' && line.front() <= '9'; line.remove_prefix(1))
            if (++digits <= 19) value = value * 10 + static_cast<std::uint64_t>(line.front() - '0');
        fields[count++] = value;
    }
    if (count < 4) return std::nullopt;
    CpuTimes t;
    std::uint64_t idle = fields[3] + fields[4];
    t.busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
    t.total = t.busy + idle;
    return t;
}

CpuSource::CpuSource(SourceSpec spec) : spec_(std::move(spec)), boot_id_(read_boot_id()) {}

std::optional<CpuSource::Reading> CpuSource::read(std::string& error) const {
    auto text = read_proc_file("/proc/stat", error, 4096);  // the first line is all we need
    if (!text) {
        error = "cannot read /proc/stat: " + error;
        return std::nullopt;
    }
    auto times = parse_cpu_times(*text);
    if (!times) {
        error = "/proc/stat does not start with a cpu line";
        return std::nullopt;
    }
    return Reading{*times, now_ms()};
}

Observation CpuSource::observe() {
    Observation o = begin_observation(spec_);
    std::string error;
    auto current = read(error);
    if (!current) {
        o.error = error;
        return o;
    }
    // The previous reading counts unless the counters went backwards (another boot, a bad state).
    bool from_previous = previous_ && previous_->times.total <= current->times.total && previous_->times.busy <= current->times.busy;
    Reading first = from_previous ? *previous_ : *current;
    std::int64_t sample_ms = std::clamp<std::int64_t>(spec_.timeout.count() / 2, 1, kSampleMs);
    std::int64_t age_ms = std::max<std::int64_t>(current->time_ms - first.time_ms, 0);
    if (age_ms < sample_ms || current->times.total == first.times.total) {
        // Too close to the first reading for the tick counters to say much: wait for the rest.
        std::this_thread::sleep_for(std::chrono::milliseconds(std::max<std::int64_t>(sample_ms - age_ms, 1)));
        current = read(error);
        if (!current) {
            o.error = error;
            return o;
        }
    }
    if (current->times.total <= first.times.total) {
        previous_ = first;
        o.error = "no CPU time was counted in " + format_window(sample_ms) + "; a longer timeout gives the counters time";
        return o;
    }
    std::uint64_t busy = current->times.busy >= first.times.busy ? current->times.busy - first.times.busy : 0;
    double percent = std::min(100.0, static_cast<double>(busy) / static_cast<double>(current->times.total - first.times.total) * 100);
    std::int64_t window_ms = std::max<std::int64_t>(current->time_ms - first.time_ms, 0);
    previous_ = current;
    o.status = ObservationStatus::ok;
    o.value = percent;
    char buf[48];
    std::snprintf(buf, sizeof buf, "CPU %.1f%% busy", round_tenth(percent));
    o.detail = buf;
    o.detail += from_previous ? " in the " + format_window(window_ms) + " since the previous look"
                              : " over " + format_window(window_ms) + " (first look: two readings)";
    return o;
}

nlohmann::json CpuSource::save_state() const {
    if (!previous_) return nlohmann::json::object();
    return {{"boot_id", boot_id_}, {"time_ms", previous_->time_ms}, {"busy", previous_->times.busy}, {"total", previous_->times.total}};
}

void CpuSource::restore_state(const nlohmann::json& state) {
    if (!state.is_object()) return;
    auto boot_id = state.find("boot_id");
    auto time_ms = state.find("time_ms");
    auto busy = state.find("busy");
    auto total = state.find("total");
    if (boot_id == state.end() || !boot_id->is_string() || boot_id->get<std::string>() != boot_id_) return;
    if (time_ms == state.end() || !time_ms->is_number_integer()) return;
    if (busy == state.end() || !busy->is_number_unsigned() || total == state.end() || !total->is_number_unsigned()) return;
    Reading r{{busy->get<std::uint64_t>(), total->get<std::uint64_t>()}, time_ms->get<std::int64_t>()};
    if (r.times.busy > r.times.total) return;
    previous_ = r;
}

}  // namespace backstop
