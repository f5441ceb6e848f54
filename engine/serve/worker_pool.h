// The threads that run the services' work in `backstop serve`. Each service (a Client) has its
// turns run one at a time, and a turn never waits long for another service's: when turns are ready
// and every thread is held by a turn that has run for a moment (a slow source, a long rollback),
// another thread starts. So a slow service holds up only itself, as with a thread per service,
// while a thousand quiet services need a few threads instead of a thousand (each thread's stack,
// buffers and HTTP connections stay resident). Quick turns queue for the threads there are.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <queue>
#include <set>
#include <thread>
#include <unordered_set>
#include <vector>

namespace backstop {

class WorkerPool {
public:
    using Clock = std::chrono::steady_clock;

    class Client {
    public:
        virtual ~Client() = default;
        // When it next has work: a time not after now for "at once", Clock::time_point::max() for
        // "only when woken". Called with the pool's lock held: it may take its own lock, never the pool's.
        virtual Clock::time_point next_due() = 0;
        // Does the work that is due; on a pool thread, never two at a time for one client.
        virtual void run_turn() = 0;

    private:
        friend class WorkerPool;
        enum class State { outside, idle, ready, running } state_ = State::outside;
        std::uint64_t timer_ = 0;  // identifies its live timer; older ones are ignored
        std::multiset<Clock::time_point>::iterator running_since_;  // its entry in running_, while running
        bool removed_ = false;
    };

    struct Options {
        std::size_t min_threads = 2;                     // kept even when idle
        std::chrono::milliseconds stall{100};            // every thread held this long by one turn: start another
        std::chrono::milliseconds idle_exit{30'000};     // threads above min_threads end after idling this long
    };

    explicit WorkerPool(Options options);
    WorkerPool() : WorkerPool(Options{}) {}
    ~WorkerPool();  // ends every thread (after the turns at hand); remove clients first
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Schedules `client` by its next_due(). It must stay alive until remove().
    void add(Client& client);
    // Its next_due() may be earlier now (an event arrived): look again. Call without holding the
    // client's own lock.
    void wake(Client& client);
    // Waits for its turn at hand, if any, to end; it is never run again.
    void remove(Client& client);

    std::size_t threads() const;

private:
    struct Timer {
        Clock::time_point due;
        std::uint64_t id;
        Client* client;
        bool operator>(const Timer& other) const { return due > other.due; }
    };

    void schedule_locked(Client& client);
    void make_ready_locked(Client& client);
    void start_thread_locked();
    void work();
    void supervise();

    Options options_;
    mutable std::mutex mutex_;
    std::condition_variable work_;       // ready work, an earlier timer, or stopping
    std::condition_variable supervise_;  // threads may all be busy
    std::condition_variable turn_ended_;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
    std::unordered_set<Client*> clients_;  // added and not removed
    std::deque<Client*> ready_;
    std::multiset<Clock::time_point> running_;  // when each turn in progress started
    std::uint64_t next_timer_ = 0;
    std::size_t threads_ = 0;  // running work()
    std::size_t idle_ = 0;     // of those, waiting for work
    bool stopping_ = false;
    std::list<std::thread> workers_;
    std::vector<std::thread::id> ended_;  // workers that returned and wait to be joined
    std::thread supervisor_;
};

}  // namespace backstop
