#include "serve/worker_pool.h"

#include <algorithm>

namespace backstop {

WorkerPool::WorkerPool(Options options) : options_(options) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < options_.min_threads; ++i) start_thread_locked();
    supervisor_ = std::thread([this] { supervise(); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    work_.notify_all();
    supervise_.notify_all();
    supervisor_.join();
    for (auto& t : workers_) t.join();
}

void WorkerPool::add(Client& client) {
    std::lock_guard<std::mutex> lock(mutex_);
    client.state_ = Client::State::idle;
    client.removed_ = false;
    clients_.insert(&client);
    schedule_locked(client);
}

void WorkerPool::wake(Client& client) {
    std::lock_guard<std::mutex> lock(mutex_);
    // A ready client runs soon anyway, and a running one is scheduled again after its turn.
    if (client.state_ == Client::State::idle && !client.removed_) schedule_locked(client);
}

void WorkerPool::remove(Client& client) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!clients_.count(&client)) return;
    client.removed_ = true;
    turn_ended_.wait(lock, [&] { return client.state_ != Client::State::running; });
    if (client.state_ == Client::State::ready) ready_.erase(std::find(ready_.begin(), ready_.end(), &client));
    client.state_ = Client::State::outside;
    clients_.erase(&client);
}

std::size_t WorkerPool::threads() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return threads_;
}

void WorkerPool::schedule_locked(Client& client) {
    client.timer_ = ++next_timer_;  // whatever timer it had is stale now
    const Clock::time_point due = client.next_due();
    if (due <= Clock::now()) {
        make_ready_locked(client);
        return;
    }
    if (due == Clock::time_point::max()) return;
    const bool earliest = timers_.empty() || due < timers_.top().due;
    timers_.push({due, client.timer_, &client});
    if (earliest) work_.notify_one();  // a waiting thread may be sleeping until a later time
}

void WorkerPool::make_ready_locked(Client& client) {
    client.state_ = Client::State::ready;
    ready_.push_back(&client);
    if (idle_ > 0) work_.notify_one();
    else supervise_.notify_one();
}

void WorkerPool::start_thread_locked() {
    ++threads_;
    workers_.emplace_back([this] { work(); });
}

void WorkerPool::work() {
    std::unique_lock<std::mutex> lock(mutex_);
    auto idle_since = Clock::now();
    while (!stopping_) {
        auto now = Clock::now();
        while (!timers_.empty() && timers_.top().due <= now) {
            const Timer t = timers_.top();
            timers_.pop();
            // The client may be gone (removed, maybe another at its address): only a live timer counts.
            if (clients_.count(t.client) && t.client->timer_ == t.id && t.client->state_ == Client::State::idle)
                make_ready_locked(*t.client);
        }
        if (!ready_.empty()) {
            Client* client = ready_.front();
            ready_.pop_front();
            client->state_ = Client::State::running;
            client->running_since_ = running_.insert(Clock::now());
            lock.unlock();
            try {
                client->run_turn();
            } catch (...) {
                // A client reports its own failures; nothing may end a pool thread.
            }
            lock.lock();
            running_.erase(client->running_since_);
            client->state_ = Client::State::idle;
            if (!client->removed_) schedule_locked(*client);
            turn_ended_.notify_all();
            idle_since = Clock::now();
            continue;
        }
        if (threads_ > options_.min_threads && now - idle_since >= options_.idle_exit) break;
        auto until = now + options_.idle_exit;
        if (!timers_.empty()) until = std::min(until, timers_.top().due);
        ++idle_;
        work_.wait_until(lock, until);
        --idle_;
    }
    --threads_;
    ended_.push_back(std::this_thread::get_id());
    supervise_.notify_one();
}

void WorkerPool::supervise() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        // Threads that ended for idling: join them, which frees their stacks.
        for (auto id : ended_) {
            auto it = std::find_if(workers_.begin(), workers_.end(), [&](const std::thread& t) { return t.get_id() == id; });
            if (it != workers_.end()) {
                it->join();
                workers_.erase(it);
            }
        }
        ended_.clear();
        if (!ready_.empty() && idle_ == 0 && !running_.empty()) {
            // Every thread is in a turn; the most recent of them started this long ago.
            const auto held = Clock::now() - *running_.rbegin();
            if (held >= options_.stall) {
                start_thread_locked();
                // Give it time to take the work before judging again.
                supervise_.wait_for(lock, options_.stall);
            } else {
                supervise_.wait_for(lock, options_.stall - held);
            }
            continue;
        }
        supervise_.wait(lock);
    }
}

}  // namespace backstop
