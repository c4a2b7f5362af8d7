// Internal: the columns of each CSV kind. Entity columns are the entity's JSON keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kvant/io/csv.hpp"
#include "kvant/model/abonent.hpp"
#include "kvant/model/account.hpp"
#include "kvant/model/comm_session.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/model/meter_model.hpp"
#include "kvant/model/metering_point.hpp"
#include "kvant/model/organization.hpp"
#include "kvant/model/relay.hpp"
#include "kvant/model/tariff_book.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

struct csv_columns {
    std::vector<std::string_view> all;
    std::vector<std::string_view> required;
};

/// An entity's columns: its described fields (model/fields.hpp), in order.
template <described T>
csv_columns columns_of() {
    csv_columns c;
    for_each_field<T>([&](const auto& f) {
        c.all.push_back(f.name);
        if (f.required) c.required.push_back(f.name);
    });
    return c;
}

inline const csv_columns& columns_of(table_kind k) {
    static const csv_columns organizations = columns_of<organization>();
    static const csv_columns abonents = columns_of<abonent>();
    static const csv_columns accounts = columns_of<account>();
    static const csv_columns points = columns_of<metering_point>();
    static const csv_columns models = columns_of<meter_model>();
    static const csv_columns meters = columns_of<meter>();
    static const csv_columns readings{
        {"meter", "timestamp", "channel", "value", "total", "t1", "t2", "t3", "t4", "source", "accepted"},
        {"meter", "timestamp"}};
    static const csv_columns events{{"meter", "timestamp", "code", "kind", "journal", "message"},
                                    {"meter", "timestamp", "code"}};
    // ---- meter state: the described fields, a relay change's "time" named "timestamp" as events' is
    static const csv_columns relay_changes = [] {
        auto c = columns_of<relay_change>();
        for (auto* v : {&c.all, &c.required})
            for (auto& name : *v)
                if (name == "time") name = "timestamp";
        return c;
    }();
    static const csv_columns sessions = columns_of<comm_session>();
    // ---- tariffs
    static const csv_columns schedules{{}, {}};  // a JSON file
    static const csv_columns assignments = columns_of<tariff_assignment>();
    static const csv_columns rates = columns_of<tariff_rate>();
    static const csv_columns normatives = columns_of<normative>();
    switch (k) {
        case table_kind::tariff_schedules:
            return schedules;
        case table_kind::tariff_assignments:
            return assignments;
        case table_kind::tariff_rates:
            return rates;
        case table_kind::normatives:
            return normatives;
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
