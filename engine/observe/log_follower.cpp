#include "observe/log_follower.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace backstop {

namespace {

std::string describe_errno(int err) { return err == ENOENT ? "no such file" : std::strerror(err); }

}  // namespace

LogFollower::LogFollower(std::string path, std::size_t max_read, std::size_t max_line)
    : path_(std::move(path)), max_read_(std::max<std::size_t>(max_read, 1)), max_line_(std::max<std::size_t>(max_line, 1)) {}

LogFollower::~LogFollower() { close_file(); }

void LogFollower::close_file() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    offset_ = 0;
}

void LogFollower::flush_partial(const std::function<void(std::string_view)>& on_line) {
    if (!partial_.empty()) on_line(partial_);
    partial_.clear();
}

bool LogFollower::drain(const std::function<void(std::string_view)>& on_line, std::size_t& budget) {
    char buf[64 * 1024];
    while (budget > 0) {
        ssize_t n = ::read(fd_, buf, std::min(sizeof buf, budget));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return true;  // the end (a read error is treated alike: the next call retries)
        offset_ += n;
        budget -= static_cast<std::size_t>(n);
        std::string_view chunk(buf, static_cast<std::size_t>(n));
        while (!chunk.empty()) {
            auto newline = chunk.find('\n');
            std::string_view piece = chunk.substr(0, newline);
            if (partial_.empty() && newline != std::string_view::npos && piece.size() <= max_line_) {
                on_line(piece);  // the common case: a whole line inside the chunk, no copy
            } else {
                while (!piece.empty()) {  // a line longer than max_line_ goes out in pieces
                    std::size_t room = max_line_ - partial_.size();
                    partial_.append(piece.substr(0, room));
                    piece.remove_prefix(std::min(room, piece.size()));
                    if (partial_.size() >= max_line_) flush_partial(on_line);
                }
                if (newline != std::string_view::npos) flush_partial(on_line);
            }
            if (newline == std::string_view::npos) break;
            chunk.remove_prefix(newline + 1);
        }
    }
    return false;
}

LogFollower::Position LogFollower::position() const {
    Position p;
    p.started = started_;
    p.has_file = fd_ >= 0 || resuming_;
    if (p.has_file) {
        p.device = static_cast<std::uint64_t>(dev_);
        p.inode = static_cast<std::uint64_t>(ino_);
        p.offset = static_cast<std::uint64_t>(offset_);
        p.partial = partial_;
    }
    return p;
}

bool LogFollower::resume(const Position& where) {
    if (where.has_file) {
        if (!where.started || where.partial.size() >= max_line_ || where.partial.size() > where.offset ||
            where.offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()))
            return false;
    }
    close_file();
    started_ = where.started;
    resuming_ = where.has_file;
    partial_ = where.has_file ? where.partial : std::string();
    dev_ = static_cast<dev_t>(where.device);
    ino_ = static_cast<ino_t>(where.inode);
    offset_ = static_cast<off_t>(where.offset);
    return true;
}

LogFollower::Result LogFollower::read_new_lines(const std::function<void(std::string_view)>& on_line) {
    Result result;
    std::size_t budget = max_read_;
    // What was written to the file we hold counts even if it has been renamed or deleted since.
    if (fd_ >= 0 && !drain(on_line, budget)) return result;

    struct stat named{};
    if (::stat(path_.c_str(), &named) != 0) {
        int err = errno;
        if (err == ENOENT) started_ = true;
        if (err == ENOENT && resuming_) {  // the file we were to continue was moved or deleted
            resuming_ = false;
            flush_partial(on_line);
        }
        if (fd_ >= 0) {
            flush_partial(on_line);
            close_file();
        }
        result.readable = false;
        result.error = describe_errno(err);
        return result;
    }
    if (fd_ >= 0) {
        if (named.st_dev == dev_ && named.st_ino == ino_) {
            if (named.st_size >= offset_) return result;
            result.event = "truncated";
            partial_.clear();  // it was copied away with the rest; the file starts over
            if (::lseek(fd_, 0, SEEK_SET) == 0) offset_ = 0;
            drain(on_line, budget);
            return result;
        }
        result.event = "rotated";
        flush_partial(on_line);
        close_file();
    }

    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat opened{};
    if (fd < 0 || ::fstat(fd, &opened) != 0) {
        int err = errno;
        if (fd >= 0) ::close(fd);
        result.readable = false;
        result.error = describe_errno(err);
        return result;
    }
    if (!S_ISREG(opened.st_mode)) {
        ::close(fd);
        result.readable = false;
        result.error = "not a regular file";
        return result;
    }
    fd_ = fd;
    if (resuming_) {
        resuming_ = false;
        if (opened.st_dev == dev_ && opened.st_ino == ino_) {  // the file the saved position is in
            off_t saved = offset_;
            if (opened.st_size >= saved && ::lseek(fd_, saved, SEEK_SET) == saved) {
                drain(on_line, budget);
                return result;
            }
            result.event = "truncated";
            partial_.clear();
            offset_ = 0;  // fd_ is still at 0: the seek above did not happen or failed
            drain(on_line, budget);
            return result;
        }
        result.event = "rotated";
        flush_partial(on_line);
    }
    dev_ = opened.st_dev;
    ino_ = opened.st_ino;
    if (!started_) {
        started_ = true;
        offset_ = ::lseek(fd_, 0, SEEK_END);
        result.event = "started at the end";
        return result;
    }
    if (result.event.empty()) result.event = "appeared";
    offset_ = 0;
    drain(on_line, budget);
    return result;
}

}  // namespace backstop
