/// \file
/// Cost of consumption under a tariff: rates per zone with effective dates, applied to the split of
/// tariff.hpp. A rate names a leaf zone, a group (day = peak + semi-peak: a three-zone split billed under a
/// two-zone tariff) or "total" (a single rate); each leaf zone is billed at the most specific rate that
/// covers it. A rate takes effect at the start of its local date (in the schedule's time basis, or the
/// meter's zone): a change in the middle of a period splits it, and the bill has a line for each part. Each
/// line is quantity × price rounded to kopecks (money.hpp); a period's total is the sum of its lines.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "kvant/algorithms/aggregate.hpp"
#include "kvant/algorithms/tariff.hpp"
#include "kvant/core/export.hpp"
#include "kvant/core/money.hpp"

namespace kvant {
inline namespace v0 {

struct rate {
    std::string zone;    ///< a leaf zone, a group or "total"
    calendar_date from;  ///< in force from this local date on
    decimal price;       ///< roubles per unit (kWh, m³, Gcal)
};

struct cost_line {
    std::size_t period = 0;
    std::string zone;           ///< the billed zone (the rate's)
    calendar_date rate_from;    ///< the rate's effective date
    std::int64_t quantity = 0;  ///< raw decimal
    decimal price;
    money amount;
};

struct meter_cost {
    std::string meter;
    std::vector<period> periods;
    std::vector<cost_line> lines;  ///< ordered by period, zone, rate date
    std::vector<money> total;      ///< per period: the sum of its lines
    std::vector<std::uint8_t> complete;
};

/// The bill of one meter per period. config_error when a leaf zone has no rate at all, or none in force on a
/// date with consumption (naming the zone and the date).
KVANT_API meter_cost cost(const meter_series& s, const zone& meter_zone, const tariff_calendar& calendar,
                          std::span<const rate> rates, const register_params& p,
                          const consumption_options& options = {});

/// Bills summed per group (account, organisation, ...), role (individual and building meters apart) and
/// period start date.
struct group_cost {
    std::string group;
    meter_role role = meter_role::individual;
    calendar_date period_start;
    money total;
    bool complete = true;
    std::uint32_t meters = 0;
};
KVANT_API std::vector<group_cost> aggregate_cost(const fleet& f, std::span<const meter_cost> bills,
                                                 group_level level);

}  // namespace v0
}  // namespace kvant
