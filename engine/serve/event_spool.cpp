#include "serve/event_spool.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/error.h"
#include "core/json_text.h"
#include "prim/state_files.h"

namespace backstop {

namespace fs = std::filesystem;

namespace {

// Rewrite the file with only the pending events once it holds this much and mostly finished ones.
constexpr std::size_t kCompactBytes = 4 * 1024 * 1024;

std::string event_line(const SpooledEvent& e) {
    const Observation& o = e.observation;
    nlohmann::json j = {{"id", e.id},
                        {"service", e.service},
                        {"source", o.source},
                        {"time_ms", o.time_ms},
                        {"firing", o.status == ObservationStatus::failed},
                        {"state", o.state},
                        {"event", o.event},
                        {"alert", o.alert},
                        {"detail", o.detail}};
    j["value"] = std::isnan(o.value) ? nlohmann::json(nullptr) : nlohmann::json(o.value);
    return json_text(j) + "\n";
}

std::optional<SpooledEvent> read_event(const nlohmann::json& j) {
    if (!j.contains("id") || !j["id"].is_number_unsigned() || !j.contains("service") || !j["service"].is_string()) return std::nullopt;
    SpooledEvent e;
    e.id = j["id"].get<std::uint64_t>();
    e.service = j["service"].get<std::string>();
    Observation& o = e.observation;
    o.kind = SourceKind::event;
    o.source = j.value("source", "");
    o.time_ms = j.value("time_ms", std::int64_t{0});
    o.status = j.value("firing", false) ? ObservationStatus::failed : ObservationStatus::ok;
    o.state = j.value("state", "");
    o.event = j.value("event", "");
    o.alert = j.value("alert", "");
    o.detail = j.value("detail", "");
    if (j.contains("value") && j["value"].is_number()) o.value = j["value"].get<double>();
    if (o.source.empty()) return std::nullopt;
    return e;
}

std::string read_all(int fd, const fs::path& file) {
    std::string data;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("cannot read the event spool " + file.string() + ": " + std::strerror(errno));
        if (n == 0) return data;
        data.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace

EventSpool::EventSpool(fs::path state_dir)
    : state_dir_(std::move(state_dir)), file_(state_dir_.empty() ? fs::path() : state_dir_ / "events" / "spool.jsonl") {}

EventSpool::~EventSpool() {
    if (fd_ >= 0) ::close(fd_);
}

void EventSpool::open_locked() {
    if (fd_ >= 0) return;
    prepare_state_folder(state_dir_, "events");
    fd_ = open_state_file(file_, O_RDWR | O_APPEND | O_CREAT, "the event spool");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        ::close(fd_);
        fd_ = -1;
        throw Error("cannot open the event spool " + file_.string() + ": " + std::strerror(errno));
    }
    written_ = static_cast<std::size_t>(st.st_size);
}

void EventSpool::write_locked(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            // A partial line would glue the next one onto it: cut the file back to what it held.
            if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(written_)) != 0)
                spdlog::warn("cannot cut the event spool {} back after a failed write: {}", file_.string(), std::strerror(errno));
            throw Error("cannot write the event spool " + file_.string() + ": " + std::strerror(err));
        }
        done += static_cast<std::size_t>(n);
    }
    written_ += text.size();
}

std::vector<SpooledEvent> EventSpool::unfinished() {
    if (file_.empty()) return {};
    std::lock_guard<std::mutex> lock(mutex_);
    open_locked();
    if (::lseek(fd_, 0, SEEK_SET) < 0) throw Error("cannot read the event spool " + file_.string() + ": " + std::strerror(errno));
    std::string data = read_all(fd_, file_);
    std::map<std::uint64_t, SpooledEvent> events;
    std::size_t start = 0;
    while (start < data.size()) {
        std::size_t end = data.find('\n', start);
        if (end == std::string::npos) end = data.size();
        auto j = nlohmann::json::parse(std::string_view(data).substr(start, end - start), nullptr, false);
        start = end + 1;
        if (!j.is_object()) continue;
        if (j.contains("done") && j["done"].is_number_unsigned()) {
            events.erase(j["done"].get<std::uint64_t>());
        } else if (auto e = read_event(j)) {
            next_id_ = std::max(next_id_, e->id + 1);
            events[e->id] = std::move(*e);
        }
    }
    std::vector<SpooledEvent> out;
    for (auto& [id, e] : events) {
        add_pending_locked(id, event_line(e));
        out.push_back(std::move(e));
    }
    if (!data.empty()) compact_locked();  // only what is left to replay
    return out;
}

void EventSpool::append(std::vector<SpooledEvent>& events) {
    if (file_.empty() || events.empty()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    open_locked();
    std::vector<std::string> lines;
    std::string text;
    std::uint64_t id = next_id_;
    for (auto& e : events) {
        e.id = id++;
        lines.push_back(event_line(e));
        text += lines.back();
    }
    write_locked(text);
    next_id_ = id;
    for (std::size_t i = 0; i < events.size(); ++i) add_pending_locked(events[i].id, std::move(lines[i]));
}

void EventSpool::done(std::uint64_t id) {
    if (file_.empty() || id == 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    pending_bytes_ -= it->second.size();
    pending_.erase(it);
    try {
        open_locked();
        if (pending_.empty()) {
            if (::ftruncate(fd_, 0) != 0) throw Error("cannot empty the event spool " + file_.string() + ": " + std::strerror(errno));
            written_ = 0;
            return;
        }
        write_locked("{\"done\":" + std::to_string(id) + "}\n");
        if (written_ >= kCompactBytes && pending_bytes_ * 2 < written_) compact_locked();
    } catch (const std::exception& e) {
        spdlog::warn("{} (the event may be evaluated once more after a restart)", e.what());
    }
}

void EventSpool::add_pending_locked(std::uint64_t id, std::string line) {
    pending_bytes_ += line.size();
    pending_[id] = std::move(line);
}

// The file rewritten with only the events still pending, replacing the old one at once.
void EventSpool::compact_locked() {
    std::string text;
    for (const auto& [id, line] : pending_) text += line;
    write_state_file(file_, text, "the event spool");
    ::close(fd_);
    fd_ = -1;
    open_locked();
}

std::size_t EventSpool::pending() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return pending_.size();
}

void EventSpool::sync() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (fd_ >= 0 && ::fdatasync(fd_) != 0) spdlog::warn("cannot sync the event spool {}: {}", file_.string(), std::strerror(errno));
}

}  // namespace backstop
