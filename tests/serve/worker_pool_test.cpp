// The pool that runs `backstop serve`'s services: each client's turns one at a time, due times
// honoured, a wake brings a client forward, a client stuck in a long turn does not hold up the
// others (a thread is added), and remove() waits for the turn at hand.
#include <atomic>
#include <condition_variable>
#include <mutex>

#include <catch2/catch.hpp>

#include "serve/worker_pool.h"
#include "support/eventually.h"

using namespace backstop;
using backstop::test::eventually;
using namespace std::chrono_literals;

namespace {

// A client that has work when `pending` > 0 (or at `due`), and whose turn can be held open.
class TestClient : public WorkerPool::Client {
public:
    WorkerPool::Clock::time_point next_due() override {
        std::lock_guard<std::mutex> lock(mutex_);
        if (pending_ > 0) return WorkerPool::Clock::now();
        return due_;
    }
    void run_turn() override {
        int now_inside = ++inside_;
        if (now_inside > max_inside_) max_inside_ = now_inside;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            if (pending_ > 0) --pending_;
            due_ = WorkerPool::Clock::time_point::max();
            ++turns_;
            released_.wait(lock, [&] { return !hold_; });
        }
        --inside_;
    }

    void add_work(int n) {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ += n;
    }
    void due_in(std::chrono::milliseconds d) {
        std::lock_guard<std::mutex> lock(mutex_);
        due_ = WorkerPool::Clock::now() + d;
    }
    void hold(bool on) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            hold_ = on;
        }
        released_.notify_all();
    }
    int turns() {
        std::lock_guard<std::mutex> lock(mutex_);
        return turns_;
    }
    int max_inside() const { return max_inside_; }
    bool inside() const { return inside_ > 0; }

private:
    std::mutex mutex_;
    std::condition_variable released_;
    int pending_ = 0;
    int turns_ = 0;
    bool hold_ = false;
    WorkerPool::Clock::time_point due_ = WorkerPool::Clock::time_point::max();
    std::atomic<int> inside_{0};
    std::atomic<int> max_inside_{0};
};

WorkerPool::Options small_pool() {
    WorkerPool::Options o;
    o.min_threads = 1;
    o.stall = 50ms;
    return o;
}

}  // namespace

TEST_CASE("worker pool: each client's turns run one at a time, woken work and due times run", "[serve][pool]") {
    WorkerPool pool(small_pool());
    TestClient a, b;
    a.add_work(5);
    pool.add(a);
    pool.add(b);
    REQUIRE(eventually([&] { return a.turns() == 5; }, 10s));
    CHECK(a.max_inside() == 1);
    CHECK(b.turns() == 0);  // nothing due, nothing run

    b.add_work(1);
    pool.wake(b);
    REQUIRE(eventually([&] { return b.turns() == 1; }, 10s));

    b.due_in(100ms);
    pool.wake(b);
    REQUIRE(eventually([&] { return b.turns() == 2; }, 10s));
    pool.remove(a);
    pool.remove(b);
}

TEST_CASE("worker pool: a client held in a long turn does not hold up another, a thread is added", "[serve][pool]") {
    WorkerPool pool(small_pool());
    TestClient slow, quick;
    slow.hold(true);
    slow.add_work(1);
    pool.add(slow);
    pool.add(quick);
    REQUIRE(eventually([&] { return slow.inside(); }, 10s));

    quick.add_work(3);
    pool.wake(quick);
    // With one thread held by `slow`, only a thread the pool adds can run these.
    REQUIRE(eventually([&] { return quick.turns() == 3; }, 10s));
    CHECK(slow.turns() == 1);
    CHECK(pool.threads() >= 2);

    slow.add_work(1);  // arrives during its turn: runs after it, never beside it
    pool.wake(slow);
    slow.hold(false);
    REQUIRE(eventually([&] { return slow.turns() == 2; }, 10s));
    CHECK(slow.max_inside() == 1);
    pool.remove(slow);
    pool.remove(quick);
}

TEST_CASE("worker pool: remove waits for the turn at hand, and the client is never run again", "[serve][pool]") {
    WorkerPool pool(small_pool());
    TestClient c;
    c.hold(true);
    c.add_work(1);
    pool.add(c);
    REQUIRE(eventually([&] { return c.inside(); }, 10s));

    std::atomic<bool> removed{false};
    std::thread remover([&] {
        pool.remove(c);
        removed = true;
    });
    std::this_thread::sleep_for(100ms);  // give remove() the chance to return early, which it must not
    CHECK_FALSE(removed);
    c.hold(false);
    remover.join();
    CHECK(removed);
    CHECK_FALSE(c.inside());

    c.add_work(1);
    pool.wake(c);  // ignored: it is no longer a client
    std::this_thread::sleep_for(100ms);
    CHECK(c.turns() == 1);
}
