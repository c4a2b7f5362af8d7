/// \file
/// Точка учёта: the place a meter is installed. Meters are replaced; the point and its account stay.
#pragma once

#include <string>
#include "kvant/model/fields.hpp"

namespace kvant {
inline namespace v0 {

struct metering_point {
    std::string code;        ///< the key; a GUID in 004 (1c1fb8b0-1f3f-ed11-b239-00155daa9a05)
    std::string account;     ///< account::number
    std::string name;        ///< the name the abonent sees ("Основной")
    std::string place;       ///< место установки ("Дом")
    std::string place_type;  ///< тип места ("В квартире")
    std::string
        amenities;  ///< степень благоустройства ("Газовая плита"): picks the normative of the dwelling

    friend bool operator==(const metering_point&, const metering_point&) = default;
};

template <>
struct description<metering_point> {
    static constexpr std::string_view entity = "metering_point";
    static constexpr auto fields =
        std::tuple{field{"code", &metering_point::code, "the key, e.g. a GUID", true},
                   field{"account", &metering_point::account, "an account number", true},
                   field{"name", &metering_point::name, "the name the abonent sees (Основной)"},
                   field{"place", &metering_point::place, "место установки (Дом)"},
                   field{"place_type", &metering_point::place_type, "тип места (В квартире)"},
                   field{"amenities", &metering_point::amenities,
                         "степень благоустройства (Газовая плита): picks the normative of the dwelling"}};
};

}  // namespace v0
}  // namespace kvant
