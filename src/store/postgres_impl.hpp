// Internal: the state of a postgres_store, shared by its source files (postgres_store.cpp: connection,
// schema, transactions, entities, tariffs, queries; postgres_records.cpp: events, anomalies, entry log, relay
// changes, sessions; postgres_readings.cpp: readings blocks, the cursor, COPY; postgres_layout.cpp:
// distribute(), layout(), reading shards directly). The schema is here, one text per table group, with the
// version it came in (docs/storage.md describes every table).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/store/postgres_store.hpp"
#include "pg_connection.hpp"

namespace kvant {
inline namespace v0 {
namespace detail::pg {

// Schema version 1. The same tables as SQLite's schema 4, in PostgreSQL types: times are Unix seconds in
// bigint, entities are their key and reference columns plus the entity as a JSON document in text (kept as
// written: model/json.hpp reads it back). Foreign keys are deferred to commit, as in SQLite.
inline constexpr const char* schema_entities = R"sql(
CREATE TABLE kvant_meta(key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE organizations(
  id text PRIMARY KEY,
  doc text NOT NULL);
CREATE TABLE abonents(
  id text PRIMARY KEY,
  organization text NOT NULL REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED,
  doc text NOT NULL);
CREATE INDEX abonents_by_organization ON abonents(organization);
CREATE TABLE accounts(
  number text PRIMARY KEY,
  abonent text NOT NULL REFERENCES abonents(id) DEFERRABLE INITIALLY DEFERRED,
  doc text NOT NULL);
CREATE INDEX accounts_by_abonent ON accounts(abonent);
CREATE TABLE metering_points(
  code text PRIMARY KEY,
  account text NOT NULL REFERENCES accounts(number) DEFERRABLE INITIALLY DEFERRED,
  doc text NOT NULL);
CREATE INDEX metering_points_by_account ON metering_points(account);
CREATE TABLE meter_models(
  id text PRIMARY KEY,
  doc text NOT NULL);
CREATE TABLE meters(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial text NOT NULL UNIQUE,
  model text REFERENCES meter_models(id) DEFERRABLE INITIALLY DEFERRED,
  point text REFERENCES metering_points(code) DEFERRABLE INITIALLY DEFERRED,
  doc text NOT NULL);
CREATE INDEX meters_by_point ON meters(point);
CREATE TABLE tariff_schedules(
  id text PRIMARY KEY,
  doc text NOT NULL);
CREATE TABLE tariff_assignments(
  key text PRIMARY KEY,
  schedule text NOT NULL REFERENCES tariff_schedules(id) DEFERRABLE INITIALLY DEFERRED,
  doc text NOT NULL);
CREATE TABLE tariff_rates(
  key text PRIMARY KEY,
  schedule text NOT NULL REFERENCES tariff_schedules(id) DEFERRABLE INITIALLY DEFERRED,
  doc text NOT NULL);
CREATE TABLE normatives(
  key text PRIMARY KEY,
  organization text NOT NULL REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED,
  doc text NOT NULL);
CREATE TABLE changes(
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at bigint NOT NULL,
  entity text NOT NULL,
  key text NOT NULL,
  op text NOT NULL,
  count bigint NOT NULL,
  organization text NOT NULL);
CREATE INDEX changes_by_time ON changes(at, seq);
CREATE INDEX changes_by_organization ON changes(organization, at, seq);
)sql";

// Events, anomalies, the entry log, relay changes and sessions: keyed as in SQLite.
inline constexpr const char* schema_records = R"sql(
CREATE TABLE meter_events(
  meter bigint NOT NULL REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  ts bigint NOT NULL,
  code bigint NOT NULL,
  kind text NOT NULL,
  journal bigint,
  message text NOT NULL,
  PRIMARY KEY(meter, ts, code));
CREATE TABLE anomalies(
  key text PRIMARY KEY,
  meter text NOT NULL,
  type text NOT NULL,
  status text NOT NULL,
  begins bigint NOT NULL,
  doc text NOT NULL);
CREATE INDEX anomalies_by_status ON anomalies(status, meter, begins);
CREATE TABLE anomaly_history(
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  anomaly text NOT NULL,
  action text NOT NULL,
  at bigint NOT NULL,
  actor text NOT NULL,
  note text NOT NULL);
CREATE INDEX anomaly_history_by_anomaly ON anomaly_history(anomaly, seq);
CREATE TABLE entry_log(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  meter text NOT NULL,
  ts bigint NOT NULL,
  entered_at bigint NOT NULL,
  entered_by text NOT NULL,
  outcome text NOT NULL,
  doc text NOT NULL);
CREATE INDEX entry_log_by_meter ON entry_log(meter, ts);
CREATE TABLE relay_changes(
  meter bigint NOT NULL REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  ts bigint NOT NULL,
  position text NOT NULL,
  reason text NOT NULL,
  by text NOT NULL,
  note text NOT NULL,
  PRIMARY KEY(meter, ts));
CREATE TABLE comm_sessions(
  meter bigint NOT NULL REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  start bigint NOT NULL,
  ends bigint NOT NULL,
  channel text NOT NULL,
  result text NOT NULL,
  note text NOT NULL,
  PRIMARY KEY(meter, start));
CREATE TABLE meter_links(
  meter bigint PRIMARY KEY REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  last_start bigint NOT NULL,
  last_ok_start bigint);
)sql";

// Readings: a series row per (meter, channel) keeps the last value (current readings read no block); the
// blocks are rows of `readings`, one per (meter, channel, UTC month: months since 1970-01), the block codec's
// bytes in `data` (stored uncompressed: the codec has compressed them). `readings` is hash-partitioned by
// meter; its partitions readings_p0.. are made by make_partitions(), each with its own primary key, so that a
// partition may be a foreign table on another server (a partitioned table with a foreign partition can have
// no unique index of its own). No foreign key points from a block to its meter for the same reason: erasing a
// meter deletes its blocks explicitly.
inline constexpr const char* schema_readings = R"sql(
CREATE TABLE series(
  meter bigint NOT NULL REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  channel bigint NOT NULL,
  last_time bigint NOT NULL,
  last_value bigint NOT NULL,
  PRIMARY KEY(meter, channel));
CREATE TABLE readings(
  meter bigint NOT NULL,
  channel bigint NOT NULL,
  month integer NOT NULL,
  first_time bigint NOT NULL,
  last_time bigint NOT NULL,
  count integer NOT NULL,
  data bytea NOT NULL) PARTITION BY HASH(meter);
)sql";

/// The table of one readings partition, as made on this server or on a shard.
inline std::string partition_sql(int remainder, int modulus, bool attach) {
    const std::string name = "readings_p" + std::to_string(remainder);
    std::string s = "CREATE TABLE " + name;
    if (attach)
        s += " PARTITION OF readings FOR VALUES WITH (MODULUS " + std::to_string(modulus) + ", REMAINDER " +
             std::to_string(remainder) + ")";
    else
        s += "(meter bigint NOT NULL, channel bigint NOT NULL, month integer NOT NULL, first_time bigint NOT "
             "NULL, last_time bigint NOT NULL, count integer NOT NULL, data bytea NOT NULL)";
    s += ";ALTER TABLE " + name + " ADD PRIMARY KEY(meter, channel, month);ALTER TABLE " + name +
         " ALTER COLUMN data SET STORAGE EXTERNAL;";
    return s;
}

}  // namespace detail::pg

struct postgres_store::impl {
    std::string conninfo;  // as given, password included: never printed
    std::string where;     // redacted
    postgres_options opt;
    postgres_store::mode m = postgres_store::mode::create;
    std::unique_ptr<detail::pg::connection> conn;
    int depth = 0;      // open transaction levels (1: BEGIN; more: savepoints)
    bool lost = false;  // the connection broke inside a transaction: the rest of it fails, rollback clears

    /// The connection, reconnecting first when it was lost outside a transaction (postgres_store.cpp).
    detail::pg::connection& db();
    /// Opens the connection and sets the session (UTC, UTF-8, lock_timeout, read-only) (postgres_store.cpp).
    void connect();
    /// The meters table's id of a serial.
    std::optional<std::int64_t> meter_id(std::string_view serial);

    // ---- the change log (postgres_store.cpp). Records are kept here until the outermost commit, which
    // writes them under a lock of their own held to the end of the commit, so that seq grows in commit order:
    // a reader that continues after the last seq it saw never misses a record another writer committed
    // later with a smaller seq (an identity column alone hands out numbers in insert order).
    // changes() inside a transaction reads its own records too: they are written then without the lock
    // (taking it there, before the transaction's later writes took their meters' locks, deadlocked with a
    // single writer holding a meter's lock and waiting for the change log's at its commit), their seqs kept
    // as provisional; the commit deletes those rows and writes every record of the transaction again under
    // the lock, numbered in commit order.
    std::vector<change> tx_changes;              // the records of the open transaction, in order
    std::size_t flushed_changes = 0;             // how many of them are written provisionally
    std::vector<std::int64_t> provisional_seqs;  // the seqs they were written with
    struct change_mark {
        std::size_t size, flushed;  // tx_changes.size() and flushed_changes when a savepoint was made
    };
    std::vector<change_mark> change_marks;  // one per open savepoint
    /// Inside a transaction: writes the records not yet written, provisionally (no lock).
    void flush_changes_provisionally();
    /// At the outermost commit: checks the deferred constraints (so that no other lock is waited for while
    /// the change log's is held), takes the change log's lock, deletes the provisional rows and writes every
    /// record of the transaction.
    void flush_changes_at_commit();
};

}  // namespace v0
}  // namespace kvant
