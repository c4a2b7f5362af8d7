/// \file
/// Паспорт ПУ: the data of a meter model (004 §3.2.2, Figure 41).
#pragma once

#include <optional>
#include <string>

#include "kvant/core/decimal.hpp"
#include "kvant/model/enums.hpp"

namespace kvant {
inline namespace v0 {

struct meter_model {
    std::string id;         ///< the key, e.g. "mir-c07-05s"
    std::string name;       ///< "МИР С-07"
    std::string execution;  ///< исполнение: "05S-230-5(10)-PZ-S1BH-D"
    std::string manufacturer;
    std::string registry_number;  ///< номер в реестре СИ: "61678-15"
    resource measures = resource::electricity;
    int verification_interval_years = 0;    ///< МПИ; 0 when unknown
    std::optional<int> service_life_years;  ///< срок эксплуатации
    std::string accuracy_class;             ///< "0.5/1" (active/reactive) or "1"
    std::optional<int> phases;              ///< 1 or 3
    connection_type connection = connection_type::direct;
    std::optional<decimal> nominal_voltage;  ///< V
    std::optional<decimal> nominal_current;  ///< A
    std::optional<decimal> max_current;      ///< A
    std::optional<int> meter_constant;       ///< imp/kWh
    std::optional<int> register_digits;      ///< integer digits of the register: it wraps at 10^digits
    int tariff_registers = 1;                ///< 1 = total only; 2..4 = T1..Tn beside the total

    friend bool operator==(const meter_model&, const meter_model&) = default;
};

}  // namespace v0
}  // namespace kvant
