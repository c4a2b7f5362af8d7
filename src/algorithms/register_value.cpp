#include "kvant/algorithms/register_value.hpp"
#include "../core/int128.hpp"

#include <algorithm>

namespace kvant {
inline namespace v0 {

std::optional<std::int64_t> value_at(series_view s, std::int64_t t) noexcept {
    if (s.empty() || t < s.time.front() || t > s.time.back()) return std::nullopt;
    const auto it = std::lower_bound(s.time.begin(), s.time.end(), t);
    const std::size_t i = static_cast<std::size_t>(it - s.time.begin());
    if (s.time[i] == t) return s.value[i];
    const std::int64_t t0 = s.time[i - 1], t1 = s.time[i], v0 = s.value[i - 1], v1 = s.value[i];
    if (v1 < v0) return std::nullopt;
    // (v1 − v0) and the sum in 128 bits: the interpolated value lies between v0 and v1, so it is in range
    return static_cast<std::int64_t>(
        v0 + decimal::div_round_half_even_wide((static_cast<detail::int128>(v1) - v0) * (t - t0),
                                               static_cast<detail::int128>(t1) - t0));
}

std::optional<std::int64_t> expected_reading(series_view s, std::int64_t at, const register_params& p,
                                             const expectation_policy& policy) {
    if (s.empty() || at < s.time.front()) return std::nullopt;
    if (at <= s.time.back()) return value_at(s, at);
    const std::size_t last = s.size() - 1;
    const std::int64_t window_start = s.time[last] - policy.history.count();
    std::size_t first = static_cast<std::size_t>(
        std::lower_bound(s.time.begin(), s.time.end(), window_start) - s.time.begin());
    if (first >= last) return s.value[last];
    register_params raw = p;
    raw.transformer_ratio = decimal::from_integer(1);  // a register reading, not consumption
    // the window's consumption is checked to stay in range, so sum × elapsed (< 2^63 × 2^63) fits 128 bits;
    // the extrapolated reading is checked as it is narrowed and added
    std::int64_t sum = 0;
    for (std::size_t i = first; i < last; ++i)
        sum = detail::checked_add(sum, step_consumption(s.value[i], s.value[i + 1], raw, nullptr));
    const std::int64_t spanned = s.time[last] - s.time[first];
    std::int64_t v = detail::checked_add(
        s.value[last],
        decimal::div_round_half_even(static_cast<detail::int128>(sum) * (at - s.time[last]), spanned));
    if (p.register_digits && *p.register_digits >= 1 && *p.register_digits <= 12) {
        std::int64_t capacity = decimal::scale;
        for (int k = 0; k < *p.register_digits; ++k) capacity *= 10;
        v %= capacity;
    }
    return v;
}

}  // namespace v0
}  // namespace kvant
