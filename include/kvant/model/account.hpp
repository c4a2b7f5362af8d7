/// \file
/// Лицевой счёт: a personal account, unique in the country (A15900009460). An abonent may hold several.
#pragma once

#include <optional>
#include <string>

#include "kvant/core/decimal.hpp"
#include "kvant/core/time.hpp"
#include "kvant/model/enums.hpp"
#include "kvant/model/fields.hpp"

namespace kvant {
inline namespace v0 {

struct account {
    std::string number;   ///< the account number, the key
    std::string abonent;  ///< abonent::id
    std::string address;
    std::string building;  ///< the building it is in (a key or address), for per-building sums; may be empty
    building_type type = building_type::apartment;
    std::string apartment;        ///< flat number, empty for a house
    std::optional<decimal> area;  ///< floor area in m² (for the building share, formula 12 of ПП 354)
    std::optional<calendar_date> contract_start;
    std::optional<calendar_date> contract_end;
    std::optional<int> residents;  ///< people registered as living there (for normatives per person), 0..999

    friend bool operator==(const account&, const account&) = default;
};

template <>
struct description<account> {
    static constexpr std::string_view entity = "account";
    static constexpr auto fields = std::tuple{
        field{"number", &account::number,
              "the personal account number: Latin letters, digits, `-`, `/`, `_`; up to 32", true},
        field{"abonent", &account::abonent, "an abonent id", true},
        field{"address", &account::address, ""},
        field{"building", &account::building, "a key grouping accounts for per-building sums"},
        field{"building_type", &account::type, ""},
        field{"apartment", &account::apartment, ""},
        field{"area", &account::area, "floor area, m²"},
        field{"contract_start", &account::contract_start, ""},
        field{"contract_end", &account::contract_end, ""},
        field{"residents", &account::residents, "people living there, 0..999 (normatives per person)"}};
};

}  // namespace v0
}  // namespace kvant
