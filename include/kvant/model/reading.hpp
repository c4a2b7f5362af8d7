/// \file
/// Показание: the values one meter reported at one instant, each of a channel — the total and T1..T4 of
/// active energy import on a household electricity meter; import, export and reactive registers on a
/// commercial one; energy, volume and temperatures on a heat meter. A channel the reading does not carry is
/// absent.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kvant/core/decimal.hpp"
#include "kvant/core/time.hpp"
#include "kvant/model/channel.hpp"
#include "kvant/model/enums.hpp"

namespace kvant {
inline namespace v0 {

/// One value of a reading.
struct channel_value {
    channel ch;
    decimal value;
    friend bool operator==(const channel_value&, const channel_value&) = default;
};

struct reading {
    std::string meter;  ///< meter::serial
    instant time;
    std::vector<channel_value> values;  ///< at most one per channel
    reading_source source = reading_source::automatic;
    std::optional<instant> accepted;  ///< when the system accepted it (Принятые), if different from `time`

    /// The value of a channel, if the reading carries it.
    std::optional<decimal> operator[](const channel& c) const noexcept {
        for (const auto& v : values)
            if (v.ch == c) return v.value;
        return std::nullopt;
    }
    /// Sets (or adds) the value of a channel.
    void set(const channel& c, decimal v) {
        for (auto& x : values)
            if (x.ch == c) {
                x.value = v;
                return;
            }
        values.push_back({c, v});
    }
    friend bool operator==(const reading&, const reading&) = default;
};

}  // namespace v0
}  // namespace kvant
