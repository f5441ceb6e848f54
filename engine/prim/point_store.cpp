#include "prim/point_store.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/json_text.h"
#include "core/sha256.h"
#include "prim/state_files.h"

namespace backstop {

namespace fs = std::filesystem;

std::optional<std::string> read_whole_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file_atomically(const fs::path& path, const std::string& content) {
    fs::path tmp = path.parent_path() / ("." + path.filename().string() + ".backstop-" + std::to_string(::getpid()));
    struct stat st {};
    mode_t mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
    ::unlink(tmp.c_str());  // left by a process of the same pid that died mid-write
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) throw Error("cannot write " + tmp.string() + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error("cannot write " + tmp.string() + ": " + std::strerror(err));
        }
        done += static_cast<std::size_t>(n);
    }
    ::fchmod(fd, mode);
    ::fsync(fd);
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Error("cannot replace " + path.string() + ": " + std::strerror(err));
    }
}

PointStore::PointStore(fs::path root, ProcessRunner& processes, Duration timeout)
    : root_(std::move(root)), processes_(processes), timeout_(timeout) {}

void PointStore::run(const std::vector<std::string>& argv) const {
    ProcessRequest req;
    req.argv = argv;
    req.timeout = timeout_;
    ProcessResult r = processes_.run(req);
    if (!r.ok()) throw Error("`" + argv[0] + " " + argv[1] + "` failed: " + r.summary());
}

// The copy is named by its digest, which is known only once the file was read: a first pass
// hashes it, the copy hashes it again, and a file that changed in between is refused.
void PointStore::save_config(const fs::path& dir, PointFile& c) const {
    auto digest = sha256_file_hex(c.path);
    if (!digest) throw Error("cannot read config file " + c.path + ": " + std::strerror(errno));
    const fs::path copy = dir / "configs" / *digest;
    if (copy_to_state_file(c.path, copy, "point file") != *digest)
        throw Error("config file " + c.path + " changed while the point was being made; make it again");
    c.sha256 = *digest;
}

void PointStore::save(RollbackPoint& p) {
    fs::path dir = dir_of(p);
    prepare_state_folder(root_.parent_path(), root_.filename() / p.service / p.id / "configs");
    std::error_code ec;
    try {
        for (auto& c : p.configs) save_config(dir, c);
        int n = 0;
        for (auto& v : p.volumes) {
            fs::path folder(v.path);
            if (!fs::is_directory(folder, ec)) throw Error("volume " + v.path + " is not a folder");
            v.archive = "volume-" + std::to_string(++n) + ".tar.gz";
            run({"tar", "-czf", (dir / v.archive).string(), "-C", folder.parent_path().string(), folder.filename().string()});
            // tar made it under the umask: the state's mode, whatever that was.
            if (::chmod((dir / v.archive).c_str(), kStateFileMode) != 0)
                throw Error("cannot set the mode of " + (dir / v.archive).string() + ": " + std::strerror(errno));
            auto digest = sha256_of_state_file(dir / v.archive, "point archive");
            if (!digest) throw Error("cannot read archive " + (dir / v.archive).string());
            v.sha256 = *digest;
        }
        write_state_file(dir / "point.json", json_text(to_json(p), 2) + "\n", "point");
    } catch (const Error&) {
        fs::remove_all(dir, ec);
        throw;
    }
}

std::vector<RollbackPoint> PointStore::list(const std::string& service) const {
    std::vector<RollbackPoint> out;
    check_state_folder(root_.parent_path(), root_.filename() / service);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ / service, ec)) {
        if (entry.is_symlink(ec) || !entry.is_directory(ec)) continue;  // never made by save()
        auto text = read_state_file(entry.path() / "point.json", "point");
        if (!text) continue;
        auto j = nlohmann::json::parse(*text, nullptr, false);
        if (j.is_discarded()) continue;
        try {
            out.push_back(rollback_point_from_json(j));
        } catch (const nlohmann::json::exception&) {
        }
    }
    std::sort(out.begin(), out.end(), [](const RollbackPoint& a, const RollbackPoint& b) { return a.created_ms > b.created_ms; });
    return out;
}

std::optional<RollbackPoint> PointStore::find(const std::string& id) const {
    std::error_code ec;
    for (const auto& service : fs::directory_iterator(root_, ec)) {
        if (service.is_symlink(ec) || !service.is_directory(ec)) continue;
        for (const auto& p : list(service.path().filename().string()))
            if (p.id == id) return p;
    }
    return std::nullopt;
}

std::optional<RollbackPoint> PointStore::find_of(const std::string& service, const std::string& ref) const {
    if (ref == kLatestPoint) {
        auto points = list(service);  // newest first
        if (points.empty()) return std::nullopt;
        return points.front();
    }
    auto p = find(ref);
    if (!p || p->service != service) return std::nullopt;
    return p;
}

std::uintmax_t PointStore::size_on_disk(const RollbackPoint& p) const {
    std::uintmax_t total = 0;
    std::error_code ec;
    // Symbolic links are never followed: save() makes none, and one planted here must not
    // make a listing read elsewhere.
    for (fs::recursive_directory_iterator it(dir_of(p), ec), end; !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += static_cast<std::uintmax_t>(st.st_size);
    }
    return total;
}

void PointStore::remove(const RollbackPoint& p) {
    std::error_code ec;
    // point.json first: from then on the point is gone even if the rest cannot be removed.
    fs::remove(dir_of(p) / "point.json", ec);
    fs::remove_all(dir_of(p), ec);
    if (ec) throw Error("cannot remove " + dir_of(p).string() + ": " + ec.message());
}

std::string PointStore::config_content(const RollbackPoint& p, const PointFile& f) const {
    auto content = read_state_file(dir_of(p) / "configs" / f.sha256, "point file");
    if (!content) throw Error("point " + p.id + " lacks its copy of " + f.path);
    if (sha256_hex(*content) != f.sha256) throw Error("point " + p.id + ": the stored copy of " + f.path + " is corrupt");
    return *content;
}

fs::path PointStore::restore_volume_keeping(const RollbackPoint& p, const PointVolume& v) const {
    fs::path archive = dir_of(p) / v.archive;
    auto digest = sha256_of_state_file(archive, "point archive");
    if (!digest || *digest != v.sha256) throw Error("point " + p.id + ": archive of " + v.path + " is missing or corrupt");
    fs::path folder(v.path);
    std::string suffix = ".backstop-" + std::to_string(::getpid());
    fs::path staging = folder.parent_path() / ("." + folder.filename().string() + suffix + ".new");
    fs::path old = folder.parent_path() / ("." + folder.filename().string() + suffix + ".old");
    std::error_code ec;
    fs::remove_all(staging, ec);
    fs::remove_all(old, ec);
    fs::create_directories(staging, ec);
    try {
        run({"tar", "-xzf", archive.string(), "-C", staging.string()});
    } catch (const Error&) {
        fs::remove_all(staging, ec);
        throw;
    }
    fs::path extracted = staging / folder.filename();
    if (!fs::is_directory(extracted, ec)) {
        fs::remove_all(staging, ec);
        throw Error("archive of " + v.path + " does not hold " + folder.filename().string());
    }
    // Two renames: the folder is either the old or the new one, never a half-extracted mix.
    bool had_old = fs::exists(folder, ec);
    if (had_old && ::rename(folder.c_str(), old.c_str()) != 0) {
        int err = errno;
        fs::remove_all(staging, ec);
        throw Error("cannot move " + v.path + " aside: " + std::strerror(err));
    }
    if (::rename(extracted.c_str(), folder.c_str()) != 0) {
        int err = errno;
        if (had_old) ::rename(old.c_str(), folder.c_str());
        fs::remove_all(staging, ec);
        throw Error("cannot move the restored " + v.path + " into place: " + std::strerror(err));
    }
    fs::remove_all(staging, ec);
    return had_old ? old : fs::path();
}

void put_back_folder(const fs::path& folder, const fs::path& kept) {
    std::error_code ec;
    fs::path restored = folder.parent_path() / ("." + folder.filename().string() + ".backstop-" +
                                                std::to_string(::getpid()) + ".restored");
    fs::remove_all(restored, ec);
    if (fs::exists(folder, ec) && ::rename(folder.c_str(), restored.c_str()) != 0)
        throw Error("cannot move the restored " + folder.string() + " aside: " + std::strerror(errno));
    if (!kept.empty() && ::rename(kept.c_str(), folder.c_str()) != 0) {
        int err = errno;
        ::rename(restored.c_str(), folder.c_str());
        throw Error("cannot put " + folder.string() + " back: " + std::strerror(err));
    }
    fs::remove_all(restored, ec);
}

void drop_kept_folder(const fs::path& kept) {
    if (kept.empty()) return;
    std::error_code ec;
    fs::remove_all(kept, ec);
}

}  // namespace backstop
