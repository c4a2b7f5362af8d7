/// \file
/// `meter_stream`: a store's readings as a stream of meter groups — each call to `next` gives the series of
/// up to `group_size` meters (every channel the query selects, over its time range), assembled from the
/// store's cursor. Memory is bounded by one group's windows, never the whole store: a fleet report reads a
/// group, computes it (over a thread_pool, say) and moves on. Meters come in serial order; a meter without
/// values in the range does not appear.
#pragma once

#include <memory>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/series/meter_series.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

class KVANT_API meter_stream {
  public:
    meter_stream(const store& s, series_query q, std::size_t group_size = 256);
    /// The next group (replacing `out`'s content); false when the store has no more meters.
    bool next(std::vector<meter_series>& out);
    /// Values read so far.
    std::size_t values_read() const noexcept { return values_; }

  private:
    std::unique_ptr<reading_cursor> cursor_;
    std::size_t group_size_;
    series_chunk chunk_;
    bool pending_ = false;  // chunk_ holds a chunk not yet placed
    bool done_ = false;
    std::size_t values_ = 0;
};

}  // namespace v0
}  // namespace kvant
