#include "serve/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace backstop {

namespace {

// Fields of /proc/self/stat after the command name, which may hold spaces: field 3 is at [0].
std::vector<std::string> stat_fields() {
    std::ifstream in("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    std::vector<std::string> out;
    if (close == std::string::npos) return out;
    std::istringstream rest(text.substr(close + 1));
    for (std::string f; rest >> f;) out.push_back(f);
    return out;
}

double boot_time_seconds() {
    std::ifstream in("/proc/stat");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
    return 0;
}

double open_fd_count() {
    std::error_code ec;
    double n = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
}

}  // namespace

ProcessMetrics::ProcessMetrics(MetricsRegistry& registry)
    : cpu_seconds_(registry.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")),
      resident_bytes_(registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.")),
      virtual_bytes_(registry.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")),
      start_time_(registry.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")),
      open_fds_(registry.gauge("process_open_fds", "Number of open file descriptors.")),
      max_fds_(registry.gauge("process_max_fds", "Maximum number of open file descriptors.")) {
    refresh();
}

void ProcessMetrics::refresh() {
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    std::vector<std::string> f = stat_fields();
    // Counted from field 3: utime 14, stime 15, starttime 22, vsize 23, rss 24.
    if (f.size() > 21) {
        double cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;
        if (cpu > cpu_reported_) cpu_seconds_.with().inc(cpu - cpu_reported_);
        cpu_reported_ = std::max(cpu_reported_, cpu);
        start_time_.with().set(boot_time_seconds() + std::stod(f[19]) / ticks);
        virtual_bytes_.with().set(std::stod(f[20]));
        resident_bytes_.with().set(std::stod(f[21]) * page);
    }
    open_fds_.with().set(open_fd_count());
    rlimit fds{};
    if (getrlimit(RLIMIT_NOFILE, &fds) == 0) max_fds_.with().set(static_cast<double>(fds.rlim_cur));
}

}  // namespace backstop
