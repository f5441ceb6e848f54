#include "cli_tools.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <catch2/catch.hpp>

namespace backstop::test {

ProcessResult run_tool(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
    ProcessRequest req;
    req.argv = argv;
    req.env_overrides = env;
    req.timeout = Duration{60'000};
    ProcessResult r = make_process_runner()->run(req);
    INFO(argv.front() << ": " << r.error << " (.ci/install-deps installs it)");
    REQUIRE(r.started);
    REQUIRE_FALSE(r.timed_out);
    return r;
}

std::string build_file(const std::string& relpath) {
    std::string path = std::string(BACKSTOP_BUILD_DIR) + "/" + relpath;
    INFO(path << " should have been written by the build (backstop_generated)");
    REQUIRE(std::filesystem::is_regular_file(path));
    return path;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

std::map<std::string, std::string> env_with_backstop() {
    const char* path = std::getenv("PATH");
    std::string folder = std::filesystem::path(BACKSTOP_BINARY).parent_path().string();
    return {{"PATH", folder + ":" + (path ? path : "/usr/bin:/bin")}};
}

}  // namespace backstop::test
