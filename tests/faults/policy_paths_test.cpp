// Policies that cannot be read are errors at their paths, through the built binary: a dangling
// *.toml link, a sub-folder that cannot be listed, a FIFO named as --policies or as a *.toml, a file
// over the size bound.
#include <filesystem>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/temp_dir.h"

using namespace backstop::test;
namespace fs = std::filesystem;

namespace {

const char* kPolicy = "[service.web]\nstrategy = \"releases\"\nreleases = \"releases\"\ncurrent = \"current\"\n";

// `check` must end by itself: a child still reading a FIFO after this long is killed by its PID
// and reads exit code -1.
constexpr int kBound = 20;

bool says(const CliResult& r, const std::string& text) { return (r.out + r.err).find(text) != std::string::npos; }

}  // namespace

TEST_CASE("a dangling *.toml link in the policy folder is an error at its path", "[faults][policies]") {
    TempDir dir("backstop-policies");
    dir.write("policies/web.toml", kPolicy);
    fs::create_symlink(dir.file("removed/api.toml"), dir.file("policies/api.toml"));

    CliResult r = run_backstop({"--policies", dir.file("policies"), "check"}, {}, kBound);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(says(r, dir.file("policies/api.toml") + ": error: dangling symbolic link to " + dir.file("removed/api.toml")));
    CHECK(says(r, "1 service(s), 1 error(s)"));
}

TEST_CASE("a policy sub-folder that cannot be listed is an error at its path", "[faults][policies]") {
    // Root reads any folder, so the binary runs as root without the two capabilities that let it
    // (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): setpriv drops them from the bounding and inheritable
    // sets, and the folder's mode 0000 then stops it as it stops any other user.
    TempDir dir("backstop-policies");
    dir.write("policies/web.toml", kPolicy);
    dir.write("policies/team/api.toml", "[service.api]\nstrategy = \"releases\"\nreleases = \"r\"\ncurrent = \"c\"\n");
    fs::permissions(dir.file("policies/team"), fs::perms::none);
    const std::vector<std::string> no_override = {"setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"};

    CliResult r = run_backstop_via(no_override, {"--policies", dir.file("policies"), "check"}, {}, kBound);
    fs::permissions(dir.file("policies/team"), fs::perms(0700));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(says(r, dir.file("policies/team") + ": error: cannot list policy folder: Permission denied"));
    CHECK(says(r, "1 service(s), 1 error(s)"));
}

TEST_CASE("a FIFO as --policies or as a *.toml is an error at its path, and check does not wait on it", "[faults][policies]") {
    TempDir dir("backstop-policies");
    dir.write("policies/web.toml", kPolicy);
    REQUIRE(::mkfifo(dir.file("policies/api.toml").c_str(), 0600) == 0);
    REQUIRE(::mkfifo(dir.file("fifo.toml").c_str(), 0600) == 0);

    CliResult named = run_backstop({"--policies", dir.file("fifo.toml"), "check"}, {}, kBound);
    INFO(named.out << named.err);
    CHECK(named.exit_code == 1);
    CHECK(says(named, dir.file("fifo.toml") + ": error: not a regular file; a policy must be a file"));

    CliResult inside = run_backstop({"--policies", dir.file("policies"), "check"}, {}, kBound);
    INFO(inside.out << inside.err);
    CHECK(inside.exit_code == 1);
    CHECK(says(inside, dir.file("policies/api.toml") + ": error: not a regular file; a policy must be a file"));
    CHECK(says(inside, "1 service(s), 1 error(s)"));
}

TEST_CASE("a policy file over 4 MiB is an error at its path, and the others still load", "[faults][policies]") {
    TempDir dir("backstop-policies");
    dir.write("policies/web.toml", kPolicy);
    // Valid TOML (a service and 4 MiB of comments): only its size is wrong.
    std::string big = "[service.api]\nstrategy = \"releases\"\nreleases = \"r\"\ncurrent = \"c\"\n";
    const std::string comment = "# " + std::string(1022, 'x') + "\n";
    for (int i = 0; i < 4 * 1024; ++i) big += comment;
    dir.write("policies/api.toml", big);

    CliResult r = run_backstop({"--policies", dir.file("policies"), "check"}, {}, kBound);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(says(r, dir.file("policies/api.toml") + ": error: too large: " + std::to_string(big.size()) +
                      " bytes or more, over the limit of 4 MiB for a policy file"));
    CHECK(says(r, "1 service(s), 1 error(s)"));
}
