/// \file
/// Sums of meters' consumption per group — metering point, account, abonent, building, organisation — for
/// each resource, with individual and building (balance) meters apart, per period and register, as the
/// cabinet's tables show them (001 Figure 14, including the per-tariff rows: T1 sums the meters that have T1,
/// the total sums every meter's total).
///
/// Periods are matched by their local start date, each meter's taken in its own zone.
/// Completeness of a group's period: every metering point of the group that has readings of that register
/// reaching into the period covers it, a point's cover running from its first meter's first reading to its
/// last meter's last reading. So a meter replaced mid-month leaves the point's month complete (the old
/// meter's consumption up to its last reading plus the new one's from its first), as the design asks. A meter
/// with no point is a point of its own. A meter without a group at the chosen level (no account, say) is
/// summed in the group with the empty key, so that nothing disappears.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "kvant/algorithms/consumption.hpp"
#include "kvant/algorithms/tariff.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/fleet.hpp"

namespace kvant {
inline namespace v0 {

enum class group_level : std::uint8_t { meter, point, account, abonent, building, organization };
inline constexpr detail::enum_text<group_level, 6> group_level_text{
    "group level",
    {{{group_level::meter, "meter"},
      {group_level::point, "point"},
      {group_level::account, "account"},
      {group_level::abonent, "abonent"},
      {group_level::building, "building"},
      {group_level::organization, "organization"}}}};
KVANT_ENUM_TEXT(group_level, group_level_text)

struct group_row {
    std::string group;  ///< the group's key: serial, point code, account number, abonent id, building,
                        ///< organisation id
    resource measures = resource::electricity;
    meter_role role = meter_role::individual;
    calendar_date period_start;
    channel ch;
    std::int64_t value = 0;  ///< raw decimal
    bool complete = false;
    std::uint32_t meters = 0;  ///< meters that contributed
};

/// Sums `per_meter` (computed with the same period kind) by group. Rows are ordered by group, resource, role,
/// period and channel. Meters unknown to the fleet are their own point, with default resource and role.
KVANT_API std::vector<group_row> aggregate(const fleet& f, std::span<const meter_consumption> per_meter,
                                           group_level level);

/// One group's consumption in one tariff zone and period: the sum of its meters' split.
struct group_zone_row {
    std::string group;
    meter_role role = meter_role::individual;
    calendar_date period_start;
    instant period_begin;  ///< the earliest start instant of its meters' periods starting that day
    std::string zone;
    std::int64_t value = 0;  ///< raw decimal
    bool complete = true;    ///< every meter's period complete
    std::uint32_t meters = 0;
};

/// Sums per-meter splits (computed with one schedule and one period kind) by group; rows ordered by group,
/// role, period and the schedule's zone order. A meter unknown to the fleet counts in the group "" (its
/// serial at the meter level) as an individual meter. A sum outside the exact range throws arithmetic_error
/// naming the group, period and zone.
KVANT_API std::vector<group_zone_row> aggregate_split(const fleet& f,
                                                      std::span<const zone_consumption> per_meter,
                                                      group_level level);

/// The group key of a meter at a level ("" when the link is missing).
KVANT_API std::string group_of(const fleet& f, const meter& m, group_level level);

}  // namespace v0
}  // namespace kvant
