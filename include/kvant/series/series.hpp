/// \file
/// `series`: one meter's one channel — its times and values, sorted by time, every value present — held
/// column-wise as two contiguous arrays of int64 (Unix seconds; raw decimals, millionths). This is what
/// every algorithm runs over, and what the Python binding hands out as NumPy arrays.
///
/// A series shares its arrays. `series::over` builds one over arrays the caller owns (NumPy's, a decoded
/// store block's) without copying: the caller keeps them alive, or passes a `keeper` that does. Otherwise a
/// series owns its arrays. Copying a series never copies the arrays; a series may be read from many threads
/// at once. `series_view` is the pair of spans the algorithms take.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/model/channel.hpp"

namespace kvant {
inline namespace v0 {

/// Times and values of one channel of one meter, sorted by time, every value present. Spans into storage
/// that the owner (a series, or the caller's arrays) keeps alive.
struct series_view {
    std::span<const std::int64_t> time;   ///< Unix seconds, strictly increasing
    std::span<const std::int64_t> value;  ///< raw decimals (millionths)
    std::size_t size() const noexcept { return time.size(); }
    bool empty() const noexcept { return time.empty(); }
};

class KVANT_API series {
  public:
    series() = default;
    /// Owns the arrays. Throws validation_error unless they have one length and the times increase
    /// strictly, naming the meter, channel and the first offending index; values must not be the missing
    /// marker (decimal::missing_raw).
    series(std::string meter, channel ch, std::vector<std::int64_t> time, std::vector<std::int64_t> value);
    /// Over arrays the caller owns, with the same checks, without copying. `keeper` (optional) is held as
    /// long as the series or a copy lives.
    static series over(std::string meter, channel ch, std::span<const std::int64_t> time,
                       std::span<const std::int64_t> value, std::shared_ptr<const void> keeper = {});
    /// The same without the checks: for callers that have just established them (a decoder, a sort).
    static series over_unchecked(std::string meter, channel ch, std::span<const std::int64_t> time,
                                 std::span<const std::int64_t> value, std::shared_ptr<const void> keeper);

    const std::string& meter() const noexcept { return meter_; }
    const channel& ch() const noexcept { return channel_; }
    std::span<const std::int64_t> times() const noexcept { return view_.time; }
    std::span<const std::int64_t> values() const noexcept { return view_.value; }
    series_view view() const noexcept { return view_; }
    std::size_t size() const noexcept { return view_.size(); }
    bool empty() const noexcept { return view_.empty(); }

  private:
    friend class meter_series;  // appends in place to a series it alone owns
    struct arrays {
        std::vector<std::int64_t> time, value;
    };
    std::string meter_;
    channel channel_;
    std::shared_ptr<const void> keeper_;  // what the spans point into, when not own_
    std::shared_ptr<arrays> own_;         // the series' own arrays (copies share them)
    series_view view_;
};

/// Checks that `time` increases strictly and `value` has no missing marker; validation_error naming the
/// meter, channel and index otherwise.
KVANT_API void check_series(std::string_view meter, const channel& ch, std::span<const std::int64_t> time,
                            std::span<const std::int64_t> value);

}  // namespace v0
}  // namespace kvant
