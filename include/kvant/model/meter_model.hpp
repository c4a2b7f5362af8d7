/// \file
/// Паспорт ПУ: the data of a meter model (004 §3.2.2, Figure 41).
#pragma once

#include <optional>
#include <string>

#include "kvant/core/decimal.hpp"
#include "kvant/model/enums.hpp"
#include "kvant/model/fields.hpp"

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

template <>
struct description<meter_model> {
    static constexpr std::string_view entity = "meter_model";
    static constexpr auto fields =
        std::tuple{field{"id", &meter_model::id, "the key", true},
                   field{"name", &meter_model::name, "МИР С-07", true},
                   field{"execution", &meter_model::execution, "исполнение"},
                   field{"manufacturer", &meter_model::manufacturer, ""},
                   field{"registry_number", &meter_model::registry_number, "номер в реестре СИ (61678-15)"},
                   field{"resource", &meter_model::measures, ""},
                   field{"verification_interval_years", &meter_model::verification_interval_years,
                         "МПИ; 0 when unknown"},
                   field{"service_life_years", &meter_model::service_life_years, ""},
                   field{"accuracy_class", &meter_model::accuracy_class, "text such as `0.5/1`"},
                   field{"phases", &meter_model::phases, "1 or 3"},
                   field{"connection_type", &meter_model::connection, ""},
                   field{"nominal_voltage", &meter_model::nominal_voltage, "V"},
                   field{"nominal_current", &meter_model::nominal_current, "A"},
                   field{"max_current", &meter_model::max_current, "A"},
                   field{"meter_constant", &meter_model::meter_constant, "imp/kWh"},
                   field{"register_digits", &meter_model::register_digits,
                         "integer digits of the register: it wraps at 10^digits"},
                   field{"tariff_registers", &meter_model::tariff_registers,
                         "1 = total only; 2..4 = T1..Tn beside the total"}};
};

}  // namespace v0
}  // namespace kvant
