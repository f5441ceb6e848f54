// The log source on a real file that is appended to, rotated by rename, truncated in place
// (copytruncate), deleted and recreated, as log writers and logrotate do; and its place in the file
// carried from one source to a fresh one, as between two `backstop eval --once` runs.
#include <cmath>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include "observe/log_follower.h"
#include "observe/source.h"
#include "support/temp_dir.h"

using namespace backstop;
using namespace backstop::test;

namespace {

struct LogFixture {
    TempDir dir{"backstop-observe-log"};
    std::string path = dir.file("app.log");
    std::unique_ptr<ProcessRunner> runner = make_process_runner();
    std::unique_ptr<HttpClient> http = make_http_client();
    std::unique_ptr<Source> source;

    LogFixture() {
        SourceSpec spec;
        spec.name = "errors";
        spec.kind = SourceKind::log;
        spec.log().path = path;
        spec.log().pattern = "ERROR|panic";
        SourceDeps deps{*runner, *http};
        source = make_source(spec, deps);
    }

    void append(const std::string& text, const std::string& to = {}) const {
        std::ofstream out(to.empty() ? path : to, std::ios::app | std::ios::binary);
        out << text;
    }
};

}  // namespace

TEST_CASE_METHOD(LogFixture, "log: the first look starts at the end, new matching lines fail", "[observe][log]") {
    append("ERROR from before backstop looked\n");
    Observation first = source->observe();
    CHECK(first.status == ObservationStatus::ok);
    CHECK(first.value == 0);
    CHECK(first.detail == "no new line of " + path + " (started at the end) matches `ERROR|panic`");

    append("info: request served\nERROR boom\n");
    Observation boom = source->observe();
    CHECK(boom.status == ObservationStatus::failed);
    CHECK(boom.value == 1);
    CHECK(boom.matched_line == "ERROR boom");
    CHECK(boom.detail == "1 new line of " + path + " matches `ERROR|panic`");

    Observation quiet = source->observe();  // nothing new since
    CHECK(quiet.status == ObservationStatus::ok);
    CHECK(quiet.value == 0);
    CHECK(quiet.matched_line.empty());

    append("panic: nil map\ninfo\n   ERROR second   \n");
    Observation two = source->observe();
    CHECK(two.status == ObservationStatus::failed);
    CHECK(two.value == 2);
    CHECK(two.matched_line == "ERROR second");

    append("info: all fine\n");
    CHECK(source->observe().status == ObservationStatus::ok);
}

TEST_CASE_METHOD(LogFixture, "log: a line without its newline waits for the rest", "[observe][log]") {
    append("");
    source->observe();
    append("info ER");
    CHECK(source->observe().status == ObservationStatus::ok);
    append("ROR split across writes\n");
    Observation o = source->observe();
    CHECK(o.status == ObservationStatus::failed);
    CHECK(o.matched_line == "info ERROR split across writes");
}

TEST_CASE_METHOD(LogFixture, "log: rotation by rename reads the rest of the old file, then the new one", "[observe][log]") {
    append("start\n");
    source->observe();
    append("ERROR before rotation\n");
    REQUIRE(std::rename(path.c_str(), (path + ".1").c_str()) == 0);
    append("ERROR written late to the old file\n", path + ".1");  // the writer still had it open
    append("info\nERROR first in the new file\n");
    Observation o = source->observe();
    CHECK(o.status == ObservationStatus::failed);
    CHECK(o.value == 3);
    CHECK(o.matched_line == "ERROR first in the new file");
    CHECK_THAT(o.detail, Catch::Contains("(rotated)"));

    append("ERROR later\n");
    append("ERROR not ours any more\n", path + ".1");
    Observation later = source->observe();
    CHECK(later.value == 1);
    CHECK(later.matched_line == "ERROR later");
}

TEST_CASE_METHOD(LogFixture, "log: a file truncated in place is read again from its start", "[observe][log]") {
    append("a long line of history that makes the file bigger than what comes after\n");
    source->observe();
    append("ERROR just before copytruncate\n");
    CHECK(source->observe().value == 1);
    REQUIRE(::truncate(path.c_str(), 0) == 0);
    append("ERROR after\n");
    Observation o = source->observe();
    CHECK(o.status == ObservationStatus::failed);
    CHECK(o.value == 1);
    CHECK(o.matched_line == "ERROR after");
    CHECK_THAT(o.detail, Catch::Contains("(truncated)"));
    CHECK(source->observe().status == ObservationStatus::ok);
}

TEST_CASE_METHOD(LogFixture, "log: a deleted file is unknown until it is recreated", "[observe][log]") {
    append("start\n");
    source->observe();
    append("ERROR last words\n");
    REQUIRE(::unlink(path.c_str()) == 0);
    Observation last = source->observe();  // what was written before the delete still counts
    CHECK(last.status == ObservationStatus::failed);
    CHECK(last.matched_line == "ERROR last words");
    CHECK_THAT(last.detail, Catch::EndsWith("; now: no such file"));

    Observation gone = source->observe();
    CHECK(gone.status == ObservationStatus::unknown);
    CHECK(std::isnan(gone.value));
    CHECK(gone.error == path + ": no such file");

    append("info\nERROR reborn\n");
    Observation reborn = source->observe();
    CHECK(reborn.status == ObservationStatus::failed);
    CHECK(reborn.value == 1);
    CHECK(reborn.matched_line == "ERROR reborn");
    CHECK_THAT(reborn.detail, Catch::Contains("(appeared)"));
}

TEST_CASE_METHOD(LogFixture, "log: a file that does not exist yet is unknown, then read from its start", "[observe][log]") {
    Observation missing = source->observe();
    CHECK(missing.status == ObservationStatus::unknown);
    CHECK(missing.error == path + ": no such file");
    append("ERROR at startup\n");
    Observation o = source->observe();
    CHECK(o.status == ObservationStatus::failed);
    CHECK(o.matched_line == "ERROR at startup");
}

TEST_CASE_METHOD(LogFixture, "log: matched lines are capped at 512 bytes", "[observe][log]") {
    append("");
    source->observe();
    append("ERROR " + std::string(5000, 'x') + "\n");
    Observation o = source->observe();
    CHECK(o.value == 1);
    CHECK(o.matched_line.size() == 512);
    CHECK(o.matched_line.rfind("ERROR xxx", 0) == 0);
}

TEST_CASE("log follower: a read budget leaves the rest for later, long lines come in pieces", "[observe][log]") {
    TempDir dir{"backstop-observe-follow"};
    std::string path = dir.write("a.log", "");
    LogFollower follower(path, 10, 8);
    std::vector<std::string> lines;
    auto collect = [&](std::string_view line) { lines.emplace_back(line); };
    CHECK(follower.read_new_lines(collect).event == "started at the end");
    {
        std::ofstream out(path, std::ios::app);
        out << "one\ntwo\nthree\n0123456789abcdefghij\n";
    }
    follower.read_new_lines(collect);  // 10 bytes: "one\ntwo\nth"
    CHECK(lines == std::vector<std::string>{"one", "two"});
    for (int i = 0; i < 10 && lines.size() < 6; ++i) follower.read_new_lines(collect);
    CHECK(lines == std::vector<std::string>{"one", "two", "three", "01234567", "89abcdef", "ghij"});

    dir.mkdir("dir.log");
    LogFollower folder(dir.file("dir.log"));
    auto r = folder.read_new_lines(collect);
    CHECK_FALSE(r.readable);
    CHECK(r.error == "not a regular file");
}

namespace {

// A source for `path` as a new process would make it: nothing shared with any other.
struct FreshLogSource {
    std::unique_ptr<ProcessRunner> runner = make_process_runner();
    std::unique_ptr<HttpClient> http = make_http_client();
    std::unique_ptr<Source> source;

    explicit FreshLogSource(const std::string& path) {
        SourceSpec spec;
        spec.name = "errors";
        spec.kind = SourceKind::log;
        spec.log().path = path;
        spec.log().pattern = "ERROR|panic";
        source = make_source(spec, SourceDeps{*runner, *http});
    }
};

// The state as it would come back from a state file: written as text, read back.
nlohmann::json through_text(const nlohmann::json& state) { return nlohmann::json::parse(state.dump()); }

}  // namespace

TEST_CASE_METHOD(LogFixture, "log state: a restored source goes on exactly where the saved one stopped", "[observe][log][state]") {
    append("ERROR from before anyone looked\n");
    source->observe();
    append("ERROR one\ninfo ER");
    CHECK(source->observe().value == 1);  // "info ER" waits for its newline
    nlohmann::json state = through_text(source->save_state());
    CHECK(state["path"] == path);
    CHECK(state["started"] == true);
    CHECK(state["file"]["partial_hex"] == "696e666f204552");  // "info ER"
    source.reset();  // the process ends

    append("ROR split across processes\nERROR while nobody looked\n");
    FreshLogSource next(path);
    next.source->restore_state(state);
    append("info\nERROR after the restore\n");
    Observation o = next.source->observe();
    CHECK(o.status == ObservationStatus::failed);
    CHECK(o.value == 3);
    CHECK(o.matched_line == "ERROR after the restore");
    CHECK(o.detail == "3 new lines of " + path + " match `ERROR|panic`");  // no event: it simply went on
    CHECK(next.source->observe().value == 0);

    // The first look's "skip history" is remembered too: a file that was missing when the state was
    // saved is read from its start once it appears.
    REQUIRE(::unlink(path.c_str()) == 0);
    CHECK(next.source->observe().status == ObservationStatus::unknown);
    nlohmann::json missing = through_text(next.source->save_state());
    CHECK_FALSE(missing.contains("file"));
    append("ERROR in the new file\n");
    FreshLogSource third(path);
    third.source->restore_state(missing);
    Observation appeared = third.source->observe();
    CHECK(appeared.value == 1);
    CHECK_THAT(appeared.detail, Catch::Contains("(appeared)"));
}

TEST_CASE_METHOD(LogFixture, "log state: a rotation between two processes starts the new file from its start", "[observe][log][state]") {
    append("start\n");
    source->observe();
    append("ERROR before the save\npanic: half a line");
    CHECK(source->observe().value == 1);
    nlohmann::json state = through_text(source->save_state());
    source.reset();

    REQUIRE(std::rename(path.c_str(), (path + ".1").c_str()) == 0);
    append(" (rest of it, not read)\nERROR late in the old file (not read)\n", path + ".1");
    append("ERROR new one\ninfo\nERROR new two\n");
    FreshLogSource next(path);
    next.source->restore_state(state);
    Observation o = next.source->observe();
    CHECK(o.status == ObservationStatus::failed);
    CHECK(o.value == 3);  // the kept "panic: half a line", then the new file's two
    CHECK(o.matched_line == "ERROR new two");
    CHECK_THAT(o.detail, Catch::Contains("(rotated)"));

    append("ERROR later\n");
    Observation later = next.source->observe();
    CHECK(later.value == 1);
    CHECK(later.matched_line == "ERROR later");
}

TEST_CASE_METHOD(LogFixture, "log state: a file truncated between two processes is read from its start", "[observe][log][state]") {
    append("a long line of history, longer than what is written after the truncation\n");
    source->observe();
    nlohmann::json state = through_text(source->save_state());
    source.reset();
    REQUIRE(::truncate(path.c_str(), 0) == 0);
    append("ERROR short\n");
    FreshLogSource next(path);
    next.source->restore_state(state);
    Observation o = next.source->observe();
    CHECK(o.value == 1);
    CHECK(o.matched_line == "ERROR short");
    CHECK_THAT(o.detail, Catch::Contains("(truncated)"));
}

TEST_CASE_METHOD(LogFixture, "log state: a state it does not understand is ignored", "[observe][log][state]") {
    append("start\n");
    source->observe();
    nlohmann::json good = through_text(source->save_state());
    nlohmann::json other_path = good;
    other_path["path"] = path + ".other";
    nlohmann::json bad_hex = good;
    bad_hex["file"]["partial_hex"] = "zz";
    nlohmann::json negative = good;
    negative["file"]["offset"] = -5;
    nlohmann::json wrong_type = good;
    wrong_type["started"] = "yes";
    nlohmann::json huge_partial = good;
    huge_partial["file"]["partial_hex"] = std::string(4u << 20, 'a');  // longer than a line can be
    huge_partial["file"]["offset"] = 4u << 20;
    const std::vector<nlohmann::json> garbage = {
        nlohmann::json(), nlohmann::json::array({1, 2}), "text", 42, nlohmann::json::object(),
        {{"cpu", 3}}, other_path, bad_hex, negative, wrong_type, huge_partial};
    append("ERROR history that a fresh source skips\n");
    for (const auto& state : garbage) {
        INFO(state.dump().substr(0, 200));
        FreshLogSource fresh(path);
        fresh.source->restore_state(state);
        Observation first = fresh.source->observe();
        CHECK(first.status == ObservationStatus::ok);
        CHECK(first.value == 0);
        CHECK_THAT(first.detail, Catch::Contains("(started at the end)"));
    }
}
