// What a due [[service.X.schedule]] does, without waiting for a real minute: Watcher::run_action
// against the real quickstart service — a page recorded in history, a rollback through the runner,
// and while the service is paused only a record of what was held back.
#include <catch2/catch.hpp>
#include <unistd.h>

#include "cli/policy_files.h"
#include "core/run_record.h"
#include "prim/history_file.h"
#include "prim/lock_files.h"
#include "runtime/service_pause.h"
#include "runtime/watcher.h"
#include "support/quickstart_service.h"

using namespace backstop;
using namespace backstop::test;

TEST_CASE("schedule actions: page recorded, rollback through the runner, held back while paused", "[e2e][serve]") {
    QuickstartService qs;
    qs.simulate_bad_deploy();
    PolicyLoadResult loaded = load_policies(cli::read_policy_sources(qs.policy()));
    REQUIRE_FALSE(loaded.diagnostics.has_errors());
    const ServicePolicy& web = *loaded.policies.find("web");

    auto processes = make_process_runner();
    auto http = make_http_client();
    auto history = make_history_file(qs.dir().file("state/history.jsonl"));
    auto locks = make_lock_files(qs.dir().file("state/locks"));
    RunDependencies deps{*processes, *http, *history, *locks, "test-host", static_cast<long>(::getpid())};
    Watcher watcher(loaded.policies, deps, WatchOptions{qs.state(), false, "backstop"});
    RunObserver quiet;
    std::int64_t now = now_epoch_ms();
    const std::string schedule = "schedule:0 3 * * *";

    std::string why;
    ActionSpec page = *parse_action("page", false, &why);
    TriggerReport paged = watcher.run_action(web, page, "schedule \"0 3 * * *\" then page", schedule, now, quiet);
    CHECK(paged.outcome == Outcome::paged);
    CHECK_FALSE(paged.rolled_back);
    REQUIRE(history->load().size() == 1);
    CHECK(history->load()[0].trigger == schedule);
    CHECK(history->load()[0].outcome == Outcome::paged);

    ActionSpec rollback = *parse_action("rollback", false, &why);
    write_pause(qs.state(), ServicePause{"web", now, 0, "alice", "migration"});
    TriggerReport held = watcher.run_action(web, rollback, "nightly", schedule, now, quiet);
    CHECK(held.outcome == Outcome::suppressed);
    CHECK(held.message.find("migration") != std::string::npos);
    CHECK_FALSE(held.rolled_back);
    CHECK(qs.current_release() == "v2");

    REQUIRE(clear_pause(qs.state(), "web"));
    TriggerReport done = watcher.run_action(web, rollback, "nightly", schedule, now, quiet);
    INFO(done.message);
    CHECK(done.outcome == Outcome::succeeded);
    CHECK(done.rolled_back);
    CHECK(done.level == "fast");
    CHECK(done.action == "rollback:fast");
    CHECK(qs.current_release() == "v1");
    auto records = history->load();
    REQUIRE(records.size() == 3);
    CHECK(records.back().trigger == schedule);
    CHECK(records.back().reason == "nightly");
    CHECK(records.back().decision["trigger"] == schedule);
}
