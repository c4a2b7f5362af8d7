/// \file
/// Прибор учёта: one physical meter, keyed by its serial number within a store.
#pragma once

#include <optional>
#include <string>

#include "kvant/core/decimal.hpp"
#include "kvant/core/time.hpp"
#include "kvant/core/zone.hpp"
#include "kvant/model/enums.hpp"
#include "kvant/model/fields.hpp"

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
    std::string address;  ///< protocol identity `mbus:MAN-ID[-VV-MM]` (device_address.hpp); "" when none

    friend bool operator==(const meter&, const meter&) = default;
};

template <>
struct description<meter> {
    static constexpr std::string_view entity = "meter";
    static constexpr auto fields = std::tuple{
        field{"serial", &meter::serial, "the key: Latin letters, digits, `-_./`; up to 32", true},
        field{"model", &meter::model, "a meter_model id"},
        field{"point", &meter::point, "a metering_point code"},
        field{"role", &meter::role, ""},
        field{"resource", &meter::measures, "default: the model's, else electricity"},
        field{"zone", &meter::time_zone, "default: the organisation's"},
        field{"transformer_ratio", &meter::transformer_ratio, "CT × VT ratio, multiplies consumption"},
        field{"register_digits", &meter::register_digits, "overrides the model's"},
        field{"tariff_registers", &meter::tariff_registers, "overrides the model's"},
        field{"manufactured", &meter::manufactured, ""},
        field{"installed", &meter::installed, ""},
        field{"removed", &meter::removed, "снят с учёта: the meter stays in history"},
        field{"last_verification", &meter::last_verification, ""},
        field{"latitude", &meter::latitude, "decimal degrees, WGS 84; both or neither"},
        field{"longitude", &meter::longitude, "decimal degrees, WGS 84; both or neither"},
        field{"under_control", &meter::under_control,
              "на контроле: its data is expected and the collection rate counts it"},
        field{"address", &meter::address, "protocol identity: `mbus:MAN-ID[-VV-MM]` (docs/ingest.md)"}};
};

}  // namespace v0
}  // namespace kvant
