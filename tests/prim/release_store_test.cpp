#include <atomic>
#include <filesystem>
#include <thread>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "prim/release_store.h"
#include "support/temp_dir.h"

using namespace backstop;
using backstop::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("releases are listed oldest first in natural order, skipping files and hidden folders", "[releases]") {
    TempDir dir;
    for (const char* r : {"v10", "v9", "v100", "v2", ".incoming"}) dir.mkdir(std::string("releases/") + r);
    dir.write("releases/README", "not a release");
    ReleaseStore store(dir.file("releases"), dir.file("current"));
    CHECK(store.list() == std::vector<std::string>{"v2", "v9", "v10", "v100"});
    CHECK(store.current().empty());
}

TEST_CASE("current resolves absolute and relative links, and only inside the releases folder", "[releases]") {
    TempDir dir;
    dir.mkdir("releases/v1");
    dir.mkdir("elsewhere/v1");
    ReleaseStore store(dir.file("releases"), dir.file("current"));
    fs::create_directory_symlink("releases/v1", dir.file("current"));
    CHECK(store.current() == "v1");
    fs::remove(dir.file("current"));
    fs::create_directory_symlink(dir.file("releases/v1"), dir.file("current"));
    CHECK(store.current() == "v1");
    fs::remove(dir.file("current"));
    fs::create_directory_symlink(dir.file("elsewhere/v1"), dir.file("current"));
    CHECK(store.current().empty());
}

TEST_CASE("switch_to replaces the link atomically: readers never see it missing", "[releases]") {
    TempDir dir;
    dir.mkdir("releases/a");
    dir.mkdir("releases/b");
    ReleaseStore store(dir.file("releases"), dir.file("current"));
    store.switch_to("a");
    REQUIRE(store.current() == "a");

    std::atomic<bool> stop{false};
    std::atomic<int> missing{0}, reads{0};
    std::string link = dir.file("current");
    std::thread reader([&] {
        char buf[4096];
        while (!stop) {
            if (::readlink(link.c_str(), buf, sizeof buf) < 0) ++missing;
            ++reads;
        }
    });
    for (int i = 0; i < 2000; ++i) store.switch_to(i % 2 ? "a" : "b");
    stop = true;
    reader.join();
    CHECK(reads > 0);
    CHECK(missing == 0);
    CHECK(store.current() == "a");
    // no temporary links left behind
    int entries = 0;
    for (const auto& e : fs::directory_iterator(dir.path())) entries += e.path().filename().string().rfind(".current", 0) == 0;
    CHECK(entries == 0);
}

TEST_CASE("switch_to refuses a missing release and a real folder at `current`", "[releases]") {
    TempDir dir;
    dir.mkdir("releases/v1");
    ReleaseStore store(dir.file("releases"), dir.file("current"));
    store.switch_to("v1");
    CHECK_THROWS_AS(store.switch_to("v2"), Error);
    CHECK(store.current() == "v1");

    TempDir other;
    other.mkdir("releases/v1");
    other.mkdir("current");
    ReleaseStore real_dir(other.file("releases"), other.file("current"));
    CHECK_THROWS_WITH(real_dir.switch_to("v1"), Catch::Contains("not a symlink"));
    CHECK(fs::is_directory(fs::symlink_status(other.file("current"))));
}
