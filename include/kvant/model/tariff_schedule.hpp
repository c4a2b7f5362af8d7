/// \file
/// Tariff schedules (тарифное расписание) after the DLMS/COSEM activity calendar (class 20, 0.0.13.0.0.255)
/// and special days table (class 11, 0.0.11.0.0.255): seasons → week profiles → day profiles → tariff zone,
/// with special days (holidays) that override the week, effective-dated versions, a time basis, and a zone
/// hierarchy.
///
/// - A day profile lists switch times (minute of the local day) and the zone that starts there. When it has
/// no
///   switch at 00:00, the day begins in the zone of its last switch (the program runs round the clock, as a
///   meter's does when the previous day had the same profile).
/// - A week profile names a day profile for Monday..Sunday.
/// - A season starts on a month and day, every year, and names a week profile. On a date, the season in force
/// is
///   the one with the latest start on or before it in that year; before the first start of the year, the last
///   season of the year (it runs on from the previous year).
/// - A special day (a date, or a month and day every year) names a day profile that replaces the week's.
/// - Versions: each takes effect on a local date; a date before the first version uses the first.
/// - Time basis: the zone the schedule's local times are read in; absent, the meter's own calendar zone (a
///   household tariff in local time); named, such as Europe/Moscow for non-household intervals in Moscow
///   time.
/// - Zone groups: a group names member zones (day = peak + semi-peak), so a three-zone split can be billed
/// under
///   a two-zone tariff. `total` is always the sum of all zones.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/core/time.hpp"
#include "kvant/core/zone.hpp"

namespace kvant {
inline namespace v0 {

struct day_profile {
    struct change {
        int minute = 0;    ///< minute of the local day, 0..1439
        std::string zone;  ///< the tariff zone from then on
        friend bool operator==(const change&, const change&) = default;
    };
    std::string id;
    std::vector<change> changes;  ///< ordered by minute
    friend bool operator==(const day_profile&, const day_profile&) = default;
};

struct week_profile {
    std::string id;
    std::array<std::string, 7> days;  ///< day profile ids, Monday first
    friend bool operator==(const week_profile&, const week_profile&) = default;
};

struct season {
    std::string name;
    unsigned month = 1, day = 1;  ///< starts every year on this month and day
    std::string week;             ///< week profile id
    friend bool operator==(const season&, const season&) = default;
};

struct special_day {
    std::optional<int> year;  ///< absent: every year
    unsigned month = 1, day = 1;
    std::string day_profile;
    friend bool operator==(const special_day&, const special_day&) = default;
};

struct schedule_version {
    calendar_date effective = date::year{1970} / 1 / 1;
    std::vector<season> seasons;
    std::vector<week_profile> weeks;
    std::vector<day_profile> days;
    std::vector<special_day> special_days;
    friend bool operator==(const schedule_version&, const schedule_version&) = default;
};

struct zone_group {
    std::string name;                  ///< "day"
    std::vector<std::string> members;  ///< {"peak", "semi-peak"}
    friend bool operator==(const zone_group&, const zone_group&) = default;
};

struct tariff_schedule {
    std::string id;
    std::string name;
    std::vector<std::string> zones;          ///< the leaf zones, in display order
    std::vector<zone_group> groups;          ///< derived zones
    std::optional<zone> time_basis;          ///< absent: the meter's calendar zone
    std::vector<schedule_version> versions;  ///< ordered by effective date
    /// The zone each tariff register of a multi-tariff meter counts: register_zones[0] for T1, and so on (the
    /// meter's programming; Russian two-zone meters count the day in T1 and the night in T2).
    std::vector<std::string> register_zones;
    friend bool operator==(const tariff_schedule&, const tariff_schedule&) = default;
};

/// Problems of a schedule, each a sentence (empty when it is sound): unknown profile ids, zones not declared,
/// switch minutes out of order or out of range, impossible dates, versions out of order.
KVANT_API std::vector<std::string> check(const tariff_schedule& s);

/// The presets of order ФСТ 1473-э of 26.11.2013 for households (local time, every day of the year):
/// single-rate (`total`); two-zone (`day` 07–23, `night` 23–07); three-zone (`peak` 07–10 and 17–21,
/// `semi-peak` 10–17 and 21–23, `night` 23–07, with the group `day` = peak + semi-peak).
KVANT_API tariff_schedule single_rate_schedule();
KVANT_API tariff_schedule two_zone_schedule();
KVANT_API tariff_schedule three_zone_schedule();
/// A preset by name: "single", "two-zone", "three-zone"; nullopt otherwise.
KVANT_API std::optional<tariff_schedule> preset_schedule(std::string_view name);

}  // namespace v0
}  // namespace kvant
