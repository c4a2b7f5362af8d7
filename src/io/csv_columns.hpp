// Internal: the columns of each CSV kind. Entity columns are the entity's JSON keys.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "kvant/io/csv.hpp"
#include "kvant/model/account.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/model/metering_point.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

/// The key of an entity, as its CSV file names it (the first column of each table).
template <class T>
std::string key_of(const T& e) {
    if constexpr (std::is_same_v<T, account>)
        return e.number;
    else if constexpr (std::is_same_v<T, metering_point>)
        return e.code;
    else if constexpr (std::is_same_v<T, meter>)
        return e.serial;
    else
        return e.id;
}

struct csv_columns {
    std::vector<std::string_view> all;
    std::vector<std::string_view> required;
};

inline const csv_columns& columns_of(table_kind k) {
    static const csv_columns organizations{{"id", "name", "kind", "inn", "kpp", "ogrn", "legal_address",
                                            "actual_address", "zone", "billing_start_day"},
                                           {"id", "name"}};
    static const csv_columns abonents{{"id", "organization", "kind", "name", "phone", "email", "registered"},
                                      {"id", "organization", "name"}};
    static const csv_columns accounts{{"number", "abonent", "address", "building", "building_type",
                                       "apartment", "area", "contract_start", "contract_end", "residents"},
                                      {"number", "abonent"}};
    static const csv_columns points{{"code", "account", "name", "place", "place_type", "amenities"},
                                    {"code", "account"}};
    static const csv_columns models{{"id", "name", "execution", "manufacturer", "registry_number", "resource",
                                     "verification_interval_years", "service_life_years", "accuracy_class",
                                     "phases", "connection_type", "nominal_voltage", "nominal_current",
                                     "max_current", "meter_constant", "register_digits", "tariff_registers"},
                                    {"id", "name"}};
    static const csv_columns meters{
        {"serial", "model", "point", "role", "resource", "zone", "transformer_ratio", "register_digits",
         "tariff_registers", "manufactured", "installed", "removed", "last_verification", "latitude",
         "longitude", "under_control"},
        {"serial"}};
    static const csv_columns readings{
        {"meter", "timestamp", "channel", "value", "total", "t1", "t2", "t3", "t4", "source", "accepted"},
        {"meter", "timestamp"}};
    static const csv_columns events{{"meter", "timestamp", "code", "kind", "journal", "message"},
                                    {"meter", "timestamp", "code"}};
    // ---- meter state
    static const csv_columns relay_changes{{"meter", "timestamp", "position", "reason", "by", "note"},
                                           {"meter", "timestamp", "position"}};
    static const csv_columns sessions{{"meter", "start", "end", "channel", "result", "note"},
                                      {"meter", "start", "end", "result"}};
    switch (k) {
        case table_kind::organizations:
            return organizations;
        case table_kind::abonents:
            return abonents;
        case table_kind::accounts:
            return accounts;
        case table_kind::metering_points:
            return points;
        case table_kind::meter_models:
            return models;
        case table_kind::meters:
            return meters;
        case table_kind::readings:
            return readings;
        case table_kind::events:
            return events;
        case table_kind::relay_changes:
            return relay_changes;
        case table_kind::sessions:
            return sessions;
    }
    return organizations;
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
