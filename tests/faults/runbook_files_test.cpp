// Issue 10, B6: only runbook files are read as runbook code, and only their lines are quoted. A
// symlinked secret must not reach stdout, history or `check` output, in whole or in part.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/quickstart_service.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace {

// A 0600 file outside the policy's folder whose first line is not Lua: a syntax error would quote it.
std::string write_secret(const TempDir& dir, const std::string& name = "id_ed25519") {
    std::string path = dir.file(name);
    std::ofstream(path) << "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA SECRETKEYMATERIAL\n";
    ::chmod(path.c_str(), 0600);
    return path;
}

}  // namespace

TEST_CASE("require of a symlink out of the runbook's folder is refused without quoting the target", "[faults][runbook-files]") {
    TempDir outside("backstop-secret");
    // Named like a module, so only the folder check stands in the way.
    std::string secret = write_secret(outside, "key.lua");
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_runbook("runbooks/web.lua", "local key = require('lib.key')\nreturn {}\n");
    std::filesystem::create_directories(std::filesystem::path(qs.policy()).parent_path() / "runbooks/lib");
    std::filesystem::create_symlink(secret, std::filesystem::path(qs.policy()).parent_path() / "runbooks/lib/key.lua");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\n");

    CliResult check = run_backstop(qs.cli({"check"}));
    INFO(check.out << check.err);
    CHECK(check.exit_code == 1);
    CHECK(check.out.find("outside") != std::string::npos);
    CHECK(check.out.find("SECRETKEYMATERIAL") == std::string::npos);
    CHECK(check.out.find("OPENSSH") == std::string::npos);
    CHECK(check.err.find("SECRETKEYMATERIAL") == std::string::npos);

    CliResult run = run_backstop(qs.cli({"rollback", "web"}));
    INFO(run.out << run.err);
    CHECK(run.exit_code == 1);
    CHECK(qs.current_release() == "v2");
    CHECK((run.out + run.err).find("SECRETKEYMATERIAL") == std::string::npos);
    CliResult history = run_backstop(qs.cli({"history", "--json"}));
    CHECK(history.out.find("SECRETKEYMATERIAL") == std::string::npos);
    CHECK(history.out.find("OPENSSH") == std::string::npos);
}

TEST_CASE("a policy naming a file that is not a .lua file as its runbook gets an error at the key, no content", "[faults][runbook-files]") {
    TempDir outside("backstop-secret");
    std::string secret = write_secret(outside);
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_policy("[service.web.rollback]\nrunbook = \"" + secret + "\"\n");

    CliResult check = run_backstop(qs.cli({"check"}));
    INFO(check.out << check.err);
    CHECK(check.exit_code == 1);
    CHECK(check.out.find("is not a .lua file") != std::string::npos);
    CHECK(check.out.find("backstop.toml:") != std::string::npos);
    CHECK(check.out.find("SECRETKEYMATERIAL") == std::string::npos);

    // The same file behind a symlink that is named like a runbook.
    std::filesystem::create_directories(std::filesystem::path(qs.policy()).parent_path() / "runbooks");
    std::filesystem::create_symlink(secret, std::filesystem::path(qs.policy()).parent_path() / "runbooks/web.lua");
    qs.write_policy("[service.web.rollback]\nrunbook = \"runbooks/web.lua\"\n");
    CliResult again = run_backstop(qs.cli({"check"}));
    INFO(again.out);
    CHECK(again.exit_code == 1);
    CHECK(again.out.find("SECRETKEYMATERIAL") == std::string::npos);
    CliResult run = run_backstop(qs.cli({"rollback", "web"}));
    CHECK(run.exit_code == 1);
    CHECK((run.out + run.err).find("SECRETKEYMATERIAL") == std::string::npos);
    CHECK(run_backstop(qs.cli({"history", "--json"})).out.find("SECRETKEYMATERIAL") == std::string::npos);
}
