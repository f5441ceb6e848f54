#include "cli/policy_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "core/error.h"
#include "core/parallel_for.h"

namespace backstop::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUnreadable = "unreadable-policy";

void problem(Diagnostics& found, const fs::path& at, std::string message) {
    found.error(kUnreadable, SourcePosition{at.string()}, std::move(message));
}

// A policy file: *.toml but *.test.toml, which are policy tests (`backstop test`) kept beside them.
bool is_policy_file_name(const fs::path& p) {
    return p.extension() == ".toml" && p.stem().extension() != ".test";
}

// One entry of a policy folder: a policy file to read, a folder to descend into, or a problem.
void look_at(const fs::directory_entry& entry, std::vector<fs::path>& files, std::vector<fs::path>& folders, Diagnostics& found) {
    std::error_code ec;
    const fs::path& p = entry.path();
    const fs::file_status own = entry.symlink_status(ec);
    const bool toml = is_policy_file_name(p);
    if (fs::is_symlink(own)) {
        const fs::file_status target = fs::status(p, ec);
        if (fs::is_directory(target))
            found.warning("policy-folder-link", SourcePosition{p.string()},
                          "a symbolic link to a folder is not followed; its policies are not loaded (name the folder itself)");
        else if (!toml) return;
        else if (!fs::exists(target))
            problem(found, p, "dangling symbolic link to " + fs::read_symlink(p, ec).string() + "; the policy it named is gone");
        else if (fs::is_regular_file(target)) files.push_back(p);
        else problem(found, p, "links to something that is not a regular file; a policy must be a file");
        return;
    }
    if (fs::is_directory(own)) folders.push_back(p);
    else if (!toml) return;
    else if (fs::is_regular_file(own)) files.push_back(p);
    else problem(found, p, "not a regular file; a policy must be a file");
}

// Every *.toml below `root`, a folder that cannot be listed being a problem at its path.
std::vector<fs::path> list_policy_folder(const fs::path& root, Diagnostics& found) {
    std::vector<fs::path> files, pending{root};
    while (!pending.empty()) {
        fs::path dir = std::move(pending.back());
        pending.pop_back();
        std::error_code ec;
        fs::directory_iterator it(dir, ec);
        for (; !ec && it != fs::directory_iterator(); it.increment(ec)) look_at(*it, files, pending, found);
        if (ec) problem(found, dir, "cannot list policy folder: " + ec.message() + "; its policies are not loaded");
    }
    std::sort(files.begin(), files.end());
    return files;
}

// `cwd`: the current directory, which relative paths start from (asked once, not per file).
std::vector<PolicySource> read_all(const std::vector<fs::path>& files, const fs::path& cwd, Diagnostics& found) {
    std::vector<std::optional<PolicySource>> read(files.size());
    std::vector<std::string> errors(files.size());
    parallel_for(files.size(), 64, 4, [&](std::size_t i) {
        auto text = read_toml_file(files[i], "policy", errors[i]);
        if (!text) return;
        fs::path abs = (files[i].is_absolute() ? files[i] : cwd / files[i]).lexically_normal();
        read[i] = PolicySource{files[i].string(), std::move(*text), abs.parent_path()};
    });
    std::vector<PolicySource> out;
    out.reserve(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (read[i]) out.push_back(std::move(*read[i]));
        else problem(found, files[i], errors[i]);
    }
    return out;
}

}  // namespace

// Plain system calls: a fleet has thousands of files, and a stream costs more to set up than the
// read. O_NONBLOCK: a FIFO named like a policy must not hang `check`; only a regular file is read.
// The size is checked before and while reading: a file that grows past the bound is refused too.
std::optional<std::string> read_toml_file(const fs::path& file, std::string_view what, std::string& error) {
    const std::string kind(what);
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error = "cannot read " + kind + " file: " + std::strerror(errno);
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        error = "not a regular file; a " + kind + " must be a file";
        return std::nullopt;
    }
    auto too_large = [&](std::uintmax_t bytes) {
        ::close(fd);
        error = "too large: " + std::to_string(bytes) + " bytes or more, over the limit of " +
                std::to_string(kMaxPolicyFileBytes >> 20) + " MiB for a " + kind + " file";
        return std::nullopt;
    };
    if (static_cast<std::uintmax_t>(st.st_size) > kMaxPolicyFileBytes) return too_large(static_cast<std::uintmax_t>(st.st_size));
    std::string text;
    text.reserve(static_cast<std::size_t>(st.st_size));
    char chunk[16 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            text.append(chunk, static_cast<std::size_t>(n));
            if (text.size() > kMaxPolicyFileBytes) return too_large(text.size());
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        const int err = errno;
        ::close(fd);
        if (n == 0) return text;
        error = "cannot read " + kind + " file: " + std::strerror(err);
        return std::nullopt;
    }
}

PolicyFiles read_policy_files(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error("policy path " + path.string() + " does not exist (set --policies or BACKSTOP_POLICIES)");
    PolicyFiles out;
    const fs::path cwd = fs::current_path();
    std::vector<fs::path> files = fs::is_directory(path, ec) ? list_policy_folder(path, out.problems) : std::vector<fs::path>{path};
    out.sources = read_all(files, cwd, out.problems);
    return out;
}

std::vector<PolicySource> read_policy_sources(const fs::path& path) {
    PolicyFiles files = read_policy_files(path);
    for (const auto& d : files.problems.items())
        if (d.severity == Severity::error) throw Error(d.where.file + ": " + d.message);
    return std::move(files.sources);
}

}  // namespace backstop::cli
