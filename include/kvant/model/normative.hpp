/// \file
/// Норматив потребления: the consumption a billing period is charged at when a meter's readings and its
/// average cannot be used (ПП 354 п. 59, 60; DOMAIN.md). Set by the region per resource and kind of dwelling
/// (степень благоустройства: metering_point::amenities), per person registered (account::residents) or per
/// account; stored here per organisation (the one whose abonents it applies to), versioned by date.
///
/// Choices: `amenities` empty is the normative for any dwelling of the organisation without one of its own
/// kind (an exact match of the point's amenities wins); the value is per billing period (a month); per
/// person, the account's charge is value × residents, and an account without a residents count gets no
/// normative (its periods stay `none`, reported, never zero).
#pragma once

#include <cstdint>
#include <string>

#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"
#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"
#include "kvant/model/enums.hpp"
#include "kvant/model/fields.hpp"

namespace kvant {
inline namespace v0 {

enum class normative_basis : std::uint8_t { per_person, per_account };
inline constexpr detail::enum_text<normative_basis, 2> normative_basis_text{
    "normative basis",
    {{{normative_basis::per_person, "per_person"}, {normative_basis::per_account, "per_account"}}}};
KVANT_ENUM_TEXT(normative_basis, normative_basis_text)

struct normative {
    std::string organization;  ///< organization::id
    resource measures = resource::electricity;
    std::string amenities;  ///< степень благоустройства; empty: any dwelling
    calendar_date from;     ///< in force from this local date on
    decimal value;          ///< units per billing period (per person or per account)
    normative_basis basis = normative_basis::per_person;

    friend bool operator==(const normative&, const normative&) = default;
};

template <>
struct description<normative> {
    static constexpr std::string_view entity = "normative";
    static constexpr auto fields = std::tuple{
        field{"organization", &normative::organization,
              "an organisation id; (organization, resource, amenities, from) is the key", true},
        field{"resource", &normative::measures, "", true},
        field{"amenities", &normative::amenities, "степень благоустройства; empty: any dwelling"},
        field{"from", &normative::from, "in force from this local date on", true},
        field{"value", &normative::value, "units per billing period, 0..1000000", true},
        field{"basis", &normative::basis, "per_person (× the account's residents) or per_account", true}};
};

/// The store key: organisation, resource, amenities and date joined by U+001F.
KVANT_API std::string key_of(const normative& n);

}  // namespace v0
}  // namespace kvant
