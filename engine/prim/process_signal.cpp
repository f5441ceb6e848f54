#include "prim/process_signal.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "core/text.h"

namespace backstop {

std::optional<int> signal_number(const std::string& name) {
    std::string n = ascii_upper(name);
    if (n.rfind("SIG", 0) == 0) n = n.substr(3);
    static const std::pair<const char*, int> known[] = {{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT},
                                                        {"TERM", SIGTERM}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
                                                        {"USR2", SIGUSR2}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}};
    for (const auto& [k, v] : known)
        if (n == k) return v;
    return std::nullopt;
}

long read_pid_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot read pid file " + path + ": " + std::strerror(errno));
    long pid = 0;
    if (!(in >> pid) || pid <= 0) throw Error("pid file " + path + " does not hold a process id");
    return pid;
}

void send_signal(long pid, int signo) {
    if (::kill(static_cast<pid_t>(pid), signo) != 0)
        throw Error("cannot signal process " + std::to_string(pid) + ": " + std::strerror(errno));
}

}  // namespace backstop
