/// \file
/// A stored rate: the price of one zone of one tariff schedule, from a local date on, set by a supplier
/// (ресурсоснабжающая организация, гарантирующий поставщик) for a scope (an organisation, a building or a
/// meter, as tariff_assignment.hpp).
///
/// Choices: a rate belongs to a schedule (its zone names are that schedule's zones, groups or `total`), so
/// that a meter billed under the two-zone schedule is priced by the two-zone rates only; it belongs to a
/// scope, so that one building or meter may have its own prices; the supplier is a name carried for the bill
/// (who set the price), not a key: two suppliers cannot price one zone of one schedule for one scope on one
/// date. On a date, the most specific scope with any rate of the schedule in force gives the whole price list
/// (a meter's own list replaces its organisation's, zone by zone it does not mix); within the scope each zone
/// has its latest rate at or before the date.
#pragma once

#include <string>

#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/tariff_assignment.hpp"

namespace kvant {
inline namespace v0 {

struct tariff_rate {
    std::string schedule;  ///< tariff_schedule::id
    tariff_scope scope = tariff_scope::organization;
    std::string target;    ///< organization::id, account::building or meter::serial
    std::string zone;      ///< a zone, a group or "total" of the schedule
    calendar_date from;    ///< in force from this local date on
    decimal price;         ///< roubles per unit, 0..1,000,000
    std::string supplier;  ///< who set the price (free text; may be empty)

    friend bool operator==(const tariff_rate&, const tariff_rate&) = default;
};

template <>
struct description<tariff_rate> {
    static constexpr std::string_view entity = "tariff_rate";
    static constexpr auto fields =
        std::tuple{field{"schedule", &tariff_rate::schedule,
                         "a stored schedule id; (schedule, scope, target, zone, from) is the key", true},
                   field{"scope", &tariff_rate::scope, "organization, building or meter", true},
                   field{"target", &tariff_rate::target,
                         "the organisation id, the accounts' building key or the meter serial", true},
                   field{"zone", &tariff_rate::zone, "a zone, a group or total of the schedule", true},
                   field{"from", &tariff_rate::from, "in force from this local date on", true},
                   field{"price", &tariff_rate::price, "roubles per unit, 0..1000000", true},
                   field{"supplier", &tariff_rate::supplier, "who set the price"}};
};

/// The store key: schedule, scope, target, zone and date joined by U+001F.
KVANT_API std::string key_of(const tariff_rate& r);

}  // namespace v0
}  // namespace kvant
