/// \file
/// `meter_series`: the readings of one meter, sorted by time, held column-wise — a contiguous array of Unix
/// times and one array of raw decimal values (millionths) per register, `decimal::missing_raw` where a
/// reading lacks that register, and no array at all for a register no reading carries. This is what every
/// algorithm runs over and what the Python binding hands out as NumPy arrays. `register_series` is the view
/// of one register: only the readings that carry it.
///
/// A series shares its arrays: built from a shared reading_table whose rows are grouped by meter in time
/// order, it points into the table's columns (no copy) and keeps the table alive; otherwise it owns sorted
/// copies. Copying a series is cheap and never copies the arrays; `push` copies them first if they are
/// shared. A series may be read from many threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "kvant/model/reading_table.hpp"

namespace kvant {
inline namespace v0 {

/// One register of one meter: times and values, sorted by time, every value present. Spans into storage that
/// the owner (a meter_series, or the caller's arrays) keeps alive.
struct register_series {
    std::span<const std::int64_t> time;   ///< Unix seconds, strictly increasing
    std::span<const std::int64_t> value;  ///< raw decimals (millionths), cumulative register values
    std::size_t size() const noexcept { return time.size(); }
    bool empty() const noexcept { return time.empty(); }
};

class meter_series {
  public:
    meter_series() = default;
    explicit meter_series(std::string serial) : serial_(std::move(serial)) {}

    /// Groups a batch by meter and sorts each by time. Two readings of one meter at one time with equal
    /// values count once; with different values they throw validation_error(duplicate) naming the meter, the
    /// time and the batch rows. Meters come out in the batch's order of first appearance. This overload
    /// copies.
    static std::vector<meter_series> from_table(const reading_table& batch);
    /// The same, sharing the batch: when its rows are grouped by meter in increasing time (as files and the
    /// store give them), the series point into its columns and nothing is copied.
    static std::vector<meter_series> from_table(std::shared_ptr<const reading_table> batch);

    /// Appends a reading; times must increase (validation_error otherwise). For building series by hand.
    void push(std::int64_t unix_time, const std::array<std::int64_t, register_count>& values);

    const std::string& serial() const noexcept { return serial_; }
    std::size_t size() const noexcept { return time_.size(); }
    bool empty() const noexcept { return time_.empty(); }
    std::span<const std::int64_t> times() const noexcept { return time_; }
    /// The raw values of a register, one per reading (decimal::missing_raw where a reading lacks it); empty
    /// when no reading of the series carries the register.
    std::span<const std::int64_t> values(register_id r) const noexcept {
        return values_[static_cast<std::size_t>(r)];
    }
    /// Whether any reading carries this register.
    bool has(register_id r) const;
    /// The readings that carry register `r`. A view into this series when every reading carries it; otherwise
    /// into compacted arrays that this object keeps (built once, on first use).
    register_series view(register_id r) const;

  private:
    struct columns {
        std::vector<std::int64_t> time;
        std::array<std::vector<std::int64_t>, register_count> values;
    };
    columns& own();  // the series' own columns, made unique (copied from the shared ones if need be)
    void reseat();   // points the spans at own_

    std::string serial_;
    std::shared_ptr<const void> keeper_;  // keeps alive what the spans point into
    std::shared_ptr<columns> own_;        // set when the series owns its columns
    std::span<const std::int64_t> time_;
    std::array<std::span<const std::int64_t>, register_count> values_;
    // Built on first use, once per register even when threads share the series (std::call_once): whether
    // every reading carries the register, and if not its compacted arrays. Copies share it, as they share the
    // arrays; push() starts a new one.
    struct compacted {
        std::once_flag once;
        bool full = false;  // every reading carries the register
        std::vector<std::int64_t> time, value;
    };
    struct scan_cache {
        std::array<compacted, register_count> registers;
    };
    std::shared_ptr<scan_cache> cache_ = std::make_shared<scan_cache>();
    const compacted& scan(register_id r) const;
};

}  // namespace v0
}  // namespace kvant
