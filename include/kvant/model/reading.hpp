/// \file
/// Показание: the cumulative register values of one meter at one instant. Multi-tariff electricity meters
/// have T1..T4 beside the total (Общий тариф); a register the reading does not carry is absent.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "kvant/core/decimal.hpp"
#include "kvant/core/time.hpp"
#include "kvant/model/enums.hpp"

namespace kvant {
inline namespace v0 {

/// The registers of a reading: the total and tariffs 1..4.
enum class register_id : std::uint8_t { total = 0, t1 = 1, t2 = 2, t3 = 3, t4 = 4 };
inline constexpr std::size_t register_count = 5;
inline constexpr detail::enum_text<register_id, 5> register_id_text{"register",
                                                                    {{{register_id::total, "total"},
                                                                      {register_id::t1, "t1"},
                                                                      {register_id::t2, "t2"},
                                                                      {register_id::t3, "t3"},
                                                                      {register_id::t4, "t4"}}}};
inline std::string_view to_string(register_id r) noexcept {
    return register_id_text.name(r);
}

struct reading {
    std::string meter;  ///< meter::serial
    instant time;
    std::array<std::optional<decimal>, register_count> values;  ///< indexed by register_id
    reading_source source = reading_source::automatic;
    std::optional<instant> accepted;  ///< when the system accepted it (Принятые), if different from `time`

    std::optional<decimal>& operator[](register_id r) noexcept { return values[static_cast<std::size_t>(r)]; }
    const std::optional<decimal>& operator[](register_id r) const noexcept {
        return values[static_cast<std::size_t>(r)];
    }
    friend bool operator==(const reading&, const reading&) = default;
};

}  // namespace v0
}  // namespace kvant
