/// \file
/// Import of OpenEI Utility Rate Database (URDB) time-of-use schedules: `energyweekdayschedule` and
/// `energyweekendschedule` are 12 × 24 matrices (month × hour) of period numbers, `energyratestructure` lists
/// per period the tiers with a `rate`. A URDB schedule becomes a tariff_schedule with zones `p0`, `p1`, …
/// (one per period number), one season per month (from its 1st) whose week has weekday profiles Monday to
/// Friday and weekend profiles Saturday and Sunday, hourly switch times, in the meter's local time; and a
/// rate per zone, the first tier's (URDB's tiers by consumption level are outside the core model, and are
/// reported as such). Errors name the key and the offending index.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/tariff_schedule.hpp"

namespace kvant {
inline namespace v0 {

struct urdb_import {
    tariff_schedule schedule;
    std::vector<std::pair<std::string, decimal>> rates;  ///< zone, first-tier rate
    bool had_tiers = false;  ///< some period had more than one tier (not imported)
};

/// Reads one URDB rate item (a JSON object; a `{"items": [...]}` wrapper takes its first item).
KVANT_API urdb_import import_urdb(std::string_view json_text, const std::string& id = "urdb");

}  // namespace v0
}  // namespace kvant
