// When the watcher writes a service's windows and trigger states (STATE/watch/NAME.json): after every
// evaluation for `eval`; in serve (save_every) at once while a trigger's timers run or its state
// changes, otherwise at most every save_every, and whatever is left when the watcher ends.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/policy_files.h"
#include "prim/history_file.h"
#include "prim/lock_files.h"
#include "runtime/watcher.h"
#include "support/temp_dir.h"

using namespace backstop;
using backstop::test::TempDir;

namespace {

const char* kPolicy = R"(
[service.web]
strategy = "releases"
releases = "releases"
current  = "current"

[service.web.source.deploys]
kind = "event"

[[service.web.trigger]]
name   = "deploy_failed"
source = "deploys"
when   = "failed"
for    = "1m"
then   = "page"

[service.web.source.errors]
kind = "event"

[[service.web.trigger]]
name   = "many_errors"
source = "errors"
when   = "avg > 5"
window = "1m"
then   = "page"
)";

struct Fixture {
    TempDir dir;
    PolicyLoadResult loaded;
    std::unique_ptr<ProcessRunner> processes = make_process_runner();
    std::unique_ptr<HttpClient> http = make_http_client();
    std::unique_ptr<HistoryStore> history;
    std::unique_ptr<LockManager> locks;
    RunObserver quiet;

    Fixture() {
        dir.write("backstop.toml", kPolicy);
        loaded = load_policies(cli::read_policy_sources(dir.file("backstop.toml")));
        REQUIRE_FALSE(loaded.diagnostics.has_errors());
        history = make_history_file(dir.file("state/history.jsonl"));
        locks = make_lock_files(dir.file("state/locks"));
    }
    RunDependencies deps() { return {*processes, *http, *history, *locks, "test-host", static_cast<long>(::getpid())}; }
    const ServicePolicy& web() const { return *loaded.policies.find("web"); }

    // Records one look at an event source and evaluates the trigger reading it.
    TriggerStep look(Watcher& w, std::int64_t at_ms, ObservationStatus status, const std::string& source = "deploys") {
        Observation o;
        o.source = source;
        o.kind = SourceKind::event;
        o.time_ms = at_ms;
        o.status = status;
        o.value = 1;
        w.record(web(), o);
        auto reports = w.evaluate_triggers(web(), at_ms, quiet, source);
        REQUIRE(reports.size() == 1);
        return reports[0].step;
    }
    // The time of the latest look in the saved state; -1 when nothing was saved.
    std::int64_t saved_latest_ms() const {
        if (!dir.exists("state/watch/web.json")) return -1;
        auto j = nlohmann::json::parse(dir.read("state/watch/web.json"));
        return j["windows"]["deploys"]["latest"]["time_ms"].get<std::int64_t>();
    }
};

}  // namespace

TEST_CASE("watch state: serve saves a quiet service every 30 s, a trigger in motion at once, the rest at the end", "[serve]") {
    Fixture f;
    WatchOptions options{f.dir.file("state"), false, "backstop"};
    options.save_every = Duration{30'000};
    const std::int64_t t0 = 1'700'000'000'000;
    {
        Watcher w(f.loaded.policies, f.deps(), options);
        CHECK(f.look(w, t0, ObservationStatus::ok) == TriggerStep::quiet);
        CHECK(f.saved_latest_ms() == t0);  // the first evaluation is saved
        CHECK(f.look(w, t0 + 1'000, ObservationStatus::ok) == TriggerStep::quiet);
        CHECK(f.saved_latest_ms() == t0);  // quiet, within 30 s: not yet
        CHECK(f.look(w, t0 + 31'000, ObservationStatus::ok) == TriggerStep::quiet);
        CHECK(f.saved_latest_ms() == t0 + 31'000);

        CHECK(f.look(w, t0 + 32'000, ObservationStatus::failed) == TriggerStep::holding);
        CHECK(f.saved_latest_ms() == t0 + 32'000);  // the `for` timer started: saved at once
        auto saved = nlohmann::json::parse(f.dir.read("state/watch/web.json"));
        CHECK(saved["triggers"]["deploy_failed"].dump().find(std::to_string(t0 + 32'000)) != std::string::npos);
        // Holding no more: the stopped timer is saved at once too, or a restart would resume it.
        CHECK(f.look(w, t0 + 33'000, ObservationStatus::ok) == TriggerStep::quiet);
        CHECK(f.saved_latest_ms() == t0 + 33'000);
        saved = nlohmann::json::parse(f.dir.read("state/watch/web.json"));
        CHECK_FALSE(saved["triggers"]["deploy_failed"].contains("holding_since_ms"));
        CHECK(f.look(w, t0 + 34'000, ObservationStatus::ok) == TriggerStep::quiet);
        CHECK(f.saved_latest_ms() == t0 + 33'000);
    }
    CHECK(f.saved_latest_ms() == t0 + 34'000);  // written when the watcher ended
}

TEST_CASE("watch state: eval saves after every evaluation", "[serve]") {
    Fixture f;
    Watcher w(f.loaded.policies, f.deps(), WatchOptions{f.dir.file("state"), false, "backstop"});
    const std::int64_t t0 = 1'700'000'000'000;
    f.look(w, t0, ObservationStatus::ok);
    CHECK(f.saved_latest_ms() == t0);
    f.look(w, t0 + 1'000, ObservationStatus::ok);
    CHECK(f.saved_latest_ms() == t0 + 1'000);
}

TEST_CASE("watch state: a source keeps the history its triggers' statistics read, and no more", "[serve]") {
    Fixture f;
    Watcher w(f.loaded.policies, f.deps(), WatchOptions{f.dir.file("state"), false, "backstop"});
    const std::int64_t t0 = 1'700'000'000'000;
    for (int i = 0; i < 20; ++i) {
        f.look(w, t0 + i * 10'000, ObservationStatus::ok, "deploys");  // `failed`: the latest look only
        f.look(w, t0 + i * 10'000, ObservationStatus::ok, "errors");   // `avg` over 1m, plus one interval (10 s by default)
    }
    auto saved = nlohmann::json::parse(f.dir.read("state/watch/web.json"));
    CHECK(saved["windows"]["deploys"]["samples"].size() == 1);
    CHECK(saved["windows"]["errors"]["samples"].size() == 8);  // t-70 s .. t, every 10 s
}
