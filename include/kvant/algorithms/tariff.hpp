/// \file
/// Tariff zones over time, and consumption split into them.
///
/// - `tariff_calendar` compiles a schedule for fast questions: the zone in force at an instant, and the
/// switch
///   instants over a range (what a bot or a meter-programming tool shows). Local switch times are read in the
///   schedule's time basis (or the meter's zone): a switch time skipped by a clock change takes effect when
///   the gap ends; a switch time that repeats takes effect at its first occurrence.
/// - `split_by_schedule` spreads a total-only profile uniformly over each reading interval (as
/// consumption.hpp
///   does) and cuts it at the switch instants, giving per period per zone values; the zones of a period add
///   up exactly to its total, because each delta's parts are rounded cumulatively over the merged boundaries.
/// - Meters with their own tariff registers keep them: `split_by_registers` reads them through the schedule's
///   `register_zones`, and `compare_splits` sets both side by side; `register_sum_mismatches` finds readings
///   whose tariff registers do not add up to the total (001 Figure 14: 48880.10 + 49.25 against 48903.35).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kvant/algorithms/consumption.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/tariff_schedule.hpp"

namespace kvant {
inline namespace v0 {

/// A zone starts at an instant.
struct zone_switch {
    std::int64_t time = 0;   ///< Unix seconds
    std::uint16_t zone = 0;  ///< index into tariff_calendar::zones()
    friend bool operator==(const zone_switch&, const zone_switch&) = default;
};

class KVANT_API tariff_calendar {
  public:
    /// Compiles a schedule; config_error listing every problem when check() finds any.
    explicit tariff_calendar(tariff_schedule s);
    tariff_calendar(tariff_calendar&&) noexcept;
    tariff_calendar& operator=(tariff_calendar&&) noexcept;
    ~tariff_calendar();

    const tariff_schedule& schedule() const noexcept;
    /// Leaf zones (the schedule's), then groups, then "total": the rows of a split.
    const std::vector<std::string>& zones() const noexcept;
    std::size_t leaf_count() const noexcept;
    /// The index of a zone, group or "total"; -1 when unknown.
    int index_of(std::string_view name) const noexcept;
    /// The zone the local times are read in for a meter in `meter_zone`.
    const zone& basis(const zone& meter_zone) const noexcept;

    /// The leaf zone in force at an instant.
    std::uint16_t zone_at(instant t, const zone& meter_zone) const;
    /// The switches over [from, to): the first at `from` with the zone then in force, then every change.
    std::vector<zone_switch> switches(instant from, instant to, const zone& meter_zone) const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Consumption per period and zone.
struct zone_consumption {
    std::string meter;
    std::vector<period> periods;
    std::vector<std::string> zones;                ///< tariff_calendar::zones(): leaves, groups, total
    std::vector<std::vector<std::int64_t>> value;  ///< [zone][period], raw decimals
    std::vector<std::uint8_t> complete;            ///< per period: the readings bracket it
    std::vector<step_note> notes;
};

/// Splits the total register by the schedule. `switches`, when given, must come from
/// calendar.switches() over at least the periods' span for the meter's basis (callers splitting many meters
/// of one zone compute them once); empty, they are computed here.
KVANT_API zone_consumption split_by_schedule(const meter_series& s, const zone& meter_zone,
                                             const tariff_calendar& calendar, const register_params& p,
                                             const consumption_options& options = {},
                                             std::span<const zone_switch> switches = {});

/// A multi-tariff meter's own split: tariff register Tk is reported as the zone register_zones[k-1]; groups
/// and total as sums of those (total from the total register when the meter has it, else the sum).
KVANT_API zone_consumption split_by_registers(const meter_consumption& by_register,
                                              const tariff_calendar& calendar);

/// Register-based against schedule-based values of one meter, per period and zone.
struct split_difference {
    std::size_t period = 0;
    std::string zone;
    std::int64_t by_registers = 0, by_schedule = 0;  ///< raw
};
KVANT_API std::vector<split_difference> compare_splits(const zone_consumption& by_registers,
                                                       const zone_consumption& by_schedule);

/// A reading whose tariff registers T1..Tn do not add up to its total register.
struct register_sum_mismatch {
    std::int64_t time = 0;
    std::int64_t total = 0, sum = 0;  ///< raw
};
/// Readings of `s` with every register T1..T`tariffs` and the total of `base`'s quantity present whose sum
/// differs from the total by more than `tolerance` (raw; default 0: exact).
KVANT_API std::vector<register_sum_mismatch> register_sum_mismatches(const meter_series& s, int tariffs,
                                                                     std::int64_t tolerance = 0,
                                                                     const channel& base = {});

}  // namespace v0
}  // namespace kvant
