#include "kvant/core/thread_pool.hpp"

#include <algorithm>
#include <string>

#include "kvant/core/error.hpp"

namespace kvant {
inline namespace v0 {

thread_pool::thread_pool(unsigned threads) {
    if (threads > max_threads)
        throw config_error(errc::out_of_range, "thread count " + std::to_string(threads) + " is outside 0.." +
                                                   std::to_string(max_threads) + " (0: one per core)");
    if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, max_threads);
    workers_.reserve(threads - 1);
    try {
        for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
    } catch (const std::exception& e) {
        stop();  // a joinable std::thread left behind would terminate the process
        throw config_error(errc::config,
                           "cannot start " + std::to_string(threads) + " worker threads: " + e.what());
    }
}

thread_pool::~thread_pool() {
    stop();
}

void thread_pool::stop() noexcept {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
}

void thread_pool::drain() {
    std::unique_lock lock(mutex_);
    while (job_ && next_ < n_) {
        const std::size_t i = next_++;
        const auto* f = job_;
        lock.unlock();
        std::exception_ptr e;
        try {
            (*f)(i);
        } catch (...) {
            e = std::current_exception();
        }
        lock.lock();
        if (e && (!failure_ || i < failed_at_)) failure_ = e, failed_at_ = i;
        if (++finished_ == n_) done_.notify_all();
    }
}

void thread_pool::work() {
    std::size_t seen = 0;
    while (true) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || (job_ && generation_ != seen); });
            if (stop_) return;
            seen = generation_;
        }
        drain();
    }
}

void thread_pool::for_each_index(std::size_t n, const std::function<void(std::size_t)>& f) {
    if (n == 0) return;
    if (workers_.empty()) {
        for (std::size_t i = 0; i < n; ++i) f(i);  // first failure stops, as with threads it is the lowest
        return;
    }
    {
        std::lock_guard lock(mutex_);
        job_ = &f;
        n_ = n, next_ = 0, finished_ = 0;
        failure_ = nullptr;
        ++generation_;
    }
    wake_.notify_all();
    drain();
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return finished_ == n_; });
    job_ = nullptr;
    if (failure_) {
        auto e = failure_;
        failure_ = nullptr;
        std::rethrow_exception(e);
    }
}

}  // namespace v0
}  // namespace kvant
