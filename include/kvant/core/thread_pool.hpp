/// \file
/// `thread_pool`: a fixed set of worker threads the caller sizes, for spreading independent work (meters)
/// over cores. `for_each_index(n, f)` runs f(0) … f(n−1) across the workers and the calling thread and
/// returns when all are done. Results are the caller's to place by index, so they come out the same whatever
/// the number of threads; when calls throw, the exception of the lowest index is rethrown (the one a single
/// thread would have met first) after every call has finished. A pool of size 1 runs everything on the
/// calling thread. The algorithms themselves never start threads.
#pragma once

#include "kvant/core/export.hpp"

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kvant {
inline namespace v0 {

class KVANT_API thread_pool {
  public:
    /// The most threads a pool takes: far past any core count, far below what exhausts a system's threads.
    static constexpr unsigned max_threads = 256;
    /// `threads` 1..max_threads (the calling thread counts as one); 0 means
    /// std::thread::hardware_concurrency() (at most max_threads). More is a config_error (errc::out_of_range)
    /// naming the count; when the system cannot start a thread, the ones started are stopped and joined and a
    /// config_error says so.
    explicit thread_pool(unsigned threads = 0);
    ~thread_pool();
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    unsigned size() const noexcept { return static_cast<unsigned>(workers_.size()) + 1; }
    void for_each_index(std::size_t n, const std::function<void(std::size_t)>& f);

  private:
    void work();
    void drain();          // takes indexes of the current job until none is left
    void stop() noexcept;  // tells the workers to stop and joins them

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(std::size_t)>* job_ = nullptr;
    std::size_t n_ = 0, next_ = 0, finished_ = 0;
    std::size_t generation_ = 0;
    bool stop_ = false;
    std::size_t failed_at_ = 0;
    std::exception_ptr failure_;
};

}  // namespace v0
}  // namespace kvant
