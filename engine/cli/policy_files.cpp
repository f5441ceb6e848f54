#include "cli/policy_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace backstop::cli {

namespace fs = std::filesystem;

namespace {

PolicySource read_one(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error("cannot read policy file " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    fs::path abs = fs::absolute(file).lexically_normal();
    return {file.string(), text.str(), abs.parent_path()};
}

}  // namespace

std::vector<PolicySource> read_policy_sources(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error("policy path " + path.string() + " does not exist (set --policies or BACKSTOP_POLICIES)");
    if (!fs::is_directory(path, ec)) return {read_one(path)};
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".toml") files.push_back(it->path());
    }
    if (ec) throw Error("cannot list policies in " + path.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    std::vector<PolicySource> out;
    for (const auto& f : files) out.push_back(read_one(f));
    return out;
}

}  // namespace backstop::cli
