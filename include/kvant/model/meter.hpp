/// \file
/// Прибор учёта: one physical meter, keyed by its serial number within a store.
#pragma once

#include <optional>
#include <string>

#include "kvant/core/decimal.hpp"
#include "kvant/core/time.hpp"
#include "kvant/core/zone.hpp"
#include "kvant/model/enums.hpp"

namespace kvant {
inline namespace v0 {

struct meter {
    std::string serial;  ///< the key ("98990006")
    std::string model;   ///< meter_model::id; empty when unknown
    std::string point;   ///< metering_point::code; empty for a meter not yet placed
    meter_role role = meter_role::individual;
    resource measures = resource::electricity;
    std::optional<zone> time_zone;  ///< its own zone (004 shows minutes east: 360); else the organisation's
    decimal transformer_ratio = decimal::from_integer(1);  ///< CT × VT ratio that multiplies consumption
    std::optional<int> register_digits;                    ///< overrides the model's
    std::optional<int> tariff_registers;                   ///< overrides the model's (1..4)
    std::optional<calendar_date> manufactured;
    std::optional<calendar_date> installed;
    std::optional<calendar_date> removed;  ///< снят с учёта: the meter stays in history
    std::optional<calendar_date> last_verification;
    std::optional<decimal> latitude;   ///< degrees, WGS 84
    std::optional<decimal> longitude;  ///< degrees, WGS 84
    bool under_control = true;  ///< на контроле: its data is expected (collection rate, link status count it)

    friend bool operator==(const meter&, const meter&) = default;
};

}  // namespace v0
}  // namespace kvant
