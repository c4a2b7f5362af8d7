#include "kvant/algorithms/consumption.hpp"
#include "../core/int128.hpp"

#include <algorithm>
#include <limits>

namespace kvant {
inline namespace v0 {

namespace {
/// The consumption of one step (see step_consumption); false when the step times the ratio leaves the exact
/// range. `note` is set as step_consumption sets it.
bool step_ok(std::int64_t v0, std::int64_t v1, const register_params& p, step_status* note,
             std::int64_t& out) noexcept {
    std::int64_t d = 0;
    if (!detail::sub_ok(v1, v0, d)) return false;
    if (d < 0) {
        bool wrapped = false;
        if (p.register_digits && *p.register_digits >= 1 && *p.register_digits <= 12) {
            std::int64_t capacity = decimal::scale;
            for (int k = 0; k < *p.register_digits; ++k) capacity *= 10;  // at most 10^18: in range
            const std::int64_t wrap = capacity + d;  // capacity − v0 + v1; capacity > 0 > d: in range
            const auto limit =
                (static_cast<detail::int128>(capacity) * p.rollover.max_wrap_fraction.raw()) / decimal::scale;
            if (wrap >= 0 && wrap <= limit) {
                d = wrap;
                wrapped = true;
            }
        }
        if (note) *note = wrapped ? step_status::rollover : step_status::decrease;
        if (!wrapped) {
            out = 0;
            return true;
        }
    }
    if (p.transformer_ratio.raw() == decimal::scale) {
        out = d;
        return true;
    }
    // d × ratio in 128 bits (cannot overflow), rounded half to even, then narrowed with a check
    return detail::narrow_ok(decimal::div_round_half_even_wide(
                                 static_cast<detail::int128>(d) * p.transformer_ratio.raw(), decimal::scale),
                             out);
}

/// The one way spread_register reports an overflow: the step [t0, t1) and what overflowed.
[[noreturn]] __attribute__((cold, noinline)) void step_overflow(std::int64_t t0, std::int64_t t1,
                                                                std::int64_t v0, std::int64_t v1,
                                                                const register_params& p, const char* what) {
    throw arithmetic_error(std::string(what) + " (" + to_string(decimal::from_raw(v1)) + " - " +
                               to_string(decimal::from_raw(v0)) + ") * ratio " +
                               to_string(p.transformer_ratio) +
                               " is outside the exact range ±9223372036854.775807",
                           t0, t1);
}
}  // namespace

std::int64_t step_consumption(std::int64_t v0, std::int64_t v1, const register_params& p, step_status* note) {
    std::int64_t out = 0;
    if (!step_ok(v0, v1, p, note, out))
        throw arithmetic_error("the consumption of a step (" + to_string(decimal::from_raw(v1)) + " - " +
                               to_string(decimal::from_raw(v0)) + ") * ratio " +
                               to_string(p.transformer_ratio) +
                               " is outside the exact range ±9223372036854.775807");
    return out;
}

void spread_register(series_view s, std::span<const std::int64_t> b, const register_params& p,
                     std::span<std::int64_t> out, std::vector<step_note>* notes, const channel& reg,
                     std::span<const std::uint32_t> cell_of) {
    const bool mapped = !cell_of.empty();
    auto cell = [&](std::size_t segment) { return mapped ? cell_of[segment] : segment; };
    std::vector<std::pair<std::size_t, std::int64_t>> touched;  // (cell, overlap) of one straddling interval
    const std::size_t n = s.size();
    if (n < 2 || b.size() < 2) return;
    const std::size_t m = b.size() - 1;  // periods
    const std::int64_t* t = s.time.data();
    const std::int64_t* v = s.value.data();
    // k: the period containing t0, or m when t0 is past the last boundary; -1 before the first
    std::size_t k =
        static_cast<std::size_t>(std::upper_bound(b.begin(), b.end(), t[0]) - b.begin());  // 0..m+1
    // k is now "boundaries at or before t0"; the period index is k − 1
    // With an integer ratio, a run of intervals wholly inside one period that never decreases contributes
    // (v_last − v_first) × ratio, exactly the sum of its parts: no per-interval work. The check for a
    // decrease is a branch-free pass the compiler vectorises.
    const bool integer_ratio = p.transformer_ratio.raw() % decimal::scale == 0;
    const std::int64_t ratio = p.transformer_ratio.raw() / decimal::scale;
    std::size_t i = 0;
    while (i + 1 < n) {
        while (k <= m && b[k] <= t[i]) ++k;
        if (integer_ratio && k >= 1 && k <= m && t[i + 1] <= b[k]) {
            // the readings up to the period's end: [i, e]. A galloping search from i costs the log of the
            // run's length, whether the segment holds three readings (a tariff zone) or a thousand (a month).
            const std::int64_t end = b[k];
            std::size_t lo = i + 1, step = 1;  // t[lo] <= end
            while (lo + step < n && t[lo + step] <= end) {
                lo += step;
                step *= 2;
            }
            const std::size_t hi = std::min(n, lo + step);  // t[hi] > end, or hi == n
            std::size_t e = static_cast<std::size_t>(std::upper_bound(t + lo + 1, t + hi, end) - t) - 1;
            bool down = false;
            for (std::size_t j = i; j < e; ++j) down |= v[j + 1] < v[j];
            if (down) {  // the run up to its first decrease still sums; the decrease itself is one step below
                std::size_t first_down = i;
                while (v[first_down + 1] >= v[first_down]) ++first_down;
                e = first_down;
                down = false;
            }
            if (!down && e > i) {
                // no decrease, so the run's consumption is the sum of its steps: each checked step would be
                // in range exactly when this product is; one check for the run, none per reading
                std::int64_t run = 0, sum = 0;
                auto& slot = out[cell(k - 1)];
                if (!detail::sub_ok(v[e], v[i], run) || !detail::mul_ok(run, ratio, run))
                    step_overflow(t[i], t[e], v[i], v[e], p, "the consumption");
                if (!detail::add_ok(slot, run, sum))
                    step_overflow(t[i], t[e], v[i], v[e], p, "the period's sum with the consumption");
                slot = sum;
                i = e;
                continue;
            }
        }
        const std::int64_t t0 = t[i], t1 = t[i + 1];
        step_status st = step_status::decrease;
        std::int64_t d = 0;
        if (!detail::sub_ok(v[i + 1], v[i], d) ||
            ((d < 0 || p.transformer_ratio.raw() != decimal::scale) && !step_ok(v[i], v[i + 1], p, &st, d)))
            step_overflow(t0, t1, v[i], v[i + 1], p, "the consumption");
        if (v[i + 1] < v[i] && notes) notes->push_back({reg, t0, t1, v[i], v[i + 1], st, d});
        ++i;
        if (d == 0) continue;
        // the whole interval lies inside period k − 1
        if (k >= 1 && k <= m && t1 <= b[k]) {
            if (!detail::add_ok(out[cell(k - 1)], d, out[cell(k - 1)]))
                step_overflow(t0, t1, v[i - 1], v[i], p, "the period's sum with the consumption");
            continue;
        }
        if (t1 <= b[0] || t0 >= b[m]) continue;  // wholly outside the range
        // cumulative rounding over the periods the interval touches: |d × cum| < 2^63 × 2^63 fits 128 bits,
        // and every rounded part lies between 0 and d, so `upto − given` is in range; only the sums are
        // checked
        const detail::int128 span_len = static_cast<detail::int128>(t1) - t0;
        std::int64_t cum = 0, given = 0;
        std::size_t j = k >= 1 ? k - 1 : 0;
        if (k ==
            0) {  // the part before the first boundary is not counted, but takes its share of the rounding
            cum = b[0] - t0;
            given = decimal::div_round_half_even(static_cast<detail::int128>(d) * cum, span_len);
        }
        // the overlap of each cell the interval touches, in order of first touch
        touched.clear();
        for (; j < m && b[j] < t1; ++j) {
            const std::int64_t lo = std::max(t0, b[j]), hi = std::min(t1, b[j + 1]);
            if (hi <= lo) continue;
            const std::size_t c = cell(j);
            auto it =
                std::find_if(touched.begin(), touched.end(), [c](const auto& x) { return x.first == c; });
            if (it == touched.end())
                touched.emplace_back(c, hi - lo);
            else
                it->second += hi - lo;
        }
        for (const auto& [c, overlap] : touched) {
            cum += overlap;
            const std::int64_t upto =
                decimal::div_round_half_even(static_cast<detail::int128>(d) * cum, span_len);
            if (!detail::add_ok(out[c], upto - given, out[c]))
                step_overflow(t0, t1, v[i - 1], v[i], p, "the period's sum with the consumption");
            given = upto;
        }
    }
}

std::string overflow_place(std::string_view meter, const channel& reg, std::span<const period> periods,
                           period_kind kind, std::int64_t t0, std::int64_t t1) {
    std::string s = "meter '" + std::string(meter) + "', channel " + to_string(reg);
    std::string first, last;
    for (const auto& pr : periods) {
        const std::int64_t a = to_unix(pr.begin), b = to_unix(pr.end);
        if (!(b > t0 && a < (t1 > t0 ? t1 : t0 + 1))) continue;
        if (first.empty()) first = period_label(pr.start_date, kind);
        last = period_label(pr.start_date, kind);
    }
    if (!first.empty()) s += first == last ? ", period " + first : ", periods " + first + ".." + last;
    return s;
}

void rethrow_overflow(const arithmetic_error& e, std::string_view meter, const channel& reg,
                      std::span<const period> periods, period_kind kind, std::string_view detail) {
    std::string s = overflow_place(meter, reg, periods, kind, e.t0(), e.t1());
    if (!detail.empty()) s += ", " + std::string(detail);
    s += ": " + e.reason();
    if (e.has_interval())
        s += " (readings at " + to_string(from_unix(e.t0())) + " and " + to_string(from_unix(e.t1())) + ")";
    throw arithmetic_error(s, e.t0(), e.t1());
}

std::vector<period> periods_of(const meter_series& s, const zone& z, const consumption_options& o) {
    std::int64_t first = std::numeric_limits<std::int64_t>::max(),
                 last = std::numeric_limits<std::int64_t>::min();
    std::size_t n = 0;
    for (const auto& c : s.channels())
        if (c.ch().kind == channel_kind::cumulative && !c.empty()) {
            n += c.size();
            first = std::min(first, c.times().front());
            last = std::max(last, c.times().back());
        }
    if (n < 2 || first == last) return {};
    instant from = from_unix(first);
    instant to = from_unix(last);
    if (o.from && *o.from > from) from = *o.from;
    if (o.to && *o.to < to) to = *o.to;
    return periods_between(z, from, to, o.periods);
}

meter_consumption consumption(const meter_series& s, const zone& z, const register_params& p,
                              const consumption_options& o) {
    meter_consumption out;
    out.meter = s.serial();
    out.main = p.main;
    out.periods = periods_of(s, z, o);
    if (out.periods.empty()) return out;
    std::vector<std::int64_t> bounds;
    bounds.reserve(out.periods.size() + 1);
    for (const auto& pr : out.periods) bounds.push_back(to_unix(pr.begin));
    bounds.push_back(to_unix(out.periods.back().end));
    for (const auto& c : s.channels()) {
        if (c.ch().kind != channel_kind::cumulative || c.empty()) continue;
        const channel reg = c.ch();
        const series_view rs = c.view();
        register_consumption rc;
        rc.ch = reg;
        rc.value.assign(out.periods.size(), 0);
        rc.complete.resize(out.periods.size());
        rc.first = rs.time.front();
        rc.last = rs.time.back();
        try {
            spread_register(rs, bounds, p, rc.value, &out.notes, reg);
        } catch (const arithmetic_error& e) {
            rethrow_overflow(e, out.meter, reg, out.periods, o.periods.kind);
        }
        for (std::size_t k = 0; k < out.periods.size(); ++k)
            rc.complete[k] = brackets(rs, bounds[k], bounds[k + 1]);
        out.registers.push_back(std::move(rc));
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
