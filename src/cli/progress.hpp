// Progress of a long command on a terminal: rows or meters done, the rate and the time left, redrawn on one
// stderr line a few times a second. Silent when stderr is not a terminal or with --quiet, so logs and pipes
// never see it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace kvant::cli {

class progress {
  public:
    /// `what` names the unit ("rows", "meters"); `total` 0 when unknown.
    progress(std::string what, std::size_t total, bool quiet);
    ~progress();
    progress(const progress&) = delete;
    progress& operator=(const progress&) = delete;

    /// Sets how many are done; cheap to call often (draws at most every 200 ms).
    void update(std::size_t done);
    void set_total(std::size_t total) noexcept { total_ = total; }
    /// Clears the line.
    void finish();
    bool shown() const noexcept { return enabled_; }

  private:
    void draw(std::size_t done);
    std::string what_;
    std::size_t total_;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

/// "1,234,567"
std::string grouped_number(std::size_t n);

}  // namespace kvant::cli
