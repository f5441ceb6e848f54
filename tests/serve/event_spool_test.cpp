// The event spool on a real folder: what is appended and not done is there after a restart, in
// order, a torn last line is skipped, the file is emptied once nothing is pending, and a symlink at
// its path is refused instead of followed.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <sys/stat.h>

#include "core/error.h"
#include "prim/state_files.h"
#include "serve/event_spool.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace {

SpooledEvent event(const std::string& name, bool firing) {
    SpooledEvent e;
    e.service = "web";
    e.observation.source = "alerts";
    e.observation.kind = SourceKind::event;
    e.observation.time_ms = 1'700'000'000'000;
    e.observation.status = firing ? ObservationStatus::failed : ObservationStatus::ok;
    e.observation.state = firing ? "firing" : "resolved";
    e.observation.event = name;
    e.observation.alert = "fp-" + name;
    e.observation.detail = name + (firing ? " (firing)" : " (resolved)");
    return e;
}

}  // namespace

TEST_CASE("the event spool keeps what was not evaluated across a restart, and only that", "[serve][spool]") {
    TempDir dir("backstop-spool");
    const std::string state = dir.file("state");
    const std::string file = dir.file("state/events/spool.jsonl");
    {
        EventSpool spool(state);
        CHECK(spool.unfinished().empty());
        std::vector<SpooledEvent> batch = {event("A", true), event("B", false)};
        spool.append(batch);
        std::vector<SpooledEvent> more = {event("C", true)};
        spool.append(more);
        CHECK(batch[0].id != 0);
        CHECK(batch[1].id != batch[0].id);
        spool.done(batch[0].id);
        CHECK(spool.pending() == 2);
    }
    struct stat st {};
    REQUIRE(::stat(dir.file("state/events").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == kStateFolderMode);
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == kStateFileMode);

    // A crash in the middle of a write leaves a torn line behind.
    std::filesystem::path path(file);
    {
        std::string text = dir.read("state/events/spool.jsonl");
        dir.write("state/events/spool.jsonl", text + "{\"id\": 99, \"serv");
    }
    EventSpool spool(state);
    std::vector<SpooledEvent> left = spool.unfinished();
    REQUIRE(left.size() == 2);
    CHECK(left[0].observation.event == "B");
    CHECK(left[0].observation.status == ObservationStatus::ok);
    CHECK(left[0].observation.alert == "fp-B");
    CHECK(std::isnan(left[0].observation.value));
    CHECK(left[1].observation.event == "C");
    CHECK(left[1].service == "web");
    CHECK(left[1].observation.source == "alerts");
    CHECK(left[1].observation.time_ms == 1'700'000'000'000);

    std::vector<SpooledEvent> next = {event("D", true)};
    spool.append(next);
    CHECK(next[0].id > left[1].id);  // ids are never reused
    for (const auto& e : left) spool.done(e.id);
    CHECK(std::filesystem::file_size(path) > 0);
    spool.done(next[0].id);
    CHECK(spool.pending() == 0);
    CHECK(std::filesystem::file_size(path) == 0);
}

TEST_CASE("the event spool refuses a symlink at its path and writes nothing through it", "[serve][spool]") {
    TempDir dir("backstop-spool");
    dir.write("target", "precious\n");
    dir.mkdir("state/events");
    std::filesystem::create_symlink(dir.file("target"), dir.file("state/events/spool.jsonl"));
    EventSpool spool(dir.file("state"));
    std::vector<SpooledEvent> batch = {event("A", true)};
    CHECK_THROWS_AS(spool.append(batch), Error);
    CHECK(dir.read("target") == "precious\n");
}

TEST_CASE("a dry run's event spool keeps nothing", "[serve][spool]") {
    EventSpool spool{std::filesystem::path()};
    std::vector<SpooledEvent> batch = {event("A", true)};
    spool.append(batch);
    CHECK(batch[0].id == 0);
    CHECK(spool.pending() == 0);
    CHECK(spool.unfinished().empty());
}
