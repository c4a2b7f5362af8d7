/// \file
/// Consumption from cumulative readings (расход). Pure functions of a series, its parameters and period
/// boundaries: no I/O, no global state, no allocation in the inner loop; safe to call from many threads at
/// once. Every step, product with the ratio and sum is checked against the exact range of `decimal`
/// (±9,223,372,036,854.775807, see docs/consumption.md "Exact range"): a result past it throws
/// `arithmetic_error` (errc::overflow) naming the meter, register, period and readings; nothing wraps.
///
/// Semantics (../shared/DESIGN.md, "Reference semantics"):
/// - Between consecutive readings of one register at t0 < t1 the consumption is (v1 − v0) × transformer
/// ratio,
///   spread uniformly over [t0, t1): a period [a, b) receives delta × |[t0,t1) ∩ [a,b)| / (t1 − t0). A gap of
///   any length is bridged the same way: its delta is spread over it, never lost.
/// - The parts of one delta are rounded so that they add up exactly to it: part k is
///   round(delta × C_k / T) − round(delta × C_{k−1} / T), where C_k is the overlap accumulated up to and
///   including period k and T = t1 − t0, rounding half to even in millionths. Each part is within one
///   millionth of the exact share, and the periods of a meter add up exactly to its total delta.
/// - A decrease v1 < v0 is a rollover when the register's digits are known and the wrapped delta
///   capacity − v0 + v1 (capacity = 10^digits) is at most `max_wrap_fraction` of the capacity; it then counts
///   as that delta. Otherwise it is a fault: the interval contributes nothing and a `step_note` reports it.
/// - A period is complete when readings of the register bracket it: one at or before its start and one at or
///   after its end. Incomplete periods carry what the readings cover; nothing is extrapolated.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "kvant/core/calendar.hpp"
#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/model/meter_model.hpp"
#include "kvant/series/meter_series.hpp"

namespace kvant {
inline namespace v0 {

/// How a decrease is told apart as a register rollover. Policy, not law: see docs/choices.md.
struct rollover_policy {
    /// A decrease is a wrap when capacity − v0 + v1 ≤ max_wrap_fraction × capacity. Default 0.1: a reading
    /// interval never plausibly consumes more than a tenth of the register's span.
    decimal max_wrap_fraction = decimal::from_raw(100'000);
};

/// What turns register steps into consumption for one meter.
struct register_params {
    /// The channel whose quantity and tariffs are "the meter's energy" for split, cost, anomalies and
    /// estimation (its total; the tariffs are its with_tariff). register_params_of takes the meter's
    /// resource.
    channel main = {};
    decimal transformer_ratio = decimal::from_integer(1);
    std::optional<int> register_digits;  ///< integer digits of the register; rollover needs them
    rollover_policy rollover;
};

/// A meter's parameters: its ratio, and its register digits (the meter's, else its model's).
inline register_params register_params_of(const meter& m, const meter_model* model,
                                          rollover_policy rollover = {}) {
    register_params p;
    p.main = channel::main(m.measures);
    p.transformer_ratio = m.transformer_ratio;
    p.register_digits = m.register_digits ? m.register_digits : model ? model->register_digits : std::nullopt;
    p.rollover = rollover;
    return p;
}

enum class step_status : std::uint8_t {
    rollover,  ///< the register wrapped past 10^digits; counted (informational)
    decrease,  ///< the register went down and it is no rollover; not counted (an anomaly)
};
inline constexpr detail::enum_text<step_status, 2> step_status_text{
    "step status", {{{step_status::rollover, "rollover"}, {step_status::decrease, "decrease"}}}};
KVANT_ENUM_TEXT(step_status, step_status_text)

/// A step between two consecutive readings that is not a plain increase.
struct step_note {
    channel ch;
    std::int64_t t0 = 0, t1 = 0;  ///< Unix seconds of the two readings
    std::int64_t v0 = 0, v1 = 0;  ///< raw register values
    step_status status = step_status::decrease;
    std::int64_t counted = 0;  ///< raw consumption counted for the step (after the ratio); 0 for a decrease
};

/// The consumption of one step, raw (millionths) and after the ratio; sets `note` for rollovers and
/// decreases. Returns 0 for a decrease that is not a rollover. Throws arithmetic_error when the step or its
/// product with the ratio is outside the exact range.
KVANT_API std::int64_t step_consumption(std::int64_t v0, std::int64_t v1, const register_params& p,
                                        step_status* note);

/// Spreads the steps of one register over consecutive segments [boundaries[k], boundaries[k+1]) and adds the
/// parts to `out`: to out[k], or to out[cell_of[k]] when `cell_of` maps segments to cells (several segments
/// of one period and tariff zone make one cell). The parts of a delta are rounded cumulatively over the cells
/// it touches, so each cell gets its exact share within one millionth and the parts add up exactly.
/// Consumption outside [boundaries.front(), boundaries.back()) is not counted. Notes for rollovers and
/// decreases are appended to `notes` when given. Boundaries must increase strictly. Throws arithmetic_error
/// carrying the offending step's reading times when a step, its product with the ratio or a cell's sum
/// leaves the exact range (`out` is then unspecified); callers rethrow it with rethrow_overflow.
KVANT_API void spread_register(series_view s, std::span<const std::int64_t> boundaries,
                               const register_params& p, std::span<std::int64_t> out,
                               std::vector<step_note>* notes = nullptr, const channel& ch = {},
                               std::span<const std::uint32_t> cell_of = {});

/// "meter 'S', register R, period P" (or "periods P..Q") for the periods of `periods` that overlap the
/// readings' interval [t0, t1): where an overflow happened.
KVANT_API std::string overflow_place(std::string_view meter, const channel& ch,
                                     std::span<const period> periods, period_kind kind, std::int64_t t0,
                                     std::int64_t t1);
/// Rethrows an arithmetic_error from spread_register as one naming the meter, register, local period(s) and
/// the two readings; `detail` (a tariff zone, say) is added after the place when not empty.
[[noreturn]] KVANT_API void rethrow_overflow(const arithmetic_error& e, std::string_view meter,
                                             const channel& ch, std::span<const period> periods,
                                             period_kind kind, std::string_view detail = {});

/// Whether the readings bracket [a, b): one at or before a, one at or after b.
inline bool brackets(series_view s, std::int64_t a, std::int64_t b) noexcept {
    return !s.empty() && s.time.front() <= a && s.time.back() >= b;
}

/// The consumption of one cumulative channel per period.
struct register_consumption {
    channel ch;
    std::vector<std::int64_t> value;     ///< raw decimals, one per period
    std::vector<std::uint8_t> complete;  ///< 1 when readings bracket the period
    std::int64_t first = 0, last = 0;    ///< Unix seconds of the register's first and last reading
};

/// The consumption of one meter per local period, for every cumulative channel its readings carry.
struct meter_consumption {
    std::string meter;
    channel main;                                 ///< register_params::main of the computation
    std::vector<period> periods;                  ///< consecutive local periods
    std::vector<register_consumption> registers;  ///< by channel code (a quantity's total, then its tariffs)
    std::vector<step_note> notes;                 ///< rollovers and decreases, in time order per channel

    const register_consumption* find(const channel& c) const noexcept {
        for (const auto& x : registers)
            if (x.ch == c) return &x;
        return nullptr;
    }
    /// Tariff register `r` of the main quantity.
    const register_consumption* find(register_id r) const noexcept { return find(main.with_tariff(r)); }
    /// How reports name a channel: a tariff register of the main quantity by its tariff ("total", "t1"), any
    /// other channel by its name ("active_export", "reactive_import.t1").
    std::string label(const channel& c) const { return channel_label(c, main); }
};

/// Which periods to compute.
struct consumption_options {
    period_spec periods{period_kind::month};
    std::optional<instant> from;  ///< only periods ending after `from` (default: from the first reading)
    std::optional<instant> to;    ///< only periods starting before `to` (default: to the last reading)
};

/// The periods of a meter's readings in zone `z`: from the one containing the first reading of a cumulative
/// channel to the one containing the instant before the last, clipped by options.from/to. Empty with fewer
/// than two such readings.
KVANT_API std::vector<period> periods_of(const meter_series& s, const zone& z,
                                         const consumption_options& options);

/// The consumption of a meter per local period of `z`. The periods run from the one containing the first
/// reading to the one containing the last reading's instant minus one second (a reading exactly at midnight
/// closes the day before, it opens no new one), clipped by options.from/to.
KVANT_API meter_consumption consumption(const meter_series& s, const zone& z, const register_params& p,
                                        const consumption_options& options = {});

/// Суточная дельта: the consumption of each register over one local day (one period; incomplete when the
/// readings do not bracket the day).
inline meter_consumption daily_delta(const meter_series& s, const zone& z, calendar_date day,
                                     const register_params& p) {
    consumption_options o;
    o.periods = {period_kind::day};
    o.from = start_of_day(z, day);
    o.to = start_of_day(z, calendar_date{date::sys_days{day} + date::days{1}});
    auto mc = consumption(s, z, p, o);
    // the readings may start or end inside the day: keep exactly that day
    for (std::size_t k = 0; k < mc.periods.size(); ++k)
        if (mc.periods[k].start_date == day) {
            meter_consumption one;
            one.meter = mc.meter;
            one.main = mc.main;
            one.periods = {mc.periods[k]};
            for (auto& rc : mc.registers)
                one.registers.push_back({rc.ch, {rc.value[k]}, {rc.complete[k]}, rc.first, rc.last});
            one.notes = std::move(mc.notes);
            return one;
        }
    return {mc.meter, mc.main, {}, {}, {}};
}

}  // namespace v0
}  // namespace kvant
