/// \file
/// `kvant::store`: the seam between the library and its storage. Backends: `memory_store` (tests, small
/// hosts), `sqlite_store` (the embedded default) and `postgres_store` (a PostgreSQL server,
/// postgres_store.hpp).
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
/// - Queries (docs/queries.md): `query<T>` filters, searches, sorts and pages organisations, abonents,
///   accounts, points and meters alike on every backend; `find_anomalies` filters and pages anomalies.
/// - Deletes: a meter leaves service with `remove_from_service` (снят с учёта: it stays, with its history);
///   `erase` deletes only what has no history (readings, events, anomalies) and cascades down to what lies
///   below the erased entity (account → points → meters) when none of it has history; otherwise it is
///   refused with storage_conflict naming what refers to it. An organisation or a model is erased only when
///   nothing refers to it at all.
/// - Every write that changes something appends to the change log (`changes`): entity puts and erases,
///   readings and events (one record per meter and write call, with the count of values), anomalies
///   detected, resolved and reopened, each with the store's clock (`set_clock`) and the organisation it
///   belongs to. A put of an entity equal to the stored one writes and records nothing.
/// - `scoped_store` (scoped_store.hpp) limits every call to one organisation. Every call a backend
///   implements is pure virtual here, so that a call added later cannot be forgotten by the scope (it fails
///   to compile until the scope implements it); calls written here in terms of those are scoped by them.
/// - A store object is not thread-safe; open one per thread (SQLite allows many readers and one writer).
/// - Errors are storage_error; the one retryable code is errc::storage_busy (another connection held the
///   lock past the busy timeout; the call changed nothing). memory_store is never busy. A stored value that
///   cannot be read back is errc::storage_corrupt naming table, row and column; stored text always reads back
///   as valid UTF-8 (invalid bytes as U+FFFD), so no text already stored makes a later read fail.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/model/abonent.hpp"
#include "kvant/model/account.hpp"
#include "kvant/model/anomaly.hpp"
#include "kvant/model/comm_session.hpp"
#include "kvant/model/entry_record.hpp"
#include "kvant/model/fleet.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/model/meter_event.hpp"
#include "kvant/model/meter_model.hpp"
#include "kvant/model/metering_point.hpp"
#include "kvant/model/organization.hpp"
#include "kvant/model/reading_table.hpp"
#include "kvant/model/relay.hpp"
#include "kvant/model/tariff_book.hpp"
#include "kvant/model/validation.hpp"
#include "kvant/store/queries.hpp"

namespace kvant {
inline namespace v0 {

/// What to do when a reading or event key is stored already with different values.
enum class on_conflict : std::uint8_t { fail, keep, replace };
inline constexpr detail::enum_text<on_conflict, 3> on_conflict_text{
    "conflict policy",
    {{{on_conflict::fail, "fail"}, {on_conflict::keep, "keep"}, {on_conflict::replace, "replace"}}}};
KVANT_ENUM_TEXT(on_conflict, on_conflict_text)

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
class KVANT_API reading_conflict : public storage_error {
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
class KVANT_API reading_cursor {
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

class KVANT_API store {
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
    /// Marks one resolved; false when no anomaly has that key. Resolving again updates who and when. Each
    /// call adds an entry to the anomaly's history (anomaly_history) with the note.
    virtual bool resolve_anomaly(std::string_view key, instant at, std::string_view by,
                                 std::string_view note = {}) = 0;

    // ---- queries
    /// The entities of type T (organization, abonent, account, metering_point, meter) a query selects,
    /// sorted and paged, with the count before paging. Unknown sort field, or a status filter on a type
    /// without a status: config_error(usage) naming the allowed ones.
    template <class T>
    page<T> query(const entity_query& q) const;
    /// Every stored entity of a type under one organisation (every one when `organization` is empty),
    /// ordered by key: the indexed cut a query starts from.
    template <class T>
    std::vector<T> all_in(std::string_view org) const {
        std::vector<T> out;
        list_in(org, out);
        return out;
    }
    /// The organisation an entity belongs to (for a meter through its point, account and abonent; for an
    /// anomaly through its meter, else its account); empty when none or unknown.
    std::string organization_of(entity_kind kind, std::string_view key) const;

    /// Takes a meter out of service (снят с учёта) on a day: sets `removed`, keeps it and its history.
    /// not_found when there is no such meter.
    void remove_from_service(std::string_view serial, calendar_date on);
    /// Deletes an entity and, below it, what has no history (see the contract above); returns what was
    /// deleted, the entity last. not_found for an unknown key; storage_conflict naming what refers to it.
    std::vector<erased> erase(entity_kind kind, std::string_view key);

    /// The clock the change log and the detection times use (the system clock by default); tests inject one.
    void set_clock(std::function<instant()> clock) { clock_ = std::move(clock); }
    instant now() const;
    /// The change log, in seq order (see change_query).
    virtual std::vector<change> changes(const change_query& q) const = 0;

    /// Stored anomalies a query selects, ordered by meter, begin, key; paged, with the count before paging.
    page<anomaly> find_anomalies(const anomaly_query& q) const;
    /// Opens a resolved anomaly again (its resolution is cleared, the history keeps it); false when no
    /// anomaly has that key.
    virtual bool reopen_anomaly(std::string_view key, instant at, std::string_view by,
                                std::string_view note = {}) = 0;
    /// Who resolved or reopened an anomaly, when and why, oldest first (empty for an unknown key).
    virtual std::vector<anomaly_action> anomaly_history(std::string_view key) const = 0;

    // ---- entry: the manual-entry log (who entered a reading, when, with what verdict)
    /// Stores a manual entry: when it is not refused, its reading (source manual) and the log row in one
    /// transaction (a conflicting reading refuses both); a refused one is only logged. Throws as
    /// put_readings does (unknown meter, implausible value, a different reading at that time).
    void enter_reading(const entry_record& e);
    /// Logs an entry without writing its reading.
    void log_entry(const entry_record& e);
    /// The log of one meter (of all, when `meter` is empty) with reading time in [from, to), ordered by
    /// meter, reading time, then the order of entry.
    virtual std::vector<entry_record> entries(std::string_view meter, instant from, instant to) const = 0;
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
    // ---- tariffs: schedules, assignments, rates, normatives (model/tariff_book.hpp, docs/tariffs.md)
    /// Each is validated (an error-level issue, or a schedule tariff_calendar would refuse, gives
    /// validation_error) and its references checked (unknown_reference naming them): an assignment's and a
    /// rate's schedule, a rate's zone (a zone, group or "total" of that schedule), a scope's target (an
    /// organisation, a building some account is in, a meter), a normative's organisation. Schedules are
    /// upserted by id. Assignments, rates and normatives are versions, keyed by key_of(): storing a key again
    /// with the same values changes nothing (an import repeated); with other values it is refused
    /// (validation_error, errc::duplicate, naming both): remove the version first to correct it.
    void put(const tariff_schedule& s);
    void put(const tariff_assignment& a);
    void put(const tariff_rate& r);
    void put(const normative& n);
    /// Removes a schedule by id; false when absent. Refused (validation_error, errc::validation) while an
    /// assignment or a rate refers to it.
    bool remove_schedule(std::string_view id);
    /// Remove the version with this one's key (key_of); false when absent.
    bool remove(const tariff_assignment& a);
    bool remove(const tariff_rate& r);
    bool remove(const normative& n);

    // ---- validation policy
    /// How `put` applies the rules real data is known to break (model/validation.hpp): lenient by default
    /// (a wrong INN check digit is stored), strict refuses them.
    void set_validation_policy(validation_policy p) noexcept { policy_ = p; }
    validation_policy policy() const noexcept { return policy_; }

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
    // ---- tariffs
    virtual bool load(std::string_view key, tariff_schedule& out) const = 0;
    virtual bool load(std::string_view key, tariff_assignment& out) const = 0;
    virtual bool load(std::string_view key, tariff_rate& out) const = 0;
    virtual bool load(std::string_view key, normative& out) const = 0;
    virtual void list(std::vector<tariff_schedule>& out) const = 0;
    virtual void list(std::vector<tariff_assignment>& out) const = 0;
    virtual void list(std::vector<tariff_rate>& out) const = 0;
    virtual void list(std::vector<normative>& out) const = 0;
    virtual void store_entity(const tariff_schedule& s) = 0;
    virtual void store_entity(const tariff_assignment& a) = 0;
    virtual void store_entity(const tariff_rate& r) = 0;
    virtual void store_entity(const normative& n) = 0;
    /// Deletes the row of a key; false when there is none.
    virtual bool erase_schedule(std::string_view id) = 0;
    virtual bool erase_assignment(std::string_view key) = 0;
    virtual bool erase_rate(std::string_view key) = 0;
    virtual bool erase_normative(std::string_view key) = 0;
    // ---- queries: the backend's part
    /// Appends the entities under one organisation (all when empty), ordered by key.
    virtual void list_in(std::string_view org, std::vector<abonent>& out) const = 0;
    virtual void list_in(std::string_view org, std::vector<account>& out) const = 0;
    virtual void list_in(std::string_view org, std::vector<metering_point>& out) const = 0;
    virtual void list_in(std::string_view org, std::vector<meter>& out) const = 0;
    void list_in(std::string_view org, std::vector<organization>& out) const;
    void list_in(std::string_view org, std::vector<meter_model>& out) const;
    /// Deletes one entity row (and a meter's empty series); store::erase has checked everything.
    virtual void erase_entity(entity_kind kind, std::string_view key) = 0;
    /// Appends one record to the change log, giving it the next seq.
    virtual void append_change(const change& c) = 0;
    /// Records a change now, in the current transaction.
    void note_change(entity_kind kind, std::string key, change_op op, std::size_t count,
                     std::string organization);
    /// The organisation of an anomaly (its meter's, else its account's).
    std::string organization_of(const anomaly& a) const;
    friend class scoped_store;

    virtual void store_entity(const organization& o) = 0;
    virtual void store_entity(const abonent& a) = 0;
    virtual void store_entity(const account& a) = 0;
    virtual void store_entity(const metering_point& p) = 0;
    virtual void store_entity(const meter_model& m) = 0;
    virtual void store_entity(const meter& m) = 0;
    /// Called inside a transaction, with every meter of the batch known to exist.
    virtual write_stats store_readings(const reading_table& batch, on_conflict policy) = 0;
    virtual write_stats store_events(std::span<const meter_event> events, on_conflict policy) = 0;
    // ---- entry
    virtual void store_entry(const entry_record& e) = 0;
    // ---- meter state: called inside a transaction, with every row valid and its meter known
    virtual write_stats store_relay_changes(std::span<const relay_change> changes, on_conflict policy) = 0;
    virtual write_stats store_sessions(std::span<const comm_session> sessions, on_conflict policy) = 0;

    /// Whether each single write needs a transaction of its own to be atomic. A backend whose writes are
    /// atomic by themselves (memory_store) says no, and is spared the cost.
    virtual bool needs_implicit_transactions() const noexcept { return true; }

    /// The text of a conflict, shared by the backends so that they word it alike.
    static std::string conflict_message(const reading_table& batch, std::size_t row, std::int64_t stored);

  private:
    std::function<instant()> clock_;
    validation_policy policy_ = validation_policy::lenient;
};

/// Every entity of a store, indexed (one read of each table).
KVANT_API fleet load_fleet(const store& s);
/// Every stored schedule, assignment, rate and normative (one read of each table).
KVANT_API tariff_book load_tariffs(const store& s);

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
