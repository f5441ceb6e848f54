#include "prim/lock_files.h"
#include "core/json_text.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "prim/state_files.h"

namespace backstop {

namespace fs = std::filesystem;

namespace {

class FileLock final : public HeldLock {
public:
    explicit FileLock(int fd) : fd_(fd) {}
    ~FileLock() override {
        // Clear the holder first so nobody reads a stale name after we let go.
        if (::ftruncate(fd_, 0) != 0) { /* the flock release below is what matters */ }
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }

private:
    int fd_;
};

LockHolder read_holder(int fd) {
    LockHolder h;
    std::string data;
    char buf[4096];
    ssize_t n;
    off_t off = 0;
    while ((n = ::pread(fd, buf, sizeof buf, off)) > 0) {
        data.append(buf, static_cast<std::size_t>(n));
        off += n;
    }
    auto j = nlohmann::json::parse(data, nullptr, false);
    if (j.is_object()) {
        h.run_id = j.value("run_id", "");
        h.actor = j.value("actor", "");
        h.host = j.value("host", "");
        h.pid = j.value("pid", 0L);
        h.since_ms = j.value("since_ms", std::int64_t{0});
    }
    return h;
}

class LockFiles final : public LockManager {
public:
    explicit LockFiles(fs::path dir) : dir_(std::move(dir)) {}

    std::unique_ptr<HeldLock> try_acquire(const std::string& service, const LockHolder& me, LockHolder* holder) override {
        int fd = open_lock(service);
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int err = errno;
            if (err != EWOULDBLOCK) {
                ::close(fd);
                throw Error("cannot lock " + path_of(service).string() + ": " + std::strerror(err));
            }
            if (holder) *holder = read_holder(fd);
            ::close(fd);
            return nullptr;
        }
        nlohmann::json j = {{"run_id", me.run_id}, {"actor", me.actor}, {"host", me.host},
                            {"pid", me.pid},       {"since_ms", me.since_ms}};
        std::string text = json_text(j) + "\n";
        if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
            int err = errno;
            ::close(fd);
            throw Error("cannot write lock " + path_of(service).string() + ": " + std::strerror(err));
        }
        return std::make_unique<FileLock>(fd);
    }

    std::optional<LockHolder> current_holder(const std::string& service) override {
        if (!fs::exists(path_of(service))) return std::nullopt;
        int fd = open_lock(service);
        if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
            ::close(fd);
            return std::nullopt;
        }
        LockHolder h = read_holder(fd);
        ::close(fd);
        return h;
    }

private:
    fs::path path_of(const std::string& service) const { return dir_ / (service + ".lock"); }

    int open_lock(const std::string& service) {
        prepare_state_folder(dir_.parent_path(), dir_.filename());
        // Lock files are never unlinked: unlinking races with a waiter that opened the old inode.
        return open_state_file(path_of(service), O_RDWR | O_CREAT, "lock");
    }

    fs::path dir_;
};

}  // namespace

std::unique_ptr<LockManager> make_lock_files(const fs::path& dir) { return std::make_unique<LockFiles>(dir); }

}  // namespace backstop
