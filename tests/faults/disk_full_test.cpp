// A state folder that fills up between a run's start and end records, through the built binary:
// the state is a small tmpfs in a mount namespace of the test's own, filled by the runbook's post
// hook (dd), so the end record finds no room.
#include <filesystem>
#include <sched.h>
#include <sys/mount.h>

#include <catch2/catch.hpp>

#include "support/backstop_cli.h"
#include "support/quickstart_service.h"

using namespace backstop::test;
namespace fs = std::filesystem;

namespace {

// Mounts are private from here on: the tmpfs is seen by this process and its children only, and
// goes away with them.
void enter_own_mount_namespace() {
    REQUIRE(::unshare(CLONE_NEWNS) == 0);
    REQUIRE(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
}

class SmallTmpfs {
public:
    explicit SmallTmpfs(std::string at) : at_(std::move(at)) {
        fs::create_directories(at_);
        REQUIRE(::mount("tmpfs", at_.c_str(), "tmpfs", 0, "size=1m,mode=0750") == 0);
    }
    ~SmallTmpfs() { ::umount2(at_.c_str(), MNT_DETACH); }
    SmallTmpfs(const SmallTmpfs&) = delete;
    SmallTmpfs& operator=(const SmallTmpfs&) = delete;

private:
    std::string at_;
};

}  // namespace

TEST_CASE("disk full before the end record: not exit 0, no [ok] record, the next run records it", "[faults][disk]") {
    enter_own_mount_namespace();
    QuickstartService qs;
    qs.add_release("v0", true);
    qs.simulate_bad_deploy();
    SmallTmpfs state(qs.state());
    qs.write_runbook("fill.lua", "return { post = function(ctx)\n"
                                 "  exec({'dd', 'if=/dev/zero', 'of=" + qs.state() + "/fill', 'bs=4096'})\n"
                                 "end }\n");
    // Each run restarts the app: a health check patient enough for a busy machine (15 s).
    qs.write_policy("[service.web.rollback]\nrunbook = \"fill.lua\"\nexec_allow = [\"dd\"]\n", 150);
    // Bigger than a page, so the end record cannot fit in what is left of the history file's last
    // page once dd has taken every free one.
    const std::string reason = "disk full test " + std::string(5000, 'x');

    CliResult first = run_backstop(qs.cli({"rollback", "web", "--yes", "--reason", reason}));
    INFO(first.out << first.err);
    CHECK(qs.current_release() == "v1");  // the rollback itself happened
    CHECK(first.exit_code == 4);
    CHECK(first.out.find("[ok  ] record") == std::string::npos);
    CHECK(first.out.find("[FAIL] record") != std::string::npos);
    CHECK(first.out.find("No space left on device") != std::string::npos);

    fs::remove(qs.state() + "/fill");
    qs.write_policy(QuickstartService::kDefaultRollbackTable, 150);
    CliResult second = run_backstop(qs.cli({"rollback", "web", "--yes"}));
    INFO(second.out << second.err);
    CHECK(second.exit_code == 0);
    CHECK(qs.current_release() == "v0");
    CHECK(second.out.find("[ok  ] reconcile") != std::string::npos);

    nlohmann::json runs = run_backstop(qs.cli({"history", "--json"})).json();
    REQUIRE(runs.size() == 2);
    const nlohmann::json& cut_off = runs[1];  // newest first
    CHECK(cut_off["from"] == "v2");
    CHECK(cut_off["to"] == "v1");
    CHECK(cut_off["outcome"] == "unrecorded");
    CHECK(cut_off["message"].get<std::string>().find("found web on v1, the run's target") != std::string::npos);
    CHECK(runs[0]["outcome"] == "succeeded");
}
