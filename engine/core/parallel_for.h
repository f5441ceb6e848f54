// Runs job(0) … job(count - 1) on the calling thread and a few helpers, for batches of independent
// work (the documents of a policy folder, the runbooks `check` loads) that are worth sharing out.
// The first exception a job throws is rethrown here once every thread has stopped.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace backstop {

// `per_thread`: how many jobs make another thread worth starting; at most `max_threads` threads
// (and no more than the machine has cores) run, the calling one included.
template <typename Job>
void parallel_for(std::size_t count, std::size_t per_thread, std::size_t max_threads, const Job& job) {
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t threads = std::min({cores, max_threads, count / std::max<std::size_t>(per_thread, 1)});
    if (threads <= 1) {
        for (std::size_t i = 0; i < count; ++i) job(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < count;) {
            try {
                job(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(failure_mutex);
                if (!failure) failure = std::current_exception();
                next = count;  // start nothing more
            }
        }
    };
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
    for (auto& h : helpers) h.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace backstop
