/// \file
/// Точка учёта: the place a meter is installed. Meters are replaced; the point and its account stay.
#pragma once

#include <string>

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

}  // namespace v0
}  // namespace kvant
