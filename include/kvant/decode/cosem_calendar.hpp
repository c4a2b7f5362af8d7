/// \file
/// From a meter's DLMS/COSEM Activity Calendar (interface class 20, СПОДЭС 0.0.13.0.0.255) and Special Days
/// Table (class 11, 0.0.11.0.0.255) to a libkvant `tariff_schedule` (model/tariff_schedule.hpp), so that a
/// consumption profile read from the meter can be split into the zones the meter itself counts.
///
/// Inputs are the A-XDR values of the attributes as a Get-Response or a `.typ` capture carries them: the
/// active calendar's attributes 2 (calendar_name), 3 (season_profile), 4 (week_profile_table) and 5
/// (day_profile_table), or the passive ones 6..9 (the same types), and optionally the special days table's
/// attribute 2 (entries). Each is given as its bytes (parsed here with `parse_axdr`) or as nodes already
/// parsed. docs/dlms.md ("Activity calendar and journals") lists every rule and choice.
///
/// Errors: `parse_error` (`[kvant.parse.100]`) naming the attribute and the element path,
/// "day_profile_table[0].day_schedule[2]: expected a structure of 3, found an array". References between
/// the tables (a season naming a week that is not there) are not errors here: the schedule is returned and
/// `check()` lists them, as a tariff_calendar built from it would.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/decode/cosem.hpp"
#include "kvant/model/tariff_schedule.hpp"

namespace kvant {
inline namespace v0 {

/// One attribute's A-XDR value: either its bytes (`nodes` empty: parsed here), or nodes already parsed from
/// `bytes` with the value at `nodes[node]`. An empty value (no bytes, no nodes) means "not given".
struct axdr_value {
    std::span<const std::uint8_t> bytes;
    std::span<const cosem_node> nodes;
    std::uint32_t node = 0;
    bool empty() const noexcept { return bytes.empty() && nodes.empty(); }
};

/// The attributes of one calendar (active: 2..5; passive: 6..9) and the special days.
struct activity_calendar_values {
    axdr_value calendar_name;       ///< attr 2 (or 6): octet-string; optional
    axdr_value season_profile;      ///< attr 3 (or 7): array of {name, start date-time, week name}
    axdr_value week_profile_table;  ///< attr 4 (or 8): array of {name, day_id Monday..Sunday}
    axdr_value day_profile_table;   ///< attr 5 (or 9): array of {day_id, array of {time, script, selector}}
    axdr_value special_days;        ///< class 11 attr 2: array of {index, date, day_id}; optional
};

struct calendar_options {
    /// Zone names by script selector: selector k (1-based) is zone_names[k-1]. The default is the tariffs
    /// "T1".."T8" (СПОДЭС: the tariff switching script 0.0.10.0.100.255, selector k = tariff k).
    std::vector<std::string> zone_names{"T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"};
    std::string id = "dlms";  ///< the schedule's id
    std::string name;         ///< empty: the calendar_name (text, or hex when not printable)
};

/// The schedule the calendar describes (one version, effective from 1970-01-01). Throws parse_error on a
/// value that is not what the attribute holds.
KVANT_API tariff_schedule schedule_from_calendar(const activity_calendar_values& values,
                                                 const calendar_options& options = {});

/// A COSEM octet-string name as the schedule names it: its text when every byte is printable ASCII, else
/// its bytes in hex ("00", "0a1b").
KVANT_API std::string cosem_name_text(std::span<const std::uint8_t> bytes);

}  // namespace v0
}  // namespace kvant
