#include "prim/run_processes.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace backstop {

namespace {

thread_local std::string t_run_id;

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Whether /proc/PID/environ holds exactly NAME=VALUE as one entry.
bool environ_has(const std::string& environ, const std::string& entry) {
    for (std::size_t at = 0; at < environ.size();) {
        std::size_t end = environ.find('\0', at);
        if (end == std::string::npos) end = environ.size();
        if (environ.compare(at, end - at, entry) == 0) return true;
        at = end + 1;
    }
    return false;
}

bool alive(pid_t pid) {
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

}  // namespace

RunProcessScope::RunProcessScope(std::string run_id) : previous_(std::move(t_run_id)) { t_run_id = std::move(run_id); }
RunProcessScope::~RunProcessScope() { t_run_id = std::move(previous_); }

const std::string& current_run_id() { return t_run_id; }

std::vector<RunProcess> find_run_processes(const std::string& run_id) {
    std::vector<RunProcess> out;
    if (run_id.empty()) return out;
    const std::string entry = std::string(kRunIdVariable) + "=" + run_id;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        pid_t pid = static_cast<pid_t>(std::stol(name));
        if (!environ_has(read_file(it->path() / "environ"), entry) || !alive(pid)) continue;
        std::string cmdline = read_file(it->path() / "cmdline");
        for (char& c : cmdline)
            if (c == '\0') c = ' ';
        while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
        out.push_back({pid, cmdline});
    }
    return out;
}

std::vector<RunProcess> end_run_processes(const std::vector<RunProcess>& processes, std::chrono::milliseconds grace) {
    std::vector<RunProcess> ended;
    for (const auto& p : processes)
        if (::kill(p.pid, SIGTERM) == 0) ended.push_back(p);
    const auto until = std::chrono::steady_clock::now() + grace;
    for (const auto& p : ended) {
        while (alive(p.pid) && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (alive(p.pid)) ::kill(p.pid, SIGKILL);
    }
    return ended;
}

}  // namespace backstop
