/// \file
/// Manual entry of a reading (Ввод показаний, 001 §3.3.4): the expected reading of each register of the
/// meter's main quantity at an instant («Предполагаемое показание от 21.08.2020 09:05», total and T1..Tn),
/// and the verdict on a reading someone entered. Pure: the meter's history comes in as a series.
///
/// Expected value of a register (algorithms/register_value.hpp, `expected_reading`): its last reading plus
/// the average daily consumption over `history` (30 days) before that reading × the time elapsed. A register
/// without readings at or before the instant has no expectation; a meter without history has none at all.
///
/// Checks on an entered reading, each a named `entry_check` with a message (model/message.hpp):
/// - missing_total (refused): the total register is required;
/// - after_removal (refused): the meter is removed from service (снят с учёта) before the reading's local
///   date; a reading on the removal day itself (the final one) is checked as any other;
/// - tariff_sum (refused): T1..Tn entered and their sum differs from the total by more than the tolerance;
/// - before_last (refused): the time is before the meter's last reading; same_time (refused): a reading at
///   that time exists;
/// - lower (refused, the seed's wording «Прибор учета S: Предыдущие показания: A, текущие показания: B»): a
///   register below its last reading, unless the user confirms a meter replacement (confirmed_replacement,
///   accepted) or a rollover (confirmed_rollover, accepted when plausible: the register's digits known and
///   the wrap capacity − previous + current within rollover_policy::max_wrap_fraction of the capacity; else
///   rollover_implausible or rollover_no_digits, refused);
/// - implausibly_high (warning; the reading is accepted and the warning logged): a register's consumption
///   since its last reading above `high_factor` × the expected consumption over max(elapsed, 1 day);
///   a register without expected consumption (no movement in the window) is not checked;
/// - no_history (accepted): nothing to compare with.
#pragma once

#include <optional>
#include <vector>

#include "kvant/algorithms/register_value.hpp"
#include "kvant/core/export.hpp"
#include "kvant/core/zone.hpp"
#include "kvant/model/entry_record.hpp"
#include "kvant/model/message.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/model/reading.hpp"
#include "kvant/series/meter_series.hpp"

namespace kvant {
inline namespace v0 {

/// One finding of the checks (see the file comment).
enum class entry_check : std::uint8_t {
    accepted,
    no_history,
    confirmed_replacement,
    confirmed_rollover,
    implausibly_high,
    lower,
    rollover_implausible,
    rollover_no_digits,
    before_last,
    same_time,
    tariff_sum,
    missing_total,
    after_removal
};
inline constexpr detail::enum_text<entry_check, 13> entry_check_text{
    "entry check",
    {{{entry_check::accepted, "accepted"},
      {entry_check::no_history, "no_history"},
      {entry_check::confirmed_replacement, "confirmed_replacement"},
      {entry_check::confirmed_rollover, "confirmed_rollover"},
      {entry_check::implausibly_high, "implausibly_high"},
      {entry_check::lower, "lower"},
      {entry_check::rollover_implausible, "rollover_implausible"},
      {entry_check::rollover_no_digits, "rollover_no_digits"},
      {entry_check::before_last, "before_last"},
      {entry_check::same_time, "same_time"},
      {entry_check::tariff_sum, "tariff_sum"},
      {entry_check::missing_total, "missing_total"},
      {entry_check::after_removal, "after_removal"}}}};
KVANT_ENUM_TEXT(entry_check, entry_check_text)
inline entry_check parse_entry_check(std::string_view s) {
    return entry_check_text.parse(s);
}

struct entry_policy {
    expectation_policy expectation;                            ///< the averaging window (30 days)
    decimal high_factor = decimal::from_integer(5);            ///< consumption above 5 × expected: a warning
    decimal tariff_sum_tolerance = decimal::from_raw(10'000);  ///< 0.01 of a unit, as anomaly_thresholds
};

/// The expectation of one register at an instant.
struct expected_register {
    channel ch;
    decimal value;       ///< the expected reading («Предполагаемое»)
    instant last_time;   ///< the register's last reading at or before the instant
    decimal last_value;  ///< its value
    decimal daily;       ///< the expected consumption per day (value − last_value per elapsed day)
};

/// The expected readings of the meter's main quantity (total, then T1..T`tariffs`) at `at`; registers
/// without readings at or before `at` are left out (empty: no history).
KVANT_API std::vector<expected_register> expected_readings(const meter_series& history,
                                                           const register_params& p, int tariffs, instant at,
                                                           const entry_policy& policy = {});

struct entry_finding {
    entry_check check = entry_check::accepted;
    channel ch;    ///< the register concerned (the total for checks of the whole reading)
    message text;  ///< rendered with render(text, language)
};

struct entry_verdict {
    entry_outcome outcome = entry_outcome::accepted;
    std::vector<expected_register> expected;  ///< at the entered time
    std::vector<entry_finding> findings;      ///< at least one; the refusals first
    bool stored() const noexcept { return outcome != entry_outcome::refused; }
};

/// The verdict on `entered` (its meter, time and values of the main quantity) against the meter's
/// `history`. `tariffs` is the meter's tariff register count (fleet::tariff_registers_of); `z` its zone
/// (fleet::zone_of), in which the messages show times («21.08.2020 09:05»).
KVANT_API entry_verdict check_entry(const meter& m, const meter_series& history, const register_params& p,
                                    int tariffs, const zone& z, const reading& entered,
                                    entry_confirmation confirmed = entry_confirmation::none,
                                    const entry_policy& policy = {});

}  // namespace v0
}  // namespace kvant
