/// \file
/// `kvant::store`: the seam between the library and its storage. Backends: `memory_store` (tests, small
/// hosts) and `sqlite_store` (the embedded default); PostgreSQL comes later behind the same interface.
///
/// Contract, the same for every backend:
/// - Entities are upserted by their key. `put` validates the entity (an `error`-level issue refuses it with
///   validation_error) and checks that what it refers to exists (abonent → organization, account → abonent,
///   metering point → account, meter → model and point when given): unknown_reference otherwise. Put the
///   referred entity first.
/// - Reading values are keyed by (meter, channel, time). Writing a value equal to the stored one changes
///   nothing, so importing the same data twice changes nothing. A different value for a stored key follows
///   `on_conflict`: `fail` (the default: throw reading_conflict naming both values), `keep` the stored one,
///   or `replace` it. Equality compares the value only (not source or acceptance time).
/// - Reads stream: `scan` gives a cursor over many meters and channels and a time range that yields one
///   series chunk at a time (a stored block's worth), so a fleet is read in bounded memory;
///   `last_values` answers "current readings" from what each write keeps, without reading history.
/// - Every write is atomic: one call changes all it should or nothing (a backend opens an implicit
/// transaction
///   per call where it needs one). A `transaction` object rolls back in its destructor unless committed:
///   after a failed import the store is exactly as before.
/// - A store object is not thread-safe; open one per thread (SQLite allows many readers and one writer).
/// - Errors are storage_error; the one retryable code is errc::storage_busy (another connection held the
///   lock past the busy timeout; the call changed nothing). memory_store is never busy. A stored value that
///   cannot be read back is errc::storage_corrupt naming table, row and column; stored text always reads back
///   as valid UTF-8 (invalid bytes as U+FFFD), so no text already stored makes a later read fail.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/model/abonent.hpp"
#include "kvant/model/account.hpp"
#include "kvant/model/anomaly.hpp"
#include "kvant/model/comm_session.hpp"
#include "kvant/model/fleet.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/model/meter_event.hpp"
#include "kvant/model/meter_model.hpp"
#include "kvant/model/metering_point.hpp"
#include "kvant/model/organization.hpp"
#include "kvant/model/reading_table.hpp"
#include "kvant/model/relay.hpp"
#include "kvant/model/validation.hpp"

namespace kvant {
inline namespace v0 {

/// What to do when a reading or event key is stored already with different values.
enum class on_conflict : std::uint8_t { fail, keep, replace };
inline constexpr detail::enum_text<on_conflict, 3> on_conflict_text{
    "conflict policy",
    {{{on_conflict::fail, "fail"}, {on_conflict::keep, "keep"}, {on_conflict::replace, "replace"}}}};
inline std::string_view to_string(on_conflict c) noexcept {
    return on_conflict_text.name(c);
}

/// What a bulk write did.
struct write_stats {
    std::size_t inserted = 0;   ///< new keys
    std::size_t unchanged = 0;  ///< keys stored with the same values
    std::size_t replaced = 0;   ///< keys stored with other values, replaced (on_conflict::replace)
    std::size_t kept = 0;       ///< keys stored with other values, kept (on_conflict::keep)
    write_stats& operator+=(const write_stats& o) noexcept {
        inserted += o.inserted, unchanged += o.unchanged, replaced += o.replaced, kept += o.kept;
        return *this;
    }
};

/// A reading whose key is stored with other values, under on_conflict::fail. `row()` is the row of the
/// written batch, so that an importer can name its line.
class reading_conflict : public storage_error {
  public:
    reading_conflict(std::size_t row, const std::string& what)
        : storage_error(errc::storage_conflict, what), row_(row) {}
    std::size_t row() const noexcept { return row_; }

  private:
    std::size_t row_;
};

/// A piece of one series (one meter's one channel) as a cursor yields it: values in time order. The chunks
/// of one series come consecutively, in time order; series come ordered by meter serial, then channel code.
struct series_chunk {
    std::string meter;
    channel ch;
    std::vector<std::int64_t> time, value;  ///< Unix seconds; raw decimals
    std::vector<std::uint8_t> source;       ///< per value; empty when every value is automatic
    std::vector<std::int64_t> accepted;  ///< per value (reading_table::missing_time for none); may be empty
    std::size_t size() const noexcept { return time.size(); }
};

/// What a cursor reads: the values of these meters (all when empty) and channels (all when empty) with time
/// in [from, to).
struct series_query {
    std::vector<std::string> meters;
    std::vector<channel> channels;
    std::int64_t from = std::numeric_limits<std::int64_t>::min();  ///< Unix seconds, included
    std::int64_t to = std::numeric_limits<std::int64_t>::max();    ///< excluded
    bool provenance = true;  ///< fill source and accepted (false: times and values only, faster)
};

/// A stream of series chunks. Not thread-safe; it reads from the store it came from, which must outlive it
/// and must not be written to while it is open.
class reading_cursor {
  public:
    virtual ~reading_cursor() = default;
    /// Fills `out` with the next chunk (replacing its content); false at the end.
    virtual bool next(series_chunk& out) = 0;
};

/// The latest stored value of one channel of a meter.
struct last_value {
    channel ch;
    std::int64_t time = 0;   ///< Unix seconds
    std::int64_t value = 0;  ///< raw decimal
};

class store {
  public:
    virtual ~store() = default;
    store() = default;
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    // ---- entities
    void put(const organization& o);
    void put(const abonent& a);
    void put(const account& a);
    void put(const metering_point& p);
    void put(const meter_model& m);
    void put(const meter& m);

    /// The entity with this key, if stored: find<meter>("98990006").
    template <class T>
    std::optional<T> find(std::string_view key) const {
        T out;
        if (!load(key, out)) return std::nullopt;
        return out;
    }
    /// Every stored entity of a type, ordered by key.
    template <class T>
    std::vector<T> all() const {
        std::vector<T> out;
        list(out);
        return out;
    }

    // ---- readings
    /// Writes a batch of values of many meters and channels, in any order; see the contract above. Unknown
    /// meters give validation_error(unknown_reference).
    write_stats put_readings(const reading_table& batch, on_conflict policy = on_conflict::fail);
    /// A cursor over the values a query selects.
    virtual std::unique_ptr<reading_cursor> scan(const series_query& q) const = 0;
    /// Every value of one meter (all channels) with time in [from, to), ordered by channel, then time.
    reading_table readings(std::string_view meter, instant from, instant to) const;
    /// The last reading at or before `at` (the latest of all when `at` is absent): the values of every
    /// channel at that meter's latest reading time.
    std::optional<reading> last_reading(std::string_view meter, std::optional<instant> at = {}) const;
    /// The latest value of each channel of a meter, ordered by channel (kept on write: no history read).
    virtual std::vector<last_value> last_values(std::string_view meter) const = 0;
    /// The number of stored values (of one meter, or of all when `meter` is empty).
    virtual std::size_t reading_count(std::string_view meter = {}) const = 0;

    // ---- events
    write_stats put_events(std::span<const meter_event> events, on_conflict policy = on_conflict::fail);
    /// The events of one meter (of all, when `meter` is empty) with time in [from, to), ordered by meter,
    /// time.
    virtual std::vector<meter_event> events(std::string_view meter, instant from, instant to) const = 0;

    // ---- anomalies
    /// Upserts detected anomalies by key: a new key is stored open; a known one gets the new range, severity
    /// and messages but keeps its status and resolution. `inserted` counts new keys, `replaced` refreshed
    /// ones.
    virtual write_stats put_anomalies(std::span<const anomaly> found) = 0;
    /// Stored anomalies (of one status, when given), ordered by meter, begin, key.
    virtual std::vector<anomaly> anomalies(std::optional<anomaly_status> status = {}) const = 0;
    /// Marks one resolved; false when no anomaly has that key. Resolving again updates who and when.
    virtual bool resolve_anomaly(std::string_view key, instant at, std::string_view by) = 0;

    // ---- meter state: relay changes and communication sessions (docs/state.md)
    /// Writes relay changes keyed by (meter, time), with the conflict policy of events. Each is validated
    /// (an error refuses the batch with validation_error); unknown meters give unknown_reference naming them.
    write_stats put_relay_changes(std::span<const relay_change> changes,
                                  on_conflict policy = on_conflict::fail);
    /// The relay changes of one meter (of all, when `meter` is empty) with time in [from, to), ordered by
    /// meter, time.
    virtual std::vector<relay_change> relay_history(std::string_view meter, instant from,
                                                    instant to) const = 0;
    /// The change in force at `at` (the latest at or before it) of every meter that has one (of one meter,
    /// when given), ordered by meter. A meter with no change before `at` is absent: its relay is on.
    virtual std::vector<relay_change> relay_at(instant at, std::string_view meter = {}) const = 0;
    /// Writes sessions keyed by (meter, start), as put_relay_changes; keeps each meter's link summary.
    write_stats put_sessions(std::span<const comm_session> sessions, on_conflict policy = on_conflict::fail);
    /// The sessions of one meter (of all, when `meter` is empty) with start in [from, to), ordered by meter,
    /// start.
    virtual std::vector<comm_session> sessions(std::string_view meter, instant from, instant to) const = 0;
    /// The last session and last successful session of every meter that has sessions (of one, when given),
    /// ordered by meter: kept on write, so a fleet's link status reads no history.
    virtual std::vector<link_summary> link_summaries(std::string_view meter = {}) const = 0;

    // ---- transactions (prefer the `transaction` guard below); they nest
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;

  protected:
    virtual bool load(std::string_view key, organization& out) const = 0;
    virtual bool load(std::string_view key, abonent& out) const = 0;
    virtual bool load(std::string_view key, account& out) const = 0;
    virtual bool load(std::string_view key, metering_point& out) const = 0;
    virtual bool load(std::string_view key, meter_model& out) const = 0;
    virtual bool load(std::string_view key, meter& out) const = 0;
    virtual void list(std::vector<organization>& out) const = 0;
    virtual void list(std::vector<abonent>& out) const = 0;
    virtual void list(std::vector<account>& out) const = 0;
    virtual void list(std::vector<metering_point>& out) const = 0;
    virtual void list(std::vector<meter_model>& out) const = 0;
    virtual void list(std::vector<meter>& out) const = 0;
    virtual bool has_meter(std::string_view serial) const = 0;

    virtual void store_entity(const organization& o) = 0;
    virtual void store_entity(const abonent& a) = 0;
    virtual void store_entity(const account& a) = 0;
    virtual void store_entity(const metering_point& p) = 0;
    virtual void store_entity(const meter_model& m) = 0;
    virtual void store_entity(const meter& m) = 0;
    /// Called inside a transaction, with every meter of the batch known to exist.
    virtual write_stats store_readings(const reading_table& batch, on_conflict policy) = 0;
    virtual write_stats store_events(std::span<const meter_event> events, on_conflict policy) = 0;
    // ---- meter state: called inside a transaction, with every row valid and its meter known
    virtual write_stats store_relay_changes(std::span<const relay_change> changes, on_conflict policy) = 0;
    virtual write_stats store_sessions(std::span<const comm_session> sessions, on_conflict policy) = 0;

    /// Whether each single write needs a transaction of its own to be atomic. A backend whose writes are
    /// atomic by themselves (memory_store) says no, and is spared the cost.
    virtual bool needs_implicit_transactions() const noexcept { return true; }

    /// The text of a conflict, shared by the backends so that they word it alike.
    static std::string conflict_message(const reading_table& batch, std::size_t row, std::int64_t stored);
};

/// Every entity of a store, indexed (one read of each table).
fleet load_fleet(const store& s);

/// Runs the body of a scope as one transaction: commit() makes it stick; leaving the scope without it (an
/// exception) rolls back. Destructors never throw.
class transaction {
  public:
    explicit transaction(store& s) : s_(&s) { s_->begin(); }
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    ~transaction() {
        if (s_) s_->rollback();
    }
    void commit() {
        s_->commit();
        s_ = nullptr;
    }

  private:
    store* s_;
};

/// Writes many entities of one type in one transaction: all or none (a batch of entities).
template <class T>
void put_all(store& s, std::span<const T> entities) {
    transaction tx(s);
    for (const auto& e : entities) s.put(e);
    tx.commit();
}

}  // namespace v0
}  // namespace kvant
