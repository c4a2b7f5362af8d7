/// \file
/// `sqlite_store`: the embedded default store, one SQLite database file (WAL journal, foreign keys on).
/// The library creates and versions the schema (`PRAGMA user_version`, `application_id` 'KVNT'); opening a
/// database of a newer schema, or a file that is not a kvant database, fails with storage_schema.
/// `<sqlite3.h>` is not included here: the handle is private.
///
/// Schema version 4 (docs/storage.md describes every table; databases of versions 1 to 3 are migrated on
/// opening for writing, and refused with storage_schema when opened read-only): entities are rows with their
/// key and reference columns (enforced by foreign keys) plus a `doc` column holding the entity as JSON
/// (model/json.hpp), so that entity fields can grow without migrations; readings are compact blocks, one row
/// per series (one meter's one channel) and UTC month, encoded by the block codec (src/store/
/// block_codec.hpp); each series row keeps its last value.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "kvant/core/export.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

/// One finding of sqlite_store::check(): what is wrong and where (table, the row's key, the column).
struct KVANT_API db_issue {
    severity level = severity::error;
    std::string table;   ///< empty for the database as a whole
    std::string key;     ///< the row: its key ("9000106"), or for readings and events meter and time
    std::string column;  ///< empty for the row as a whole
    std::string what;
    /// `error: table readings, meter '9000106' at ts 1597903500, column source: holds 7, outside 0..3 (...)`
    std::string to_string() const;
};

class KVANT_API sqlite_store final : public store {
  public:
    enum class mode : std::uint8_t {
        create,     ///< open, creating the file and schema when absent
        open,       ///< open an existing database for writing
        read_only,  ///< open an existing database for reading only
    };
    /// The schema version this library writes and reads.
    static constexpr int schema_version = 4;

    /// How long a call waits for another connection's write lock before it fails with errc::storage_busy
    /// (retryable). 0 fails at once. Range 0..3,600,000 ms; a value outside is a config_error.
    static constexpr std::chrono::milliseconds default_busy_timeout{5000};
    static constexpr std::chrono::milliseconds max_busy_timeout{3'600'000};

    explicit sqlite_store(const std::filesystem::path& file, mode m = mode::create,
                          std::chrono::milliseconds busy_timeout = default_busy_timeout);
    ~sqlite_store() override;

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

    const std::filesystem::path& file() const noexcept;

    /// Checks the database as a whole, without changing it, and lists what is wrong: `PRAGMA
    /// integrity_check`; the schema (application id, version, every table and column this library uses);
    /// `PRAGMA foreign_key_check`, with each dangling reference named by table, key and column; every entity
    /// document reads back to an entity whose key and references equal the columns it is stored under;
    /// every readings block decodes (a corrupt one is an issue naming meter, channel and month, never a
    /// throw), agrees with its id, count and first and last time, and holds values of at most 12 integer
    /// digits, source codes 0..3 and acceptance times of 1970..2099; every series has a known channel and
    /// the last value of its last block; events and anomalies hold integers where integers belong, within
    /// range, known enum texts, and parseable anomaly documents agreeing with their columns; every text is
    /// valid UTF-8 without control characters. At most `max_per_column` issues are listed per table and
    /// column, followed by one that counts the rest. Reads never fail on invalid text (it reads back with
    /// U+FFFD); a row that cannot be read at all fails its read with errc::storage_corrupt, and this check
    /// lists every such row first. docs/storage.md lists every check.
    std::vector<db_issue> check(std::size_t max_per_column = 20) const;

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

  private:
    // ---- tariffs
    template <class T>
    bool load_tariff(std::string_view key, T& out) const;
    template <class T>
    void list_tariff(std::vector<T>& out) const;
    template <class T>
    bool erase_tariff(std::string_view key);

    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace v0
}  // namespace kvant
