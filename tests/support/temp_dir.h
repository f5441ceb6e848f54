// A fresh folder under /tmp for one test, removed with everything in it when the object dies.
#pragma once

#include <string>
#include <string_view>

namespace backstop::test {

class TempDir {
public:
    // Creates /tmp/<prefix>-XXXXXX; throws std::runtime_error when it cannot.
    explicit TempDir(std::string_view prefix = "backstop-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    // path() + "/" + relpath (nothing is created).
    std::string file(std::string_view relpath) const;
    // Writes `text` to relpath, creating parent folders; returns the full path.
    std::string write(std::string_view relpath, std::string_view text) const;
    // Same, then chmod 0755: for scripts the tests run.
    std::string write_executable(std::string_view relpath, std::string_view text) const;
    // Creates the folder (and parents); returns the full path.
    std::string mkdir(std::string_view relpath) const;
    // Whole file; throws std::runtime_error when it cannot be read.
    std::string read(std::string_view relpath) const;
    bool exists(std::string_view relpath) const;

private:
    std::string path_;
};

}  // namespace backstop::test
