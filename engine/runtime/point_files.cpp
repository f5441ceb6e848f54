// A point's config files and folders restored with what they replaced kept aside (see the header).
#include "runtime/point_files.h"

#include <cerrno>

#include <unistd.h>

#include "core/error.h"
#include "core/sha256.h"

namespace backstop {

namespace {

std::string short_sha(const std::string& sha) { return sha.substr(0, 12); }

}  // namespace

PointFiles::PointFiles(const RollbackPoint& point, const PointStore& store, StepRecorder& steps)
    : point_(point), store_(store), steps_(steps) {}

PointFiles::~PointFiles() { commit(); }

std::string PointFiles::config_detail(const PointFile& f, const std::optional<std::string>& now_sha256) const {
    return f.path + (now_sha256 ? " (sha256 " + short_sha(*now_sha256) + " -> " : " (missing -> ") + short_sha(f.sha256) + ")";
}

std::string PointFiles::volume_detail(const PointVolume& v) const {
    return (v.docker_volume.empty() ? v.path : "docker volume " + v.docker_volume) + " from " + v.archive;
}

void PointFiles::plan() {
    for (const auto& f : point_.configs) {
        auto now = sha256_file_hex(f.path);
        if (now && *now == f.sha256)
            steps_.note("config", f.path, StepStatus::skipped, "unchanged (sha256 " + short_sha(f.sha256) + ")");
        else
            steps_.note("config", config_detail(f, now), StepStatus::planned);
    }
    for (const auto& v : point_.volumes)
        steps_.note("volume", volume_detail(v), StepStatus::planned, "replaces the content of " + v.path);
}

void PointFiles::restore() {
    for (const auto& f : point_.configs) restore_config(f);
    for (const auto& v : point_.volumes) restore_volume(v);
}

void PointFiles::restore_config(const PointFile& f) {
    auto now_sha256 = sha256_file_hex(f.path);
    if (now_sha256 && *now_sha256 == f.sha256) {
        steps_.note("config", f.path, StepStatus::skipped, "unchanged (sha256 " + short_sha(f.sha256) + ")");
        return;
    }
    steps_.run("config", config_detail(f, now_sha256), [&] {
        std::string content = store_.config_content(point_, f);
        // What it replaces, kept for put_back(): only for a file about to be written.
        files_.push_back({f.path, now_sha256 ? read_whole_file(f.path) : std::nullopt});
        write_file_atomically(f.path, content);
        auto written = sha256_file_hex(f.path);
        if (!written || *written != f.sha256)
            throw Error(f.path + " does not match the point's sha256 after restore");
        return std::string("sha256 verified");
    });
}

void PointFiles::restore_volume(const PointVolume& v) {
    steps_.run("volume", volume_detail(v), [&] {
        folders_.push_back({v.path, store_.restore_volume_keeping(point_, v)});
        return "content of " + v.path + " replaced";
    });
}

void PointFiles::put_back() {
    std::string failures;
    // Newest first: a path restored twice ends on what it was before the first time.
    for (auto it = folders_.rbegin(); it != folders_.rend(); ++it) {
        try {
            put_back_folder(it->path, it->kept);
        } catch (const Error& e) {
            failures += std::string(failures.empty() ? "" : "; ") + e.what();
        }
    }
    folders_.clear();
    for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
        try {
            if (it->content)
                write_file_atomically(it->path, *it->content);
            else if (::unlink(it->path.c_str()) != 0 && errno != ENOENT)
                throw Error("cannot remove " + it->path + ", which did not exist before");
        } catch (const Error& e) {
            failures += std::string(failures.empty() ? "" : "; ") + e.what();
        }
    }
    files_.clear();
    if (!failures.empty()) throw Error(failures);
}

void PointFiles::commit() {
    for (const auto& f : folders_) drop_kept_folder(f.kept);
    folders_.clear();
    files_.clear();
}

}  // namespace backstop
