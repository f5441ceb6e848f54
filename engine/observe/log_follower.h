// Reading the lines appended to a file since the last call, following it by name like `tail -F`:
// it keeps the file open and remembers its offset, so lines written just before a rotation are not
// lost; it notices rotation (the name now points at another file: the rest of the old one is read,
// then the new one from its start), truncation in place (copytruncate: the size shrank, so it starts
// over at 0) and a file that is missing (reported; read from its start once it appears).
// The very first call on an existing file starts at its end: history is not reported.
// A last line without its newline is kept until the newline arrives (or the file is rotated away).
// Its place can be carried to another process (position / resume), e.g. between two cron runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace backstop {

class LogFollower {
public:
    // `max_read`: bytes read per call at most (the rest waits for the next call), so one call stays
    // short however much was written. Lines longer than `max_line` are cut into pieces of that size.
    explicit LogFollower(std::string path, std::size_t max_read = 64u << 20, std::size_t max_line = 1u << 20);
    ~LogFollower();
    LogFollower(const LogFollower&) = delete;
    LogFollower& operator=(const LogFollower&) = delete;

    struct Result {
        bool readable = true;  // false: the file is missing or cannot be read; see `error`
        std::string error;     // "no such file", "permission denied", "not a regular file"
        std::string event;     // what happened to the file, if anything: "started at the end",
                               // "rotated", "truncated", "appeared"
    };
    // Calls `on_line` for every complete new line, without its newline.
    Result read_new_lines(const std::function<void(std::string_view)>& on_line);

    const std::string& path() const { return path_; }

    // Where the follower is, enough for another follower of the same path to continue from here.
    struct Position {
        bool started = false;   // a first look happened: history is no longer skipped
        bool has_file = false;  // a file was being followed; the members below describe it
        std::uint64_t device = 0;
        std::uint64_t inode = 0;
        std::uint64_t offset = 0;  // bytes of that file consumed, the partial line included
        std::string partial;       // the last line read so far, not yet ended by a newline
    };
    Position position() const;
    // Continues from `where`, saved by another follower (in this process or another); call it before
    // the first read_new_lines. At the next read, if the path still names the same file (device and
    // inode) it goes on at the saved offset (from 0 with event "truncated" if the file is now
    // shorter); if it names another file, that is "rotated": the kept partial line goes out as a line
    // and the new file is read from its start. Unlike rotation within one process, what was written
    // to the old file after the position was saved is not read: it may be anywhere now, or gone.
    // False (and nothing changes) when `where` cannot be used: a partial line longer than max_line,
    // an offset out of range, or a file without a first look.
    bool resume(const Position& where);

private:
    // Reads from fd_ up to the end or the byte budget; false when the budget ran out first.
    bool drain(const std::function<void(std::string_view)>& on_line, std::size_t& budget);
    void flush_partial(const std::function<void(std::string_view)>& on_line);
    void close_file();

    std::string path_;
    std::size_t max_read_;
    std::size_t max_line_;
    int fd_ = -1;          // the file we follow, kept open across calls
    dev_t dev_ = 0;        // identity of fd_'s file
    ino_t ino_ = 0;
    off_t offset_ = 0;     // bytes of fd_'s file consumed (a partial line included)
    std::string partial_;  // the last line read so far, not yet ended by a newline
    bool started_ = false; // whether a first look happened (only that one skips history)
    bool resuming_ = false; // dev_, ino_, offset_ and partial_ come from resume(); fd_ not open yet
};

}  // namespace backstop
