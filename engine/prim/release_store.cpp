#include "prim/release_store.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "core/error.h"
#include "core/natural_order.h"

namespace backstop {

namespace fs = std::filesystem;

ReleaseStore::ReleaseStore(fs::path releases, fs::path current)
    : releases_(std::move(releases)), current_(std::move(current)) {}

std::vector<std::string> ReleaseStore::list() const {
    std::error_code ec;
    std::vector<std::string> names;
    fs::directory_iterator it(releases_, ec);
    if (ec) throw Error("cannot list releases in " + releases_.string() + ": " + ec.message());
    for (const auto& entry : it) {
        // Hidden entries are work in progress (a deploy unpacking), never rollback targets.
        std::string name = entry.path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        if (entry.is_directory(ec)) names.push_back(name);
    }
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) { return natural_less(a, b); });
    return names;
}

std::string ReleaseStore::current_target() const {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(current_, ec))) return {};
    fs::path target = fs::read_symlink(current_, ec);
    return ec ? std::string{} : target.string();
}

std::string ReleaseStore::current() const {
    std::string target = current_target();
    if (target.empty()) return {};
    fs::path resolved = fs::path(target).is_absolute() ? fs::path(target) : current_.parent_path() / target;
    resolved = resolved.lexically_normal();
    std::error_code ec;
    fs::path parent = fs::weakly_canonical(resolved.parent_path(), ec);
    fs::path releases = fs::weakly_canonical(releases_, ec);
    if (parent != releases) return {};
    return resolved.filename().string();
}

void ReleaseStore::switch_to(const std::string& name) const {
    fs::path target = releases_ / name;
    std::error_code ec;
    if (!fs::is_directory(target, ec)) throw Error("release " + name + " does not exist in " + releases_.string());
    if (fs::exists(current_, ec) && !fs::is_symlink(fs::symlink_status(current_, ec)))
        throw Error(current_.string() + " exists and is not a symlink; refusing to replace it");

    fs::path tmp = current_.parent_path() / ("." + current_.filename().string() + ".backstop-" + std::to_string(::getpid()));
    ::unlink(tmp.c_str());  // a leftover from a crashed run
    if (::symlink(target.c_str(), tmp.c_str()) != 0)
        throw Error("cannot create symlink " + tmp.string() + ": " + std::strerror(errno));
    if (::rename(tmp.c_str(), current_.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw Error("cannot rename " + tmp.string() + " over " + current_.string() + ": " + std::strerror(err));
    }
    // The rename is atomic; fsync of the folder makes it survive a power cut too.
    int dir = ::open(current_.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace backstop
