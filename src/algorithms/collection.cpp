#include "kvant/algorithms/collection.hpp"
#include "../core/int128.hpp"

#include <algorithm>

namespace kvant {
inline namespace v0 {

bool any_between(std::span<const std::int64_t> times, std::int64_t a, std::int64_t b) noexcept {
    const auto it = std::lower_bound(times.begin(), times.end(), a);
    return it != times.end() && *it <= b;
}

collection_result collection_rate(std::span<const collection_input> meters, instant now,
                                  const collection_policy& policy) {
    collection_result r;
    for (const auto& in : meters) {
        if (!in.m || in.excluded) continue;
        const calendar_date today = local_date(in.z, now);
        if (in.m->installed && *in.m->installed > today) continue;
        if (in.m->removed && *in.m->removed <= today) continue;
        ++r.under_control;
        const std::int64_t start = to_unix(start_of_day(in.z, today)) - policy.tolerance_before.count();
        if (any_between(in.times, start, to_unix(now)))
            ++r.collected;
        else
            r.missing.push_back(in.m->serial);
    }
    if (r.under_control)
        r.share = decimal::from_raw(
            decimal::div_round_half_even(static_cast<detail::int128>(r.collected) * decimal::scale,
                                         static_cast<detail::int128>(r.under_control)));
    return r;
}

}  // namespace v0
}  // namespace kvant
