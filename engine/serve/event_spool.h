// Events `serve` answered 202 and has not evaluated yet, kept in STATE/events/spool.jsonl so that a
// stop, a crash or the shutdown timeout loses none: a line per event queued with a service, a line
// when its evaluation ended; what is left is replayed at the next start, and the file is emptied
// whenever nothing in it is left to evaluate.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/observation.h"

namespace backstop {

struct SpooledEvent {
    std::uint64_t id = 0;  // given by append(); 0: not kept
    std::string service;
    Observation observation;
};

class EventSpool {
public:
    // Keeps them in STATE/events/spool.jsonl of `state_dir`; an empty `state_dir` keeps nothing (a
    // dry run keeps no state): ids stay 0.
    explicit EventSpool(std::filesystem::path state_dir);
    ~EventSpool();
    EventSpool(const EventSpool&) = delete;
    EventSpool& operator=(const EventSpool&) = delete;

    // What an earlier process kept and did not evaluate, oldest first; call once, before append().
    // A line that cannot be read (torn by a crash mid-write) is skipped. Throws Error when the
    // file cannot be opened.
    std::vector<SpooledEvent> unfinished();
    // Gives each event an id and writes them all with one write(2): kept, whatever happens to the
    // process after. Throws Error (naming the file and why) when they cannot be written.
    void append(std::vector<SpooledEvent>& events);
    // The event's evaluation ended; it is not replayed. Never throws (a failure is logged: the
    // event may then be evaluated once more after a restart).
    void done(std::uint64_t id);
    std::size_t pending() const;
    // Flushes to the disk (at shutdown); logs a failure.
    void sync();
    const std::filesystem::path& file() const { return file_; }

private:
    void open_locked();
    void write_locked(const std::string& text);
    void compact_locked();
    void add_pending_locked(std::uint64_t id, std::string line);

    std::filesystem::path state_dir_;
    std::filesystem::path file_;
    mutable std::mutex mutex_;
    int fd_ = -1;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::string> pending_;  // id -> its line, to rewrite the file smaller
    std::size_t pending_bytes_ = 0;                 // of those lines
    std::size_t written_ = 0;                       // bytes in the file
};

}  // namespace backstop
