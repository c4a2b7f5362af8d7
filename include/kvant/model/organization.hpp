/// \file
/// Организация: the ТСЖ, УК, СНТ/ДНТ or energy retailer that manages abonents (004 §3.6 settings).
#pragma once

#include <optional>
#include <string>

#include "kvant/core/zone.hpp"
#include "kvant/model/enums.hpp"
#include "kvant/model/fields.hpp"

namespace kvant {
inline namespace v0 {

struct organization {
    std::string id;  ///< the library's key for it (any text the host chooses; INN is not always unique)
    std::string name;
    organization_kind kind = organization_kind::other;
    std::string inn;   ///< ИНН, 10 digits (12 for a sole trader); empty if unknown
    std::string kpp;   ///< КПП, 9 characters; empty if none
    std::string ogrn;  ///< ОГРН (13) or ОГРНИП (15); empty if unknown
    std::string legal_address;
    std::string actual_address;
    std::optional<zone> time_zone;  ///< the zone its meters default to; UTC when absent
    int billing_start_day = 1;  ///< day of the month a billing period starts (1..31, clamped to month end)

    friend bool operator==(const organization&, const organization&) = default;
};

template <>
struct description<organization> {
    static constexpr std::string_view entity = "organization";
    static constexpr auto fields = std::tuple{
        field{"id", &organization::id, "the library's key (any text the host chooses)", true},
        field{"name", &organization::name, "", true},
        field{"kind", &organization::kind, ""},
        field{"inn", &organization::inn, "ИНН: 10 digits, 12 for a sole trader; check digits verified"},
        field{"kpp", &organization::kpp, "КПП: 9 characters"},
        field{"ogrn", &organization::ogrn, "ОГРН: 13 digits, 15 for a sole trader; check digit verified"},
        field{"legal_address", &organization::legal_address, ""},
        field{"actual_address", &organization::actual_address, ""},
        field{"zone", &organization::time_zone, "the zone its meters default to; default UTC"},
        field{"billing_start_day", &organization::billing_start_day,
              "1..31; a month shorter than the day starts its period on its last day"}};
};

}  // namespace v0
}  // namespace kvant
