#include <csignal>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "prim/history_file.h"
#include "support/temp_dir.h"

using namespace backstop;
using backstop::test::TempDir;

namespace {
RunRecord make(const std::string& id, Outcome o) {
    RunRecord r;
    r.run_id = id;
    r.service = "web";
    r.from = "v2";
    r.to = "v1";
    r.outcome = o;
    r.started_ms = 1000;
    r.ended_ms = 1500;
    r.steps.push_back({"switch", "current: v2 -> v1", StepStatus::ok, 3, ""});
    return r;
}
}  // namespace

TEST_CASE("records round-trip and a later write of the same run supersedes the earlier", "[history]") {
    TempDir dir;
    auto h = make_history_file(dir.file("state/history.jsonl"));
    CHECK(h->load().empty());
    h->record(make("a", Outcome::running));
    h->record(make("b", Outcome::dry_run));
    h->record(make("a", Outcome::succeeded));
    auto runs = h->load();
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].run_id == "a");
    CHECK(runs[0].outcome == Outcome::succeeded);
    CHECK(runs[0].steps.at(0).detail == "current: v2 -> v1");
    CHECK(runs[0].duration_ms() == 500);
    CHECK(runs[1].outcome == Outcome::dry_run);
    CHECK(dir.read("state/history.jsonl").rfind("{\"backstop_history\":1}\n", 0) == 0);
}

TEST_CASE("a torn last line is skipped and the next record starts on a line of its own", "[history]") {
    TempDir dir;
    auto h = make_history_file(dir.file("history.jsonl"));
    h->record(make("a", Outcome::succeeded));
    {
        std::ofstream torn(dir.file("history.jsonl"), std::ios::app);
        torn << "{\"run_id\":\"half\",\"serv";
    }
    CHECK(h->load().size() == 1);
    h->record(make("b", Outcome::failed));
    auto runs = h->load();
    REQUIRE(runs.size() == 2);
    CHECK(runs[1].run_id == "b");
}

TEST_CASE("kill -9 of a writer never corrupts earlier records", "[history]") {
    TempDir dir;
    std::string file = dir.file("history.jsonl");
    for (int round = 0; round < 5; ++round) {
        pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            auto h = make_history_file(file);
            RunRecord big = make("x", Outcome::succeeded);
            big.message = std::string(200000, 'm');  // long lines make a mid-write kill likely
            for (int i = 0;; ++i) {
                big.run_id = "r" + std::to_string(round) + "-" + std::to_string(i);
                h->record(big);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(30 + round * 10));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
    }
    auto runs = make_history_file(file)->load();
    CHECK(runs.size() > 0);
    for (const auto& r : runs) CHECK(r.message.size() == 200000);
    // and the file still takes new records
    make_history_file(file)->record(make("after", Outcome::succeeded));
    CHECK(make_history_file(file)->load().back().run_id == "after");
}
