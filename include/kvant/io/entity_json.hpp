/// \file
/// Entities put into a store from JSON, by kind name — what the C API's `kvant_store_put_json` and the Python
/// `Store.put_json` take: one object or an array of objects in the library's JSON of each entity
/// (model/json.hpp, tariff_json.hpp). The kinds: organization, abonent, account, metering_point, meter_model,
/// meter, tariff_schedule, tariff_assignment, tariff_rate, normative.
#pragma once

#include <string>
#include <string_view>

#include "kvant/core/export.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

/// The kinds put_json_entities takes, as one line of text for messages.
inline constexpr std::string_view json_entity_kinds =
    "organization, abonent, account, metering_point, meter_model, meter, tariff_schedule, tariff_assignment, "
    "tariff_rate, normative";

/// Puts the entity (a JSON object) or entities (an array of objects) of `json` as `kind`, in one transaction:
/// all or none. Returns how many were put. parse_error naming `source`, the byte offset (syntax) or the item
/// and field; config_error (errc::usage) for a kind that is not one of json_entity_kinds; what the store's
/// put throws (validation, conflict) naming the item.
KVANT_API std::size_t put_json_entities(store& db, std::string_view kind, std::string_view json,
                                        const std::string& source);

}  // namespace v0
}  // namespace kvant
