#include "support/temp_dir.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace backstop::test {

namespace fs = std::filesystem;

TempDir::TempDir(std::string_view prefix) {
    std::string pattern = "/tmp/" + std::string(prefix) + "-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw std::runtime_error("TempDir: mkdtemp failed for " + pattern);
    path_ = buf.data();
}

TempDir::~TempDir() {
    std::error_code ec;
    // Tests may leave read-only folders behind; make them writable so removal cannot fail on them.
    for (auto it = fs::recursive_directory_iterator(path_, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec))
            fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(path_, ec);
}

std::string TempDir::file(std::string_view relpath) const {
    return path_ + "/" + std::string(relpath);
}

std::string TempDir::write(std::string_view relpath, std::string_view text) const {
    fs::path full = file(relpath);
    fs::create_directories(full.parent_path());
    std::ofstream out(full, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) throw std::runtime_error("TempDir: cannot write " + full.string());
    return full.string();
}

std::string TempDir::write_executable(std::string_view relpath, std::string_view text) const {
    std::string full = write(relpath, text);
    fs::permissions(full, fs::perms(0755), fs::perm_options::replace);
    return full;
}

std::string TempDir::mkdir(std::string_view relpath) const {
    std::string full = file(relpath);
    fs::create_directories(full);
    return full;
}

std::string TempDir::read(std::string_view relpath) const {
    std::string full = file(relpath);
    std::ifstream in(full, std::ios::binary);
    if (!in) throw std::runtime_error("TempDir: cannot read " + full);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool TempDir::exists(std::string_view relpath) const {
    std::error_code ec;
    return fs::exists(file(relpath), ec);
}

}  // namespace backstop::test
