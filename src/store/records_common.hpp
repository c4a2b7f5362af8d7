// Internal: what the SQL backends (sqlite_store, postgres_store) share about meter events, anomalies, relay
// changes and communication sessions: the rules a stored value must meet to be read, the words of a conflict
// and of a stored row that cannot be read, the key of a state row, and how a detected anomaly merges with the
// stored one (status and resolution kept) or is resolved and reopened.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "entity_rows.hpp"
#include "kvant/core/time.hpp"
#include "kvant/model/anomaly.hpp"
#include "kvant/model/comm_session.hpp"
#include "kvant/model/meter_event.hpp"
#include "kvant/model/relay.hpp"
#include "kvant/model/validation.hpp"
#include "kvant/store/queries.hpp"

namespace kvant {
inline namespace v0 {
namespace detail::records {

/// What a stored time of readings, events, relay changes and sessions means (its range: entity_rows.hpp,
/// min_unix..max_unix).
inline constexpr const char* unix_meaning = "Unix seconds of 1970-01-01..2099-12-31";

/// The storage_corrupt of a stored row that cannot be read: "stored <table> row <row>: column '<c>' <p>".
inline storage_error corrupt_row(std::string_view table, std::string_view row, std::string_view column,
                                 std::string_view problem) {
    return storage_error(errc::storage_corrupt, "stored " + std::string(table) + " row " + std::string(row) +
                                                    ": column '" + std::string(column) + "' " +
                                                    std::string(problem) +
                                                    "; kvant validate lists every such row");
}

/// The columns of an event row after the meter: ts, code, kind, journal, message.
inline constexpr std::array<const char*, 5> event_columns{"ts", "code", "kind", "journal", "message"};

/// Why the integer of event column `i` (0 ts, 1 code, 3 journal; NULL allowed only for the journal) is not
/// what it should be, or nothing; kind and message are text, read tolerantly.
inline std::optional<std::string> event_value_problem(int i, std::optional<std::int64_t> v) {
    constexpr std::int64_t int_max = std::numeric_limits<int>::max(),
                           int_min = std::numeric_limits<int>::min();
    const char* meaning = i == 0 ? unix_meaning : i == 1 ? "an event code" : "a journal number";
    if (!v) return i == 3 ? std::nullopt : std::optional<std::string>("is NULL, not " + std::string(meaning));
    return i == 0 ? rows::range_problem(*v, rows::min_unix, rows::max_unix, meaning)
                  : rows::range_problem(*v, int_min, int_max, meaning);
}

/// The conflict of an event stored already with other values (on_conflict::fail).
inline std::string event_conflict(const meter_event& e) {
    return "event " + std::to_string(e.code) + " of meter " + e.meter + " at " + to_string(e.time) +
           " is stored already with other values";
}

/// The key time of a state row: a relay change's time, a session's start.
inline instant state_key(const relay_change& r) {
    return r.time;
}
inline instant state_key(const comm_session& c) {
    return c.start;
}

/// The conflict of a relay change ("relay change") or session ("session") stored already with other values.
template <class T>
std::string state_conflict(const char* what, const T& r) {
    return std::string(what) + " of meter " + r.meter + " at " + to_string(state_key(r)) +
           " is stored already with other values";
}

/// A detected anomaly merged with what is stored under its key (`stored`, when known): a known key keeps its
/// status, resolution and first detection, a new one opens; either way last detected is `at`. `same` says
/// whether the stored anomaly differs in nothing but the last detection (nothing to record then).
inline anomaly merge_detected(const anomaly& a, const anomaly* stored, instant at, bool& same) {
    anomaly row = a;
    same = false;
    if (stored) {
        row.status = stored->status;
        row.resolved_at = stored->resolved_at;
        row.resolved_by = stored->resolved_by;
        row.first_detected = stored->first_detected ? stored->first_detected : at;
        row.last_detected = stored->last_detected;
        same = row == *stored;
    } else {
        row.status = anomaly_status::open;
        row.resolved_at.reset();
        row.resolved_by.clear();
        row.first_detected = at;
    }
    row.last_detected = at;
    return row;
}

/// An anomaly resolved (with who and when) or opened again.
inline void apply_action(anomaly& a, anomaly_action_kind action, instant at, std::string_view by) {
    if (action == anomaly_action_kind::resolved) {
        a.status = anomaly_status::resolved;
        a.resolved_at = at;
        a.resolved_by = std::string(by);
    } else {
        a.status = anomaly_status::open;
        a.resolved_at.reset();
        a.resolved_by.clear();
    }
}

}  // namespace detail::records
}  // namespace v0
}  // namespace kvant
