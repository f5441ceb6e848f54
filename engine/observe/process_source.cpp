#include "observe/process_source.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace backstop {

namespace {

// Up to 64 bytes of the file: a pid file never holds more. nullopt on failure, with errno in `err`.
std::optional<std::string> read_small_file(const std::string& path, int& err) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        err = errno;
        return std::nullopt;
    }
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    err = errno;
    ::close(fd);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
}

// The pid written in `text` ("1234\n"), or 0 when it holds none.
pid_t parse_pid(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    long long pid = 0;
    std::size_t digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 10; ++i, ++digits) pid = pid * 10 + (text[i] - '0');
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) ++i;
    if (digits == 0 || i != text.size() || pid <= 0 || pid > 0x3fffffff) return 0;
    return static_cast<pid_t>(pid);
}

// kill(pid, 0) succeeds for zombies too; /proc tells them apart (state Z: exited, not yet reaped).
bool is_zombie(pid_t pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/stat";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    if (n <= 0) return false;
    std::string stat(buf, static_cast<std::size_t>(n));
    auto close_paren = stat.rfind(')');  // the command name may itself hold ')'
    return close_paren != std::string::npos && close_paren + 2 < stat.size() && stat[close_paren + 2] == 'Z';
}

}  // namespace

ProcessSource::ProcessSource(SourceSpec spec) : spec_(std::move(spec)) {}

Observation ProcessSource::observe() {
    Observation o = begin_observation(spec_);
    const std::string& path = spec_.process().pid_file;
    int err = 0;
    std::optional<std::string> text = read_small_file(path, err);
    if (!text) {
        if (err == ENOENT) {
            o.status = ObservationStatus::failed;
            o.state = "dead";
            o.detail = "no pid file " + path;
        } else {
            o.error = "cannot read pid file " + path + ": " + std::strerror(err);
        }
        return o;
    }
    pid_t pid = parse_pid(*text);
    if (pid == 0) {
        o.error = "pid file " + path + " does not hold a pid";
        return o;
    }
    o.value = pid;
    bool alive = (::kill(pid, 0) == 0 || errno == EPERM) && !is_zombie(pid);
    o.status = alive ? ObservationStatus::ok : ObservationStatus::failed;
    o.state = alive ? "running" : "dead";
    o.detail = "pid " + std::to_string(pid) + " (" + path + ") " + (alive ? "is running" : "is not running");
    return o;
}

}  // namespace backstop
