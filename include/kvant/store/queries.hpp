/// \file
/// What a host asks a store for besides single entities and series (docs/queries.md): entity queries
/// (filter, search, sort, page), the change log (what changed since an instant, for notifications), anomaly
/// queries with their resolution history, and what a delete did. The types only; the calls are on
/// `kvant::store` (store.hpp) and `kvant::scoped_store` (scoped_store.hpp).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"
#include "kvant/model/anomaly.hpp"
#include "kvant/model/enums.hpp"

namespace kvant {
inline namespace v0 {

/// The kinds of stored things a change, a delete or a scope names.
enum class entity_kind : std::uint8_t {
    organization,
    abonent,
    account,
    metering_point,
    meter_model,
    meter,
    anomaly,
};
inline constexpr detail::enum_text<entity_kind, 7> entity_kind_text{
    "entity kind",
    {{{entity_kind::organization, "organization"},
      {entity_kind::abonent, "abonent"},
      {entity_kind::account, "account"},
      {entity_kind::metering_point, "metering_point"},
      {entity_kind::meter_model, "meter_model"},
      {entity_kind::meter, "meter"},
      {entity_kind::anomaly, "anomaly"}}}};
KVANT_ENUM_TEXT(entity_kind, entity_kind_text)
inline entity_kind parse_entity_kind(std::string_view s, location where = {}) {
    return entity_kind_text.parse(s, std::move(where));
}
inline std::optional<entity_kind> try_parse_entity_kind(std::string_view s) noexcept {
    return entity_kind_text.find(s);
}

/// Which entities a status filter keeps, at `entity_query::status_at`.
enum class entity_status : std::uint8_t {
    any,  ///< every one
    active,  ///< a meter not removed (снят с учёта) by then; an account whose contract has not ended by then
    removed,  ///< a meter removed on or before then; an account whose contract ended before then
};
inline constexpr detail::enum_text<entity_status, 3> entity_status_text{
    "entity status",
    {{{entity_status::any, "any"}, {entity_status::active, "active"}, {entity_status::removed, "removed"}}}};
KVANT_ENUM_TEXT(entity_status, entity_status_text)
inline entity_status parse_entity_status(std::string_view s, location where = {}) {
    return entity_status_text.parse(s, std::move(where));
}
inline std::optional<entity_status> try_parse_entity_status(std::string_view s) noexcept {
    return entity_status_text.find(s);
}

/// A query over one entity type (store::query<T>). Every filter that is set must hold; docs/queries.md says
/// what each means per type.
struct entity_query {
    std::string organization;          ///< organization::id; empty: every organisation
    std::string building;              ///< account::building (exact); accounts, points, meters
    std::optional<resource> measures;  ///< meters measuring it; abonents, accounts, points holding one
    std::optional<meter_role> role;    ///< meters of this role; abonents, accounts, points holding one
    entity_status status = entity_status::any;  ///< meters and accounts only (others: usage error)
    std::optional<calendar_date> status_at;     ///< the day the status is judged on; required unless `any`
    /// Case-insensitive substring search (Latin and Cyrillic, ё = е) over the type's search fields
    /// (docs/queries.md): account number, name, address, serial. Empty: no search.
    std::string text;
    std::string sort_by;      ///< a field name of the type (docs/queries.md); empty: the key
    bool descending = false;  ///< the sort direction; ties are broken by the key, always ascending
    std::size_t offset = 0;   ///< rows skipped after sorting
    std::size_t limit = std::numeric_limits<std::size_t>::max();  ///< rows returned at most
};

/// One page of a query's result and the number of rows the query selects before paging.
template <class T>
struct page {
    std::vector<T> items;
    std::size_t total = 0;
};

/// What a stored change did.
enum class change_op : std::uint8_t {
    put,       ///< an entity was stored (new or changed)
    erase,     ///< an entity was deleted
    readings,  ///< reading values of a meter were written (`count` of them in the batch)
    events,    ///< events of a meter were written (`count` of them in the batch)
    detected,  ///< an anomaly was stored new or refreshed by detection
    resolved,  ///< an anomaly was marked resolved
    reopened,  ///< a resolved anomaly was opened again
};
inline constexpr detail::enum_text<change_op, 7> change_op_text{"change operation",
                                                                {{{change_op::put, "put"},
                                                                  {change_op::erase, "erase"},
                                                                  {change_op::readings, "readings"},
                                                                  {change_op::events, "events"},
                                                                  {change_op::detected, "detected"},
                                                                  {change_op::resolved, "resolved"},
                                                                  {change_op::reopened, "reopened"}}}};
KVANT_ENUM_TEXT(change_op, change_op_text)
inline change_op parse_change_op(std::string_view s, location where = {}) {
    return change_op_text.parse(s, std::move(where));
}
inline std::optional<change_op> try_parse_change_op(std::string_view s) noexcept {
    return change_op_text.find(s);
}

/// One record of the change log.
struct change {
    std::int64_t seq = 0;  ///< increasing in write order; the cursor to continue from
    instant at;            ///< the store's clock when it was written (store::set_clock)
    entity_kind entity = entity_kind::meter;
    std::string key;  ///< the entity's key (meter serial for readings and events, anomaly key)
    change_op op = change_op::put;
    std::size_t count = 1;     ///< values or events of a readings or events change; 1 otherwise
    std::string organization;  ///< the organisation it belonged to when written; empty: none (a model)
    friend bool operator==(const change&, const change&) = default;
};

/// Which changes to read: those at or after `since` with seq greater than `after`, in seq order.
struct change_query {
    instant since;             ///< the clock time, included
    std::int64_t after = 0;    ///< the seq of the last change already seen (0: none)
    std::size_t limit = 1000;  ///< at most this many
    std::string organization;  ///< only this organisation's changes; empty: every change
};

/// A query over stored anomalies (store::find_anomalies): every filter that is set must hold.
struct anomaly_query {
    std::string organization;  ///< of the anomaly's meter (or its account when no meter has that key)
    std::string meter;         ///< anomaly::meter (a serial or a building key)
    std::optional<anomaly_type> type;
    std::optional<anomaly_status> status;
    std::optional<instant> from;  ///< the anomaly's [from, to] overlaps [from, to)
    std::optional<instant> to;
    std::size_t offset = 0;
    std::size_t limit = std::numeric_limits<std::size_t>::max();
};

/// What was done to an anomaly by a person.
enum class anomaly_action_kind : std::uint8_t { resolved, reopened };
inline constexpr detail::enum_text<anomaly_action_kind, 2> anomaly_action_kind_text{
    "anomaly action",
    {{{anomaly_action_kind::resolved, "resolved"}, {anomaly_action_kind::reopened, "reopened"}}}};
KVANT_ENUM_TEXT(anomaly_action_kind, anomaly_action_kind_text)
inline anomaly_action_kind parse_anomaly_action_kind(std::string_view s, location where = {}) {
    return anomaly_action_kind_text.parse(s, std::move(where));
}
inline std::optional<anomaly_action_kind> try_parse_anomaly_action_kind(std::string_view s) noexcept {
    return anomaly_action_kind_text.find(s);
}

/// One entry of an anomaly's resolution history, oldest first.
struct anomaly_action {
    std::string anomaly;  ///< anomaly::key
    anomaly_action_kind action = anomaly_action_kind::resolved;
    instant at;        ///< when it was done (the caller's time, as resolve_anomaly takes it)
    std::string by;    ///< who did it
    std::string note;  ///< why, as they wrote it; may be empty
    friend bool operator==(const anomaly_action&, const anomaly_action&) = default;
};

/// One entity a delete removed.
struct erased {
    entity_kind entity = entity_kind::meter;
    std::string key;
    friend bool operator==(const erased&, const erased&) = default;
};

}  // namespace v0
}  // namespace kvant
