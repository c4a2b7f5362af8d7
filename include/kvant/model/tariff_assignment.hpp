/// \file
/// A tariff schedule assigned to a scope: an organisation (every meter it serves), a building (every meter
/// of the accounts in it: account::building) or one meter, in force from a local date until the next
/// assignment of the same scope. On a date, the most specific scope with an assignment in force wins
/// (meter > building > organisation); within one scope, the latest `from` at or before the date.
#pragma once

#include <cstdint>
#include <string>

#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"
#include "kvant/model/fields.hpp"

namespace kvant {
inline namespace v0 {

/// Where a stored tariff, rate or normative applies, from the broadest to the most specific.
enum class tariff_scope : std::uint8_t { organization, building, meter };
inline constexpr detail::enum_text<tariff_scope, 3> tariff_scope_text{
    "tariff scope",
    {{{tariff_scope::organization, "organization"},
      {tariff_scope::building, "building"},
      {tariff_scope::meter, "meter"}}}};
KVANT_ENUM_TEXT(tariff_scope, tariff_scope_text)

struct tariff_assignment {
    tariff_scope scope = tariff_scope::organization;
    std::string target;    ///< organization::id, account::building or meter::serial, as the scope says
    calendar_date from;    ///< in force from this local date on; (scope, target, from) is the key
    std::string schedule;  ///< tariff_schedule::id

    friend bool operator==(const tariff_assignment&, const tariff_assignment&) = default;
};

template <>
struct description<tariff_assignment> {
    static constexpr std::string_view entity = "tariff_assignment";
    static constexpr auto fields =
        std::tuple{field{"scope", &tariff_assignment::scope,
                         "organization, building or meter; (scope, target, from) is the key", true},
                   field{"target", &tariff_assignment::target,
                         "the organisation id, the accounts' building key or the meter serial", true},
                   field{"from", &tariff_assignment::from,
                         "in force from this local date until the scope's next assignment", true},
                   field{"schedule", &tariff_assignment::schedule, "a stored schedule id", true}};
};

/// The store key of an assignment: its scope, target and date joined by U+001F (a character no stored text
/// may hold), so that store::find<tariff_assignment>(key_of(a)) finds it.
std::string key_of(const tariff_assignment& a);

}  // namespace v0
}  // namespace kvant
