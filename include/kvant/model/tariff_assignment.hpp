/// \file
/// A tariff schedule assigned to a scope and a resource: the meters of that resource of an organisation
/// (every meter it serves), a building (every meter of the accounts in it: account::building) or one meter,
/// in force from a local date until the next assignment of the same scope and resource. On a date, of the
/// assignments of the meter's resource, the most specific scope with one in force wins (meter > building >
/// organisation); within one scope, the latest `from` at or before the date. A schedule of electricity
/// prices never bills a water meter: an organisation assigns one schedule per resource.
#pragma once

#include <cstdint>
#include <string>

#include "kvant/core/export.hpp"
#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"
#include "kvant/model/enums.hpp"
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
    std::string target;  ///< organization::id, account::building or meter::serial, as the scope says
    resource measures = resource::electricity;  ///< the meters it prices: only those of this resource
    calendar_date from;    ///< in force from this local date on; (scope, target, resource, from) is the key
    std::string schedule;  ///< tariff_schedule::id

    friend bool operator==(const tariff_assignment&, const tariff_assignment&) = default;
};

template <>
struct description<tariff_assignment> {
    static constexpr std::string_view entity = "tariff_assignment";
    static constexpr auto fields =
        std::tuple{field{"scope", &tariff_assignment::scope,
                         "organization, building or meter; (scope, target, resource, from) is the key", true},
                   field{"target", &tariff_assignment::target,
                         "the organisation id, the accounts' building key or the meter serial", true},
                   field{"resource", &tariff_assignment::measures,
                         "the resource of the meters it prices (a schedule assigned for electricity never "
                         "bills a water meter)",
                         true},
                   field{"from", &tariff_assignment::from,
                         "in force from this local date until the scope's next assignment", true},
                   field{"schedule", &tariff_assignment::schedule, "a stored schedule id", true}};
};

/// The store key of an assignment: its scope, target, resource and date joined by U+001F (a character no
/// stored text may hold), so that store::find<tariff_assignment>(key_of(a)) finds it.
KVANT_API std::string key_of(const tariff_assignment& a);

}  // namespace v0
}  // namespace kvant
