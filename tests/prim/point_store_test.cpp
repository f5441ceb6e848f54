// Rollback points hash what they keep without holding it in memory: a volume archive and a config
// file larger than the memory the process may still take are stored, checked and restored.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "prim/point_store.h"
#include "support/temp_dir.h"

using namespace backstop;

namespace {

constexpr std::size_t kMiB = 1024 * 1024;

// `size` bytes gzip cannot shrink (xorshift output), so the archive is as large as the data.
void write_incompressible(const std::string& path, std::size_t size) {
    std::ofstream out(path, std::ios::binary);
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    std::string block(kMiB, '\0');
    for (std::size_t done = 0; done < size; done += block.size()) {
        for (std::size_t i = 0; i + 8 <= block.size(); i += 8) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            std::memcpy(block.data() + i, &x, 8);
        }
        out.write(block.data(), static_cast<std::streamsize>(std::min(block.size(), size - done)));
    }
}

// The digest coreutils' sha256sum prints: an oracle independent of the code under test.
std::string sha256sum(const std::string& path) {
    std::string digest(64, '\0');
    FILE* out = ::popen(("sha256sum '" + path + "'").c_str(), "r");
    REQUIRE(out);
    const std::size_t got = std::fread(digest.data(), 1, digest.size(), out);
    ::pclose(out);
    REQUIRE(got == digest.size());
    return digest;
}

std::size_t data_in_use() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmData:", 0) == 0) return std::stoul(line.substr(7)) * 1024;
    return 0;
}

// Runs `body` in a child whose data (heap and private mappings, RLIMIT_DATA) may grow by at most
// `headroom` bytes: what reads a file whole into memory fails there, what reads it in chunks does
// not. The child reports by its exit status; an Error it throws is printed.
bool within_data_headroom(std::size_t headroom, const std::function<void()>& body) {
    pid_t pid = ::fork();
    if (pid == 0) {
        rlimit data{data_in_use() + headroom, data_in_use() + headroom};
        ::setrlimit(RLIMIT_DATA, &data);
        try {
            body();
            ::_exit(0);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "child: %s\n", e.what());
            ::_exit(1);
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    INFO("child status " << status);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

RollbackPoint point_of(const std::string& id) {
    RollbackPoint p;
    p.id = id;
    p.service = "web";
    p.strategy = "releases";
    p.version = "v1";
    return p;
}

}  // namespace

TEST_CASE("a volume archive larger than the memory left is hashed and restored in chunks", "[prim][points]") {
    test::TempDir dir("backstop-point-store");
    dir.mkdir("data");
    write_incompressible(dir.file("data/blob"), 96 * kMiB);
    const std::string blob = sha256sum(dir.file("data/blob"));
    const std::filesystem::path points = dir.file("state/points");
    auto processes = make_process_runner();
    PointStore store(points, *processes);

    RollbackPoint p = point_of("rb-000000000001");
    p.volumes.push_back({dir.file("data"), "", "", ""});
    REQUIRE(within_data_headroom(32 * kMiB, [&] { store.save(p); }));

    auto saved = store.find("rb-000000000001");
    REQUIRE(saved);
    REQUIRE(saved->volumes.size() == 1);
    const auto archive = points / "web" / saved->id / saved->volumes[0].archive;
    CHECK(std::filesystem::file_size(archive) > 90 * kMiB);
    CHECK(saved->volumes[0].sha256 == sha256sum(archive.string()));

    std::filesystem::remove(dir.file("data/blob"));
    dir.write("data/other", "written after the point\n");
    REQUIRE(within_data_headroom(32 * kMiB, [&] {
        std::filesystem::path kept = store.restore_volume_keeping(*saved, saved->volumes[0]);
        drop_kept_folder(kept);
    }));
    CHECK(sha256sum(dir.file("data/blob")) == blob);
    CHECK_FALSE(dir.exists("data/other"));

    // A damaged archive is refused before anything is extracted.
    { std::ofstream(archive, std::ios::binary | std::ios::app) << "x"; }
    CHECK_THROWS_WITH(store.restore_volume_keeping(*saved, saved->volumes[0]), Catch::Contains("missing or corrupt"));
    CHECK(sha256sum(dir.file("data/blob")) == blob);
}

TEST_CASE("a config file larger than the memory left is copied into the point with its digest", "[prim][points]") {
    test::TempDir dir("backstop-point-store");
    write_incompressible(dir.file("big.conf"), 64 * kMiB);
    const std::string digest = sha256sum(dir.file("big.conf"));
    auto processes = make_process_runner();
    PointStore store(dir.file("state/points"), *processes);

    RollbackPoint p = point_of("rb-000000000002");
    p.configs.push_back({dir.file("big.conf"), ""});
    REQUIRE(within_data_headroom(16 * kMiB, [&] { store.save(p); }));

    auto saved = store.find("rb-000000000002");
    REQUIRE(saved);
    REQUIRE(saved->configs.size() == 1);
    CHECK(saved->configs[0].sha256 == digest);
    CHECK(sha256sum(dir.file("state/points/web/rb-000000000002/configs/" + digest)) == digest);
}
