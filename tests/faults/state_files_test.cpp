// The state folder against a hostile or careless host, through the built binary: modes fixed
// whatever the umask, links planted at the lock and history paths refused without touching their
// targets, and a state folder others can write refused by name.
#include <filesystem>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using namespace backstop::test;
namespace fs = std::filesystem;

namespace {

// The permission bits of `path` itself (a link is not followed), as 0750 would be written.
unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// `sh -c 'umask U && exec "$@"'`: the binary runs under that umask, as from a careless shell.
std::vector<std::string> under_umask(const std::string& umask) { return {"sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"}; }

std::vector<std::string> with_state(const QuickstartService& qs, const std::string& state, std::vector<std::string> args) {
    args.insert(args.begin(), {"--policies", qs.policy(), "--state", state});
    return args;
}

}  // namespace

TEST_CASE("state folders are 0750 and state files 0640 whatever the umask", "[faults][state]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    qs.write_policy(QuickstartService::kDefaultRollbackTable, 150);  // two restarts: patient on a busy machine
    for (std::string umask : {"000", "077"}) {
        INFO("umask " << umask);
        const std::string state = qs.dir().file("state-" + umask);
        auto run = [&](std::vector<std::string> args) {
            CliResult r = run_backstop_via(under_umask(umask), with_state(qs, state, std::move(args)));
            INFO(r.out << r.err);
            CHECK(r.exit_code == 0);
            return r;
        };
        qs.point_current_at("v2");
        run({"rollback", "web", "--yes"});
        run({"pause", "web", "--for", "1h", "--reason", "modes"});
        run({"hotfix", "web", "--eta", "30m"});
        nlohmann::json point = run({"points", "create", "web", "--description", "modes", "--json"}).json();
        const std::string id = point.value("id", "");
        REQUIRE_FALSE(id.empty());

        for (const char* folder : {"", "/locks", "/paused", "/hotfix", "/points", "/points/web"}) CHECK(mode_of(state + folder) == 0750);
        CHECK(mode_of(state + "/points/web/" + id) == 0750);
        for (const char* file : {"/history.jsonl", "/locks/web.lock", "/paused/web.json", "/hotfix/web.json"}) CHECK(mode_of(state + file) == 0640);
        CHECK(mode_of(state + "/points/web/" + id + "/point.json") == 0640);
    }
}

TEST_CASE("a link planted at the lock file is refused and its target left as it was", "[faults][state]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    const std::string precious = qs.dir().write("precious.txt", "the test's own file\n");
    fs::create_directories(qs.state() + "/locks");
    fs::permissions(qs.state(), fs::perms(0750));
    fs::permissions(qs.state() + "/locks", fs::perms(0750));
    fs::create_symlink(precious, qs.state() + "/locks/web.lock");

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--yes"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.out.find("cannot open lock " + qs.state() + "/locks/web.lock: it is a symbolic link") != std::string::npos);
    CHECK(qs.dir().read("precious.txt") == "the test's own file\n");
    CHECK(qs.current_release() == "v2");
}

TEST_CASE("a link planted at the history file is refused and its target left as it was", "[faults][state]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    const std::string precious = qs.dir().write("precious.txt", "the test's own file\n");
    fs::create_directories(qs.state());
    fs::permissions(qs.state(), fs::perms(0750));
    fs::create_symlink(precious, qs.state() + "/history.jsonl");

    CliResult r = run_backstop(qs.cli({"rollback", "web", "--yes"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.out.find("cannot open history " + qs.state() + "/history.jsonl: it is a symbolic link") != std::string::npos);
    CHECK(qs.current_release() == "v2");  // no start record, so nothing changed

    CliResult h = run_backstop(qs.cli({"history"}));
    INFO(h.out << h.err);
    CHECK(h.exit_code == 1);
    CHECK(h.err.find("cannot open history " + qs.state() + "/history.jsonl: it is a symbolic link") != std::string::npos);
    CHECK(qs.dir().read("precious.txt") == "the test's own file\n");
}

TEST_CASE("a state folder others can write is refused by name", "[faults][state]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    fs::create_directories(qs.state() + "/locks");

    SECTION("the state folder itself") {
        fs::permissions(qs.state(), fs::perms(0777));
        CliResult r = run_backstop(qs.cli({"rollback", "web", "--yes"}));
        INFO(r.out << r.err);
        CHECK(r.exit_code != 0);
        CHECK(r.out.find("state folder " + qs.state() + " is writable by others (mode 0777)") != std::string::npos);
        CHECK(qs.current_release() == "v2");
        CHECK_FALSE(qs.dir().exists("state/history.jsonl"));

        CliResult p = run_backstop(qs.cli({"pause", "web"}));
        INFO(p.out << p.err);
        CHECK(p.exit_code == 1);
        CHECK(p.err.find("state folder " + qs.state() + " is writable by others") != std::string::npos);
        CHECK_FALSE(qs.dir().exists("state/paused"));
    }
    SECTION("a folder in it") {
        fs::permissions(qs.state(), fs::perms(0750));
        fs::permissions(qs.state() + "/locks", fs::perms(0757));
        CliResult r = run_backstop(qs.cli({"rollback", "web", "--yes"}));
        INFO(r.out << r.err);
        CHECK(r.exit_code != 0);
        CHECK(r.out.find("state folder " + qs.state() + "/locks is writable by others (mode 0757)") != std::string::npos);
        CHECK(qs.current_release() == "v2");
    }
}
