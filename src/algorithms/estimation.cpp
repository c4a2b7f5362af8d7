#include "kvant/algorithms/estimation.hpp"
#include "../core/int128.hpp"

#include <boost/multiprecision/cpp_int.hpp>

#include <algorithm>
#include <map>

namespace kvant {
inline namespace v0 {

std::vector<billing_estimate> estimate_billing(const meter_consumption& mc, register_id reg,
                                               std::optional<decimal> normative, bool failed,
                                               const billing_policy& p) {
    std::vector<billing_estimate> out;
    const auto* rc = mc.find(reg);
    if (!rc) return out;
    std::vector<std::int64_t> history;  // complete periods so far
    int missing_run = 0;
    for (std::size_t k = 0; k < mc.periods.size(); ++k) {
        billing_estimate e;
        e.period_start = mc.periods[k].start_date;
        if (rc->complete[k]) {
            e.basis = estimate_basis::actual;
            e.value = rc->value[k];
            history.push_back(rc->value[k]);
            missing_run = 0;
            out.push_back(e);
            continue;
        }
        ++missing_run;
        const std::size_t n =
            std::min<std::size_t>(history.size(), static_cast<std::size_t>(p.history_periods));
        // a meter with fewer than history_periods complete periods is young: young_history_periods suffice
        const bool enough =
            history.size() >= static_cast<std::size_t>(std::min(p.history_periods, p.young_history_periods));
        if (enough && (missing_run <= p.max_average_periods || p.average_until_replacement)) {
            // the mean of values in range is in range: the sum in 128 bits cannot overflow (n < 2^64)
            detail::int128 sum = 0;
            for (std::size_t i = history.size() - n; i < history.size(); ++i) sum += history[i];
            e.basis = estimate_basis::average;
            e.value = decimal::div_round_half_even(sum, static_cast<detail::int128>(n));
        } else if (normative) {
            e.basis = failed ? estimate_basis::normative_increased : estimate_basis::normative;
            try {
                e.value = failed ? (*normative * p.failed_multiplier).raw() : normative->raw();
            } catch (const arithmetic_error& x) {
                throw arithmetic_error("meter '" + mc.meter + "', period starting " +
                                       to_string(e.period_start) + ": the increased normative " + x.reason());
            }
        }
        out.push_back(e);
    }
    return out;
}

std::vector<recalculation> recalculate(std::span<const billing_estimate> charged,
                                       const meter_consumption& now, register_id reg) {
    std::vector<recalculation> out;
    const auto* rc = now.find(reg);
    if (!rc) return out;
    for (const auto& c : charged) {
        if (c.basis == estimate_basis::actual || c.basis == estimate_basis::none) continue;
        for (std::size_t k = 0; k < now.periods.size(); ++k)
            if (now.periods[k].start_date == c.period_start && rc->complete[k])
                out.push_back(
                    {c.period_start, c.value, rc->value[k], detail::checked_sub(rc->value[k], c.value)});
    }
    return out;
}

namespace {
bool weekend(std::int64_t t, const zone& z) {
    const auto wd = date::weekday{date::sys_days{local_date(z, from_unix(t))}}.iso_encoding();
    return wd >= 6;
}
}  // namespace

std::vector<filled_point> fill_gaps(series_view s, const zone& z, const vee_policy& p,
                                    std::optional<std::int64_t> until) {
    std::vector<filled_point> out;
    if (s.empty()) return out;
    const std::int64_t step = p.step.count();
    if (step <= 0 || step > 86400)
        throw config_error(errc::out_of_range,
                           "gap filling step " + std::to_string(step) + " s is outside 1..86400 s");
    // the grid from the first reading to the last (or `until`): refuse a grid that would not fit in memory,
    // rather than run for minutes (times are bounded, so the subtraction cannot wrap)
    const std::int64_t end = until ? std::max(*until, s.time.back()) : s.time.back();
    if ((end - s.time.front()) / step > static_cast<std::int64_t>(p.max_points))
        throw config_error(errc::out_of_range, "gap filling from " + to_string(from_unix(s.time.front())) +
                                                   " to " + to_string(from_unix(end)) + " every " +
                                                   std::to_string(step) + " s is more than " +
                                                   std::to_string(p.max_points) + " points");
    // consumption per step interval of the actual data, keyed by interval start, for the like-day profiles
    std::map<std::int64_t, std::int64_t> per_step;
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
        if (s.time[i + 1] - s.time[i] == step && s.value[i + 1] >= s.value[i])
            per_step[s.time[i]] = detail::checked_sub(s.value[i + 1], s.value[i]);
    auto profile_at = [&](std::int64_t t) -> std::optional<std::int64_t> {
        // the same time of day on the last like days of the same kind (weekday or weekend)
        detail::int128 sum = 0;
        int n = 0;
        for (int back = 1; back <= 14 && n < p.like_days; ++back) {
            const std::int64_t u = t - back * 86400LL;
            if (weekend(u, z) != weekend(t, z)) continue;
            if (const auto it = per_step.find(u); it != per_step.end()) {
                sum += it->second;
                ++n;
            }
        }
        if (n == 0) return std::nullopt;
        return decimal::div_round_half_even(sum, n);
    };
    out.push_back({s.time[0], s.value[0], quality::actual});
    // the straight line between two readings, in 128 bits: it lies between v0 and v1, so it is in range
    auto interpolate = [](std::int64_t v0, std::int64_t v1, std::int64_t t0, std::int64_t t1,
                          std::int64_t t) {
        return static_cast<std::int64_t>(
            v0 + decimal::div_round_half_even_wide((static_cast<detail::int128>(v1) - v0) * (t - t0),
                                                   static_cast<detail::int128>(t1) - t0));
    };
    auto fill = [&](std::int64_t t0, std::int64_t v0, std::int64_t t1, std::optional<std::int64_t> v1) {
        // the missing grid points strictly between t0 and t1 (or up to t1 inclusive when there is no v1)
        std::vector<std::int64_t> times;
        for (std::int64_t t = t0 + step; v1 ? t < t1 : t <= t1; t += step) times.push_back(t);
        if (times.empty()) return;
        if (v1 && t1 - t0 <= p.max_interpolation.count()) {
            for (const std::int64_t t : times)
                out.push_back({t, interpolate(v0, *v1, t0, t1, t), quality::interpolated});
            return;
        }
        // the like-day profile for every interval of the gap (the last interval ends at t1 when bracketed)
        std::vector<std::int64_t> shape;
        bool have = true;
        for (std::int64_t t = t0; v1 ? t < t1 : t < times.back(); t += step) {
            const auto pr = profile_at(t);
            if (!pr) have = false;
            shape.push_back(pr.value_or(0));
        }
        if (!have) {  // no history of the same kind: interpolate if bracketed, else leave the gap
            if (v1)
                for (const std::int64_t t : times)
                    out.push_back({t, interpolate(v0, *v1, t0, t1, t), quality::interpolated});
            return;
        }
        if (!v1) {
            std::int64_t v = v0;
            for (std::size_t i = 0; i < times.size(); ++i) {
                v = detail::checked_add(v, shape[i]);
                out.push_back({times[i], v, quality::profiled});
            }
            return;
        }
        // shaped: scale the profile to the register delta, with cumulative rounding so the last point is
        // exact
        detail::int128 total_shape = 0;
        for (auto x : shape) total_shape += x;
        const std::int64_t delta = detail::checked_sub(*v1, v0);
        // delta × cum needs up to 64 + 64 + log2(points) bits: 256-bit intermediates. 0 ≤ cum ≤ total_shape,
        // so each share lies between 0 and delta and v between v0 and v1: the narrowing back cannot fail.
        using wide = boost::multiprecision::int256_t;
        detail::int128 cum = 0;
        for (std::size_t i = 0; i < times.size(); ++i) {
            cum += shape[i];
            const wide num = total_shape > 0 ? wide(delta) * wide(cum) : wide(delta) * wide(i + 1);
            const wide den = total_shape > 0 ? wide(total_shape) : wide(shape.size());
            // half to even, as decimal::div_round_half_even
            wide q = num / den, r = num % den;
            if (r != 0) {
                const wide r2 = (r < 0 ? wide(-r) : r) * 2, da = den < 0 ? wide(-den) : den;
                if (r2 > da || (r2 == da && (q % 2 != 0))) q += ((r < 0) != (den < 0)) ? -1 : 1;
            }
            const std::int64_t v = detail::checked_add(v0, static_cast<std::int64_t>(q));
            out.push_back({times[i], v, quality::shaped});
        }
    };
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        fill(s.time[i], s.value[i], s.time[i + 1], s.value[i + 1]);
        out.push_back({s.time[i + 1], s.value[i + 1], quality::actual});
    }
    if (until && *until > s.time.back()) fill(s.time.back(), s.value.back(), *until, std::nullopt);
    return out;
}

building_share share_building(const building_share_input& in, negative_share policy) {
    building_share out;
    try {
        out.to_share = in.building - in.non_residential - in.normative_flats - in.metered_flats;
    } catch (const arithmetic_error& e) {
        throw arithmetic_error("building share (formula 12): " + e.reason());
    }
    decimal distributed = out.to_share;
    if (out.to_share.raw() < 0 && policy != negative_share::distribute) {
        if (policy == negative_share::carry_forward) out.carried = out.to_share;
        distributed = decimal{};
    }
    // cumulative rounding over the flats, so that the shares add up exactly to what the flats' areas take
    detail::int128 area_so_far = 0, area_total = in.total_area.raw();
    std::int64_t given = 0;
    for (const auto& [acc, area] : in.flats) {
        area_so_far += area.raw();
        const std::int64_t upto =
            area_total > 0 ? decimal::div_round_half_even(
                                 static_cast<detail::int128>(distributed.raw()) * area_so_far, area_total)
                           : 0;
        out.shares.emplace_back(acc, decimal::from_raw(upto - given));
        given = upto;
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
