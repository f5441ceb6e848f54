#include "observe/proc_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace backstop {

std::optional<std::string> read_proc_file(const std::string& path, std::string& error, std::size_t max) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = errno == ENOENT ? "no such file" : std::strerror(errno);
        return std::nullopt;
    }
    std::string text;
    char buf[16 * 1024];
    while (text.size() < max) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = std::strerror(errno);
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (text.size() > max) text.resize(max);
    return text;
}

}  // namespace backstop
