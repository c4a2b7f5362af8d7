/// \file
/// Register values between readings and the expected reading for manual entry (001 §3.3.4).
///
/// - `value_at`: the register at an instant. At a reading, its value; between two readings, the linear
///   interpolation that the uniform spreading of consumption implies (rounded half to even to millionths);
///   outside the readings, none: nothing is extrapolated. A decrease between the bracketing readings gives
///   none.
/// - `expected_reading`: last reading + average daily consumption over a history window × days elapsed since
///   it. The average is taken over the steps of the readings in [last − window, last] (rollovers counted,
///   decreases skipped), per second of the time they span. A register with known digits wraps past 10^digits.
///   With fewer than two readings in the window the expectation is the last reading itself.
#pragma once

#include <optional>

#include "kvant/algorithms/consumption.hpp"
#include "kvant/core/export.hpp"

namespace kvant {
inline namespace v0 {

KVANT_API std::optional<std::int64_t> value_at(series_view s, std::int64_t unix_time) noexcept;

struct expectation_policy {
    seconds history{std::chrono::hours{24 * 30}};  ///< the averaging window before the last reading
};

/// The expected raw register value at `at` (at or after the last reading; earlier instants give the
/// interpolated value). None when the register has no reading at or before `at`. Throws arithmetic_error
/// when the window's consumption or the extrapolated value leaves the exact range of `decimal`.
KVANT_API std::optional<std::int64_t> expected_reading(series_view s, std::int64_t at,
                                                       const register_params& p,
                                                       const expectation_policy& policy = {});

}  // namespace v0
}  // namespace kvant
