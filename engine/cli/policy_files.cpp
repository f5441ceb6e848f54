#include "cli/policy_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"
#include "core/parallel_for.h"

namespace backstop::cli {

namespace fs = std::filesystem;

namespace {

// The whole file, read with plain system calls: a fleet has thousands, and a stream costs more
// to set up than the read.
std::string read_text(const fs::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot read policy file " + file.string() + ": " + std::strerror(errno));
    std::string text;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) text.reserve(static_cast<std::size_t>(st.st_size));
    char chunk[16 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            text.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        const int error = errno;
        ::close(fd);
        if (n < 0) throw Error("cannot read policy file " + file.string() + ": " + std::strerror(error));
        return text;
    }
}

// `cwd`: the current directory, which relative paths start from (asked once, not per file).
PolicySource read_one(const fs::path& file, const fs::path& cwd) {
    fs::path abs = (file.is_absolute() ? file : cwd / file).lexically_normal();
    return {file.string(), read_text(file), abs.parent_path()};
}

}  // namespace

std::vector<PolicySource> read_policy_sources(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error("policy path " + path.string() + " does not exist (set --policies or BACKSTOP_POLICIES)");
    const fs::path cwd = fs::current_path();
    if (!fs::is_directory(path, ec)) return {read_one(path, cwd)};
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".toml") files.push_back(it->path());
    }
    if (ec) throw Error("cannot list policies in " + path.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    std::vector<PolicySource> out(files.size());
    parallel_for(files.size(), 64, 4, [&](std::size_t i) { out[i] = read_one(files[i], cwd); });
    return out;
}

}  // namespace backstop::cli
