/// \file
/// `postgres_store`: the fleet backend, one PostgreSQL database reached through libpq (PostgreSQL 12 or
/// later; tested with 15). The same store contract as `memory_store` and `sqlite_store` (store.hpp), the same
/// compact (meter, channel, month) blocks, stored in `bytea`. `<libpq-fe.h>` is not included here: the
/// connection is private.
///
/// - Connection: a libpq connection string (`host=… dbname=…`) or URI (`postgresql://user@host:5432/db`).
///   A password given in it is never printed: every message names the database by `where()`, the
///   connection string with the password left out.
/// - Schema: created on mode::create in the connection's database (which must be empty of kvant tables or
///   hold a kvant schema), versioned in `kvant_meta` (`schema_version`, `application` = 'libkvant');
///   a database of a newer schema, or one whose tables are not a kvant schema, fails with storage_schema.
///   docs/storage.md describes every table.
/// - Readings: the table `readings` holds one row per (meter, channel, UTC month) block and is
///   hash-partitioned by meter (`options.partitions` partitions, fixed at creation), so that partitions can
///   live on other servers (distribute(), postgres_fdw) or be distributed by Citus (docs/scale.md). A write
///   merges into the blocks it touches and moves them with `COPY … FROM STDIN (FORMAT binary)`.
/// - Every parameter is bound (prepared statements, never SQL built from data). Transactions nest as
///   savepoints. Writers of the same meters queue on one lock a meter bucket, whatever the table (single
///   calls never fail each other under the default settings); a lock wait longer than `options.lock_timeout`,
///   a serialization failure or a deadlock (two transactions of several calls writing two meters in opposite
///   orders) is errc::storage_busy (retryable: the call, or the caller's transaction, changed nothing).
/// - A statement that fails inside a transaction you opened aborts it on the server, a read included (as in
///   any PostgreSQL session; SQLite's transaction would go on): every later call in it fails and commit()
///   refuses; roll it back (the guard does) and run it again. A failed write call is rolled back to its
///   own savepoint and leaves the transaction usable.
/// - A lost connection (a server restarted under a long read) is errc::storage_io with a clear message; the
///   next call reconnects (once; a transaction open at the loss is gone and says so).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

/// How a postgres_store connects and behaves. Values out of range are a config_error naming the field.
struct postgres_options {
    /// Hash partitions of the readings table, fixed when the schema is created: 1..1024. More partitions
    /// spread a fleet over more servers; each is a table of its own.
    int partitions = 16;
    /// How long a call waits for a lock held by another connection before errc::storage_busy: 0..3,600,000
    /// ms (0 waits without limit, as PostgreSQL's lock_timeout does).
    std::chrono::milliseconds lock_timeout{60'000};
    /// Seconds to wait for a connection (libpq connect_timeout; 0 waits without limit): 0..3600.
    int connect_timeout_s = 10;
    /// When the readings are distributed (distribute()), whether scan() reads each server's partitions
    /// directly and in parallel (true) or everything through this server's foreign tables (false).
    bool direct_shard_reads = true;
};

/// One server of a distributed layout: the partitions of the readings table it holds.
struct shard_info {
    std::string server;           ///< the foreign server's name on the coordinator ("kvant_shard_1")
    std::string where;            ///< its connection string, password left out
    std::vector<int> partitions;  ///< the hash remainders it holds, ascending
};

class KVANT_API postgres_store final : public store {
  public:
    enum class mode : std::uint8_t {
        create,     ///< open, creating the schema when the database holds none
        open,       ///< open a database holding a kvant schema, for writing
        read_only,  ///< open a database holding a kvant schema, for reading only (a read-only transaction)
    };
    /// The schema version this library writes and reads (PostgreSQL's own numbering, from 1).
    static constexpr int schema_version = 1;

    explicit postgres_store(std::string_view conninfo, mode m = mode::create, const postgres_options& o = {});
    ~postgres_store() override;

    /// Whether `where` names a PostgreSQL database rather than a file: a `postgresql://` or `postgres://`
    /// URI, or a libpq connection string (`key=value` pairs, e.g. `host=/tmp dbname=kvant`).
    static bool is_conninfo(std::string_view where) noexcept;
    /// The connection string without its password (what messages name).
    static std::string redact(std::string_view conninfo);

    /// The database, password left out.
    const std::string& where() const noexcept;
    const postgres_options& options() const noexcept;

    // ---- beyond one machine (docs/scale.md)
    /// Moves partitions of the readings table onto other PostgreSQL servers: partition r goes to
    /// `shards[r % shards.size()]` (each a connection string of an empty database or one holding kvant
    /// partitions already), through postgres_fdw (CREATE EXTENSION on this server; a foreign server and a
    /// user mapping per shard; the partition's rows copied to the shard's table of the same name, then the
    /// local partition replaced by a foreign table). Entities, series and everything else stay here. One
    /// transaction on this server: a failure leaves the layout as it was (tables made on a shard may stay,
    /// empty). Needs the rights to create extensions and foreign servers.
    void distribute(const std::vector<std::string>& shards);
    /// The servers holding partitions (this one first, as "local", with the partitions it keeps), from
    /// PostgreSQL's catalog.
    std::vector<shard_info> layout() const;

    std::unique_ptr<reading_cursor> scan(const series_query& q) const override;
    std::vector<last_value> last_values(std::string_view meter) const override;
    std::size_t reading_count(std::string_view meter = {}) const override;
    std::vector<meter_event> events(std::string_view meter, instant from, instant to) const override;

    write_stats put_anomalies(std::span<const anomaly> found) override;
    std::vector<anomaly> anomalies(std::optional<anomaly_status> status = {}) const override;
    bool resolve_anomaly(std::string_view key, instant at, std::string_view by,
                         std::string_view note = {}) override;

    // ---- queries
    std::vector<change> changes(const change_query& q) const override;
    bool reopen_anomaly(std::string_view key, instant at, std::string_view by,
                        std::string_view note = {}) override;
    std::vector<anomaly_action> anomaly_history(std::string_view key) const override;

    // ---- entry
    std::vector<entry_record> entries(std::string_view meter, instant from, instant to) const override;
    // ---- meter state
    std::vector<relay_change> relay_history(std::string_view meter, instant from, instant to) const override;
    std::vector<relay_change> relay_at(instant at, std::string_view meter = {}) const override;
    std::vector<comm_session> sessions(std::string_view meter, instant from, instant to) const override;
    std::vector<link_summary> link_summaries(std::string_view meter = {}) const override;

    void begin() override;
    void commit() override;
    void rollback() noexcept override;

  protected:
    bool load(std::string_view key, organization& out) const override;
    bool load(std::string_view key, abonent& out) const override;
    bool load(std::string_view key, account& out) const override;
    bool load(std::string_view key, metering_point& out) const override;
    bool load(std::string_view key, meter_model& out) const override;
    bool load(std::string_view key, meter& out) const override;
    void list(std::vector<organization>& out) const override;
    void list(std::vector<abonent>& out) const override;
    void list(std::vector<account>& out) const override;
    void list(std::vector<metering_point>& out) const override;
    void list(std::vector<meter_model>& out) const override;
    void list(std::vector<meter>& out) const override;
    bool has_meter(std::string_view serial) const override;
    // ---- queries
    void list_in(std::string_view org, std::vector<abonent>& out) const override;
    void list_in(std::string_view org, std::vector<account>& out) const override;
    void list_in(std::string_view org, std::vector<metering_point>& out) const override;
    void list_in(std::string_view org, std::vector<meter>& out) const override;
    void erase_entity(entity_kind kind, std::string_view key) override;
    void append_change(const change& c) override;
    using store::list_in;
    void store_entity(const organization& o) override;
    void store_entity(const abonent& a) override;
    void store_entity(const account& a) override;
    void store_entity(const metering_point& p) override;
    void store_entity(const meter_model& m) override;
    void store_entity(const meter& m) override;
    write_stats store_readings(const reading_table& batch, on_conflict policy) override;
    write_stats store_events(std::span<const meter_event> events, on_conflict policy) override;
    // ---- entry
    void store_entry(const entry_record& e) override;
    // ---- meter state
    write_stats store_relay_changes(std::span<const relay_change> changes, on_conflict policy) override;
    write_stats store_sessions(std::span<const comm_session> sessions, on_conflict policy) override;
    // ---- tariffs
    bool load(std::string_view key, tariff_schedule& out) const override;
    bool load(std::string_view key, tariff_assignment& out) const override;
    bool load(std::string_view key, tariff_rate& out) const override;
    bool load(std::string_view key, normative& out) const override;
    void list(std::vector<tariff_schedule>& out) const override;
    void list(std::vector<tariff_assignment>& out) const override;
    void list(std::vector<tariff_rate>& out) const override;
    void list(std::vector<normative>& out) const override;
    void store_entity(const tariff_schedule& s) override;
    void store_entity(const tariff_assignment& a) override;
    void store_entity(const tariff_rate& r) override;
    void store_entity(const normative& n) override;
    bool erase_schedule(std::string_view id) override;
    bool erase_assignment(std::string_view key) override;
    bool erase_rate(std::string_view key) override;
    bool erase_normative(std::string_view key) override;

  public:
    struct impl;  // src/store/postgres_impl.hpp: shared by the backend's source files

  private:
    std::unique_ptr<impl> impl_;
};

}  // namespace v0
}  // namespace kvant
