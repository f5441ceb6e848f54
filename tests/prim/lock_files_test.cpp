#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "prim/lock_files.h"
#include "support/temp_dir.h"

using namespace backstop;
using backstop::test::TempDir;

TEST_CASE("a service lock excludes a second holder and names the first", "[lock]") {
    TempDir dir;
    auto locks = make_lock_files(dir.file("locks"));
    LockHolder seen;
    auto first = locks->try_acquire("web", {"run-1", "alice", "h1", 11, 1234}, &seen);
    REQUIRE(first);
    CHECK(locks->current_holder("web")->actor == "alice");

    auto second = locks->try_acquire("web", {"run-2", "bob", "h2", 22, 5678}, &seen);
    CHECK_FALSE(second);
    CHECK(seen.run_id == "run-1");
    CHECK(seen.actor == "alice");
    CHECK(seen.since_ms == 1234);

    CHECK(locks->try_acquire("api", {"run-3", "bob", "h2", 22, 5678}, nullptr));  // other services are independent
    first.reset();
    CHECK_FALSE(locks->current_holder("web"));
    CHECK(locks->try_acquire("web", {"run-2", "bob", "h2", 22, 5678}, &seen));
}

TEST_CASE("a lock whose holder died is free again", "[lock]") {
    TempDir dir;
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        auto locks = make_lock_files(dir.file("locks"));
        auto held = locks->try_acquire("web", {"run-dead", "ghost", "h", ::getpid(), 1}, nullptr);
        ::_exit(held ? 0 : 1);  // exits without releasing
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WEXITSTATUS(status) == 0);
    auto locks = make_lock_files(dir.file("locks"));
    CHECK(locks->try_acquire("web", {"run-new", "alice", "h", 1, 2}, nullptr));
}
