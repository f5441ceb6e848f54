#include "prim/state_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string_view>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/sha256.h"

namespace backstop {

namespace fs = std::filesystem;

namespace {

std::string mode_text(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

// A folder of our own: created 0750 and then set to exactly that, since mkdir(2) applies the umask.
void make_folder(const fs::path& dir) {
    if (::mkdir(dir.c_str(), kStateFolderMode) != 0) {
        if (errno == EEXIST) return;  // made meanwhile by another run; it is checked like any other
        throw Error("cannot create state folder " + dir.string() + ": " + std::strerror(errno));
    }
    if (::chmod(dir.c_str(), kStateFolderMode) != 0)
        throw Error("cannot set the mode of state folder " + dir.string() + ": " + std::strerror(errno));
}

// `root` and its missing ancestors, outermost first.
void make_root(const fs::path& root) {
    struct stat st {};
    if (::stat(root.c_str(), &st) == 0 || errno != ENOENT) return;
    fs::path parent = root.parent_path();
    if (!parent.empty() && parent != root) make_root(parent);
    make_folder(root);
}

// `follow`: the root may be a link to a folder (/var/lib/backstop -> /data/backstop); folders
// below it may not, or whoever can write the root's parent could redirect them.
// Returns false when the folder does not exist.
bool check_folder(const fs::path& dir, bool follow) {
    struct stat st {};
    if ((follow ? ::stat(dir.c_str(), &st) : ::lstat(dir.c_str(), &st)) != 0) {
        if (errno == ENOENT) return false;
        throw Error("cannot use state folder " + dir.string() + ": " + std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode))
        throw Error("state folder " + dir.string() + " is a symbolic link; backstop keeps its state only in real folders: remove it");
    if (!S_ISDIR(st.st_mode)) throw Error("state folder " + dir.string() + " is not a folder");
    if (st.st_mode & S_IWOTH)
        throw Error("state folder " + dir.string() + " is writable by others (mode " + mode_text(st.st_mode) +
                    "); refusing to keep history and locks where anyone could plant a link: chmod o-w " + dir.string());
    return true;
}

void walk(const fs::path& given_root, const fs::path& sub, bool create) {
    const fs::path root = given_root.empty() ? fs::path(".") : given_root;
    if (create) make_root(root);
    if (!check_folder(root, true)) return;
    fs::path dir = root;
    for (const auto& part : sub) {
        if (part.empty() || part == ".") continue;
        dir /= part;
        if (create && !check_folder(dir, false)) make_folder(dir);
        if (!check_folder(dir, false)) return;
    }
}

Error open_error(const fs::path& file, const std::string& what, int err) {
    if (err == ELOOP)
        return Error("cannot open " + what + " " + file.string() +
                     ": it is a symbolic link; state files must be regular files: remove it");
    return Error("cannot open " + what + " " + file.string() + ": " + std::strerror(err));
}

void write_all(int fd, std::string_view data, const fs::path& file, const std::string& what) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("cannot write " + what + " " + file.string() + ": " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

void prepare_state_folder(const fs::path& root, const fs::path& sub) { walk(root, sub, true); }

void check_state_folder(const fs::path& root, const fs::path& sub) { walk(root, sub, false); }

int open_state_file(const fs::path& file, int flags, const std::string& what) {
    // O_NONBLOCK: a FIFO planted here must not hang the run; it is refused below like any non-file.
    const int base = (flags & ~O_CREAT) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
    int fd = -1;
    if (flags & O_CREAT) {
        fd = ::open(file.c_str(), base | O_CREAT | O_EXCL, kStateFileMode);
        if (fd >= 0 && ::fchmod(fd, kStateFileMode) != 0) {
            int err = errno;
            ::close(fd);
            throw Error("cannot set the mode of " + what + " " + file.string() + ": " + std::strerror(err));
        }
        if (fd < 0 && errno != EEXIST) throw open_error(file, what, errno);
    }
    if (fd < 0) fd = ::open(file.c_str(), base);
    if (fd < 0) {
        if (errno == ENOENT && !(flags & O_CREAT)) return -1;
        throw open_error(file, what, errno);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error("cannot open " + what + " " + file.string() + ": not a regular file");
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

std::optional<std::string> read_state_file(const fs::path& file, const std::string& what) {
    int fd = open_state_file(file, O_RDONLY, what);
    if (fd < 0) return std::nullopt;
    std::string data;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            throw Error("cannot read " + what + " " + file.string() + ": " + std::strerror(err));
        }
        if (n == 0) break;
        data.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return data;
}

namespace {

// Replaces `file` atomically: `fill` writes the content into a new temp file beside it (O_EXCL,
// mode 0640), which is then synced and renamed over `file`.
void replace_state_file(const fs::path& file, const std::string& what,
                        const std::function<void(int fd, const fs::path& tmp)>& fill) {
    fs::path tmp = file.parent_path() / ("." + file.filename().string() + ".backstop-" + std::to_string(::getpid()));
    ::unlink(tmp.c_str());  // left by a process of the same pid that died mid-write
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kStateFileMode);
    if (fd < 0) throw open_error(tmp, what, errno);
    try {
        if (::fchmod(fd, kStateFileMode) != 0) throw Error("cannot set the mode of " + tmp.string() + ": " + std::strerror(errno));
        fill(fd, tmp);
        if (::fsync(fd) != 0) throw Error("cannot sync " + what + " " + tmp.string() + ": " + std::strerror(errno));
    } catch (const Error&) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    // rename(2) replaces whatever is at `file`, a link included, without following it.
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Error("cannot replace " + what + " " + file.string() + ": " + std::strerror(err));
    }
}

// Copies the rest of `in` into `out` in fixed-size chunks, each also given to `digest`.
void copy_hashing(int in, const fs::path& from, int out, const fs::path& tmp, const std::string& what, Sha256& digest) {
    char buffer[64 * 1024];
    for (;;) {
        ssize_t n = ::read(in, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("cannot read " + from.string() + ": " + std::strerror(errno));
        if (n == 0) return;
        const std::string_view chunk(buffer, static_cast<std::size_t>(n));
        digest.update(chunk);
        write_all(out, chunk, tmp, what);
    }
}

}  // namespace

void write_state_file(const fs::path& file, const std::string& content, const std::string& what) {
    replace_state_file(file, what, [&](int fd, const fs::path& tmp) { write_all(fd, content, tmp, what); });
}

std::string copy_to_state_file(const fs::path& from, const fs::path& file, const std::string& what) {
    int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) throw Error("cannot read " + from.string() + ": " + std::strerror(errno));
    Sha256 digest;
    try {
        replace_state_file(file, what, [&](int out, const fs::path& tmp) { copy_hashing(in, from, out, tmp, what, digest); });
    } catch (const Error&) {
        ::close(in);
        throw;
    }
    ::close(in);
    return digest.hex();
}

std::optional<std::string> sha256_of_state_file(const fs::path& file, const std::string& what) {
    int fd = open_state_file(file, O_RDONLY, what);
    if (fd < 0) return std::nullopt;
    try {
        std::string hex = sha256_fd_hex(fd, what + " " + file.string());
        ::close(fd);
        return hex;
    } catch (const Error&) {
        ::close(fd);
        throw;
    }
}

}  // namespace backstop
