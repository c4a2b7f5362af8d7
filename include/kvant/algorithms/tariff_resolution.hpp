/// \file
/// Which stored schedule, rates and normative apply to a meter on each date (model/tariff_book.hpp), without
/// a store: the host or the CLI loads the book once and asks per meter.
///
/// Rules (docs/tariffs.md, "Stored tariffs"):
/// - Schedule: among the assignments of the meter's resource in force on the date (from at or before it) of
///   the meter itself, the building of its account and the organisation of its abonent, the most specific
///   scope wins (meter > building > organisation); within that scope the latest `from`. None of its resource:
///   none (an electricity schedule never prices a water meter).
/// - Rates: of the schedule in force, the most specific scope with any rate in force on the date gives the
///   whole price list; within it each zone has its latest rate at or before the date. `rate_timeline` gives
///   that list over all dates as `rate`s of cost.hpp (one per zone and change), so that cost() splits a bill
///   where a price changes (a rate change on the 15th gives two lines of that month).
/// - Normative: of the abonent's organisation and the meter's resource, the row for the point's amenities
///   (степень благоустройства), else the one with empty amenities; latest `from` at or before the date.
///   Per person it is value × the account's residents (none when the account has no residents count).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kvant/algorithms/cost.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/fleet.hpp"
#include "kvant/model/tariff_book.hpp"

namespace kvant {
inline namespace v0 {

/// What the stored tariffs need to know of a meter.
struct tariff_subject {
    std::string meter;         ///< meter::serial
    std::string organization;  ///< of its abonent; empty when the meter is not placed
    std::string building;      ///< account::building; may be empty
    std::string amenities;     ///< metering_point::amenities
    std::optional<int> residents;
    resource measures = resource::electricity;
};
KVANT_API tariff_subject subject_of(const fleet& f, const meter& m);

/// The assignment of the subject's resource in force on a date; nullptr when none.
KVANT_API const tariff_assignment* assignment_at(const tariff_book& book, const tariff_subject& s,
                                                 calendar_date d);

/// The price list of one schedule over time for this subject, as cost() takes it: on each date on which
/// the list in force changes, a rate for every zone name any list uses whose price changed, priced as the
/// list then in force bills it (its own rate; for a leaf zone, a group's holding it, else total's; for a
/// group, total's), so that cost()'s one billed name per leaf follows a change of scope. Empty when no rate
/// of the schedule applies to the subject.
KVANT_API std::vector<rate> rate_timeline(const tariff_book& book, const tariff_subject& s,
                                          std::string_view schedule);

/// The stored rates of the schedule in force on a date for the subject (the winning scope's latest per
/// zone), ordered by zone; empty when none.
KVANT_API std::vector<const tariff_rate*> rates_at(const tariff_book& book, const tariff_subject& s,
                                                   std::string_view schedule, calendar_date d);

/// The normative in force on a date: the row, and the value per account and period (per person: × residents;
/// none when the account has no residents count).
struct normative_in_force {
    const normative* row = nullptr;
    std::optional<decimal> value;
};
KVANT_API normative_in_force normative_at(const tariff_book& book, const tariff_subject& s, calendar_date d);

/// What is in force over [from, to): cut on every date where the schedule, a price or the normative changes.
struct tariff_terms {
    calendar_date from, to;
    std::string schedule;                   ///< empty: no schedule assigned
    std::vector<const tariff_rate*> rates;  ///< the price list in force (empty: none)
    std::optional<decimal> normative;       ///< per account and period
};
/// The terms over [from, to) of local dates, in order, consecutive; `to` after `from`, else empty.
KVANT_API std::vector<tariff_terms> resolve_terms(const tariff_book& book, const tariff_subject& s,
                                                  calendar_date from, calendar_date to);

}  // namespace v0
}  // namespace kvant
