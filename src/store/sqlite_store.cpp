#include "kvant/store/sqlite_store.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include "block_codec.hpp"
#include "block_merge.hpp"
#include "entity_rows.hpp"
#include "kvant/core/version.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/tariff_json.hpp"
#include "kvant/model/validation.hpp"
#include "records_common.hpp"
#include "sqlite_handle.hpp"

namespace kvant {
inline namespace v0 {

using detail::block_name;
using detail::channel_text;
using detail::check_block_columns;
using detail::check_block_month;
using detail::month_of;
using detail::month_start;
using detail::month_text;
using detail::read_block;
using detail::sqlite::reset_guard;
using detail::sqlite::statement;
using namespace detail::rows;

namespace {

constexpr int application_id = 0x4B564E54;  // 'KVNT'

// The entity and event tables, as schema version 1 made them (its readings table of five register columns
// is gone since version 3). Foreign keys are deferred to commit, so that one transaction may write rows in
// any order; store::put checks references first anyway, with messages that name the entity and field.
constexpr const char* schema_base = R"sql(
CREATE TABLE kvant_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE organizations(
  id TEXT PRIMARY KEY,
  doc TEXT NOT NULL);
CREATE TABLE abonents(
  id TEXT PRIMARY KEY,
  organization TEXT NOT NULL REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED,
  doc TEXT NOT NULL);
CREATE INDEX abonents_by_organization ON abonents(organization);
CREATE TABLE accounts(
  number TEXT PRIMARY KEY,
  abonent TEXT NOT NULL REFERENCES abonents(id) DEFERRABLE INITIALLY DEFERRED,
  doc TEXT NOT NULL);
CREATE INDEX accounts_by_abonent ON accounts(abonent);
CREATE TABLE metering_points(
  code TEXT PRIMARY KEY,
  account TEXT NOT NULL REFERENCES accounts(number) DEFERRABLE INITIALLY DEFERRED,
  doc TEXT NOT NULL);
CREATE INDEX metering_points_by_account ON metering_points(account);
CREATE TABLE meter_models(
  id TEXT PRIMARY KEY,
  doc TEXT NOT NULL);
CREATE TABLE meters(
  id INTEGER PRIMARY KEY,
  serial TEXT NOT NULL UNIQUE,
  model TEXT REFERENCES meter_models(id) DEFERRABLE INITIALLY DEFERRED,
  point TEXT REFERENCES metering_points(code) DEFERRABLE INITIALLY DEFERRED,
  doc TEXT NOT NULL);
CREATE INDEX meters_by_point ON meters(point);
CREATE TABLE meter_events(
  meter INTEGER NOT NULL REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  ts INTEGER NOT NULL,
  code INTEGER NOT NULL,
  kind TEXT NOT NULL,
  journal INTEGER,
  message TEXT NOT NULL,
  PRIMARY KEY(meter, ts, code)) WITHOUT ROWID;
)sql";

// Schema version 2 adds the anomalies; a version 1 database gets this on opening for writing.
constexpr const char* schema_v2_additions = R"sql(
CREATE TABLE anomalies(
  key TEXT PRIMARY KEY,
  meter TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  begins INTEGER NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX anomalies_by_status ON anomalies(status, meter, begins);
)sql";

// ---- entry
// Schema version 4: the manual-entry log (who entered a reading, when, the verdict). One row per entry; the
// meter by serial (a meter removed later keeps its log), the reading time and entry time in Unix seconds,
// the whole record as a JSON document (model/json.hpp, entry_record).
constexpr const char* schema_v4_entry = R"sql(
CREATE TABLE entry_log(
  id INTEGER PRIMARY KEY,
  meter TEXT NOT NULL,
  ts INTEGER NOT NULL,
  entered_at INTEGER NOT NULL,
  entered_by TEXT NOT NULL,
  outcome TEXT NOT NULL,
  doc TEXT NOT NULL);
CREATE INDEX entry_log_by_meter ON entry_log(meter, ts);
)sql";

// Schema version 3 keeps readings as compact blocks: one row per (series, UTC month), a series being one
// meter's one channel. A block's id is series * 4096 + month (months since 1970-01, 0..1559), so that the
// table needs no index besides its rowid and a series' blocks lie together in time order. The series row
// keeps the last value, so that current readings read no block. docs/storage.md describes both.
constexpr const char* schema_v3_additions = R"sql(
CREATE TABLE series(
  id INTEGER PRIMARY KEY,
  meter INTEGER NOT NULL REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  channel INTEGER NOT NULL,
  last_time INTEGER NOT NULL,
  last_value INTEGER NOT NULL,
  UNIQUE(meter, channel));
CREATE TABLE blocks(
  id INTEGER PRIMARY KEY,
  series INTEGER NOT NULL REFERENCES series(id) DEFERRABLE INITIALLY DEFERRED,
  month INTEGER NOT NULL,
  first_time INTEGER NOT NULL,
  last_time INTEGER NOT NULL,
  count INTEGER NOT NULL,
  data BLOB NOT NULL);
)sql";

// ---- meter state
// Schema version 4: relay changes and communication sessions, keyed like meter_events by (meter, time), and
// per meter the start of its last session and of its last successful one, kept on every session write so
// that a fleet's link status reads no history (docs/state.md).
constexpr const char* schema_v4_state = R"sql(
CREATE TABLE relay_changes(
  meter INTEGER NOT NULL REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  ts INTEGER NOT NULL,
  position TEXT NOT NULL,
  reason TEXT NOT NULL,
  by TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY(meter, ts)) WITHOUT ROWID;
CREATE TABLE comm_sessions(
  meter INTEGER NOT NULL REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  start INTEGER NOT NULL,
  ends INTEGER NOT NULL,
  channel TEXT NOT NULL,
  result TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY(meter, start)) WITHOUT ROWID;
CREATE TABLE meter_links(
  meter INTEGER PRIMARY KEY REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  last_start INTEGER NOT NULL,
  last_ok_start INTEGER);
)sql";

// ---- tariffs
// Schema version 4: stored tariff schedules (keyed by id), their assignments to a scope, rates and
// normatives (keyed by model/tariff_book.hpp's key_of(): the key parts joined by U+001F), each a JSON
// document beside its key and reference columns (docs/storage.md). IF NOT EXISTS: a database another
// build of schema 4 made (or a test that ages a database by hand) may hold them already.
constexpr const char* schema_v4_tariffs = R"sql(
CREATE TABLE IF NOT EXISTS tariff_schedules(
  id TEXT PRIMARY KEY,
  doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tariff_assignments(
  key TEXT PRIMARY KEY,
  schedule TEXT NOT NULL REFERENCES tariff_schedules(id) DEFERRABLE INITIALLY DEFERRED,
  doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tariff_rates(
  key TEXT PRIMARY KEY,
  schedule TEXT NOT NULL REFERENCES tariff_schedules(id) DEFERRABLE INITIALLY DEFERRED,
  doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS normatives(
  key TEXT PRIMARY KEY,
  organization TEXT NOT NULL REFERENCES organizations(id) DEFERRABLE INITIALLY DEFERRED,
  doc TEXT NOT NULL);
)sql";

// ---- queries
// Schema version 4, the queries' part: the change log (what changed since an instant, per organisation) and
// the anomalies' resolution history. Entity queries need no table: the organisation cut joins the existing
// reference columns through their indexes (docs/queries.md).
constexpr const char* schema_v4_queries = R"sql(
CREATE TABLE changes(
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  entity TEXT NOT NULL,
  key TEXT NOT NULL,
  op TEXT NOT NULL,
  count INTEGER NOT NULL,
  organization TEXT NOT NULL);
CREATE INDEX changes_by_time ON changes(at, seq);
CREATE INDEX changes_by_organization ON changes(organization, at, seq);
CREATE TABLE anomaly_history(
  seq INTEGER PRIMARY KEY,
  anomaly TEXT NOT NULL,
  action TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  note TEXT NOT NULL);
CREATE INDEX anomaly_history_by_anomaly ON anomaly_history(anomaly, seq);
)sql";

/// The page size of a new database: measured with benchmarks/store_bench (docs/storage.md).
constexpr int new_page_size = 8192;

// ---- months and blocks

constexpr int month_bits = 12;
constexpr std::int64_t months_per_series = std::int64_t{1} << month_bits;

/// What a column holds, for a message: "NULL", "integer 7", "text 'abc'", "real 1.5", "a blob of 3 bytes".
std::string describe(const statement& s, int col) {
    switch (s.type(col)) {
        case SQLITE_NULL:
            return "NULL";
        case SQLITE_INTEGER:
            return "integer " + std::to_string(s.integer(col));
        case SQLITE_FLOAT:
            return "real " + std::to_string(sqlite3_column_double(s.get(), col));
        case SQLITE_TEXT:
            return "text " + quote(s.bytes(col));
        default:
            return "a blob of " + std::to_string(sqlite3_column_bytes(s.get(), col)) + " bytes";
    }
}

// ---- the rules a stored value must meet to be read; reads and check() share them

/// Marks a column that may not be NULL (for decode_reading's fast path).
constexpr std::int64_t no_null = std::numeric_limits<std::int64_t>::max();

/// Why column `col` is not an integer in [lo, hi] (NULL allowed when `nullable`), or nothing when it is.
std::optional<std::string> integer_problem(const statement& s, int col, std::int64_t lo, std::int64_t hi,
                                           bool nullable, const char* meaning) {
    const int t = s.type(col);
    if (t == SQLITE_NULL)
        return nullable ? std::nullopt : std::optional<std::string>("is NULL, not " + std::string(meaning));
    if (t != SQLITE_INTEGER) return "holds " + describe(s, col) + ", not " + meaning;
    return range_problem(s.integer(col), lo, hi, meaning);
}

/// The registers of a readings row of schemas 1 and 2 (read only to migrate it): total, t1..t4.
constexpr std::size_t old_register_count = 5;

/// The columns of a reading row of schemas 1 and 2, from `first`: ts, total, t1, t2, t3, t4, source,
/// accepted.
constexpr std::array<const char*, 8> reading_columns{"ts", "total", "t1",     "t2",
                                                     "t3", "t4",    "source", "accepted"};
std::optional<std::string> reading_problem(const statement& s, int first, int i) {
    switch (i) {
        case 0:
            return integer_problem(s, first, min_unix, max_unix, false,
                                   "Unix seconds of 1970-01-01..2099-12-31");
        case 6:
            return integer_problem(s, first + 6, 0, max_source, false, "a reading source code");
        case 7:
            return integer_problem(s, first + 7, min_unix, max_unix, true,
                                   "Unix seconds of 1970-01-01..2099-12-31");
        default:
            return integer_problem(s, first + i, -max_register_raw, max_register_raw, true,
                                   "a register value in millionths with at most 12 integer digits");
    }
}

/// Decodes a reading row (columns from `first` as above) of meter `serial`, or throws
/// errc::storage_corrupt naming the row and column: a value read as something else would be a silent wrong
/// number.
void decode_reading(const statement& s, int first, std::string_view serial, std::int64_t& ts,
                    std::array<std::int64_t, old_register_count>& v, reading_source& source,
                    std::int64_t& accepted) {
    // the fast path reads each column once; reading_problem() says what is wrong when it fails
    const auto in = [&](int col, std::int64_t lo, std::int64_t hi, std::int64_t if_null, std::int64_t& out) {
        const int t = s.type(col);
        if (t == SQLITE_NULL) return out = if_null, if_null != no_null;
        if (t != SQLITE_INTEGER) return false;
        out = s.integer(col);
        return out >= lo && out <= hi;
    };
    std::int64_t src = 0;
    bool ok = in(first, min_unix, max_unix, no_null, ts);
    for (int r = 0; ok && r < static_cast<int>(old_register_count); ++r)
        ok = in(first + 1 + r, -max_register_raw, max_register_raw, decimal::missing_raw,
                v[static_cast<std::size_t>(r)]);
    ok = ok && in(first + 6, 0, max_source, no_null, src);
    ok = ok && in(first + 7, min_unix, max_unix, reading_table::missing_time, accepted);
    if (ok) {
        source = static_cast<reading_source>(src);
        return;
    }
    for (int i = 0; i < static_cast<int>(reading_columns.size()); ++i)
        if (auto p = reading_problem(s, first, i))
            throw storage_error(errc::storage_corrupt,
                                "stored readings row of meter " + quote(serial) + " at ts " +
                                    (s.type(first) == SQLITE_INTEGER ? std::to_string(s.integer(first))
                                                                     : describe(s, first)) +
                                    ": column '" + reading_columns[static_cast<std::size_t>(i)] + "' " + *p +
                                    "; kvant validate lists every such row");
    throw storage_error(errc::storage_corrupt, "stored readings row of meter " + quote(serial) +
                                                   " cannot be read");  // unreachable: the rules agree
}

/// The columns of an event row, from `first`: ts, code, kind, journal, message (records_common.hpp).
using detail::records::event_columns;
std::optional<std::string> event_problem(const statement& s, int first, int i) {
    if (i == 2 || i == 4)
        return std::nullopt;  // kind and message are text: read tolerantly, checked by check()
    const int col = first + i;
    if (s.type(col) != SQLITE_NULL && s.type(col) != SQLITE_INTEGER)
        return "holds " + describe(s, col) + ", not " +
               (i == 0   ? detail::records::unix_meaning
                : i == 1 ? "an event code"
                         : "a journal number");
    return detail::records::event_value_problem(
        i, s.type(col) == SQLITE_NULL ? std::nullopt : std::optional<std::int64_t>(s.integer(col)));
}

/// Throws errc::storage_corrupt when an event row (columns from `first` as above) cannot be read.
void check_event_row(const statement& s, int first, std::string_view serial) {
    for (int i = 0; i < static_cast<int>(event_columns.size()); ++i)
        if (auto p = event_problem(s, first, i))
            throw detail::records::corrupt_row("meter_events", "of meter " + quote(serial),
                                               event_columns[static_cast<std::size_t>(i)], *p);
}

}  // namespace

struct sqlite_store::impl {
    std::filesystem::path file;
    detail::sqlite::db_ptr db;
    int busy_ms = 0;  // the busy timeout, for messages
    int depth = 0;    // open transaction levels
    std::map<std::string, std::unique_ptr<statement>, std::less<>> statements;
    detail::decoded_block merged;  // write_readings' merged block

    statement& stmt(std::string_view sql) {
        auto it = statements.find(sql);
        if (it == statements.end())
            it = statements.emplace(std::string(sql), std::make_unique<statement>(db.get(), sql, busy_ms))
                     .first;
        return *it->second;
    }

    void exec(const std::string& sql) { detail::sqlite::exec(db.get(), sql.c_str(), busy_ms); }

    std::int64_t pragma_int(const char* sql) {
        auto& s = stmt(sql);
        reset_guard g(s);
        return s.step() ? s.integer(0) : 0;
    }

    std::optional<std::int64_t> meter_id(std::string_view serial) {
        auto& s = stmt("SELECT id FROM meters WHERE serial=?");
        reset_guard g(s);
        s.bind(1, serial);
        if (!s.step()) return std::nullopt;
        return s.integer(0);
    }

    template <class T>
    void upsert(const T& e) {
        static const std::string sql = upsert_sql<T>([](int) { return std::string("?"); });
        auto& s = stmt(sql);
        reset_guard g(s);
        int i = 1;
        s.bind(i++, table<T>::key(e));
        for (const auto& r : table<T>::refs(e)) s.bind_text_or_null(i++, r);
        s.bind(i, to_doc(e));
        s.run();
    }

    template <class T>
    bool load(std::string_view key, T& out) {
        static const std::string sql =
            std::string("SELECT doc FROM ") + table<T>::name + " WHERE " + table<T>::key_column + "=?";
        auto& s = stmt(sql);
        reset_guard g(s);
        s.bind(1, key);
        if (!s.step()) return false;
        out = from_doc<T>(s.text(0), std::string(key));
        return true;
    }

    template <class T>
    void list(std::vector<T>& out) {
        static const std::string sql =
            std::string("SELECT ") + table<T>::key_column + ", doc FROM " + table<T>::name + " ORDER BY 1";
        auto& s = stmt(sql);
        reset_guard g(s);
        while (s.step()) out.push_back(from_doc<T>(s.text(1), s.text(0)));
    }
    // ---- readings (schema 3)

    struct series_row {
        std::int64_t id = 0;
        std::int64_t last_time = 0, last_value = 0;
        bool exists = false;  // stored before this write
        bool dirty = false;   // last value to store
    };

    /// Merges a batch into the blocks it touches (see store_readings).
    write_stats write_readings(const reading_table& batch, on_conflict policy) {
        const std::size_t n = batch.size();
        const auto& mi = batch.meter_index();
        const auto& ci = batch.channel_index();
        const auto& times = batch.times();
        // rows in (meter, channel, time) order, stably (repeats of one key in batch order)
        const std::vector<std::uint32_t> order = detail::batch_order(batch);
        const auto row = [&](std::size_t k) -> std::size_t { return order.empty() ? k : order[k]; };
        std::vector<std::int64_t> meter_ids(batch.meters().size(), -1);

        auto& get_series = stmt("SELECT id,last_time,last_value FROM series WHERE meter=? AND channel=?");
        auto& new_series = stmt("INSERT INTO series(meter,channel,last_time,last_value) VALUES(?,?,?,?)");
        auto& set_last = stmt("UPDATE series SET last_time=?2,last_value=?3 WHERE id=?1");
        auto& get_block = stmt("SELECT data FROM blocks WHERE id=?");
        auto& put_block = stmt(
            "INSERT INTO blocks(id,series,month,first_time,last_time,count,data) "
            "VALUES(?1,?2,?3,?4,?5,?6,?7) "
            "ON CONFLICT(id) DO UPDATE SET first_time=excluded.first_time,last_time=excluded.last_time,"
            "count=excluded.count,data=excluded.data");

        write_stats st;
        detail::conflict_note conflict;  // under fail: the first conflicting row of the batch
        const auto& conflict_row = conflict.row;
        detail::decoded_block stored;
        std::string bytes;
        for (std::size_t k = 0; k < n;) {
            const std::size_t first = row(k);
            const auto m = mi[first];
            const auto c = ci[first];
            std::size_t kend = k + 1;
            while (kend < n && mi[row(kend)] == m && ci[row(kend)] == c) ++kend;
            if (meter_ids[m] < 0) meter_ids[m] = *meter_id(batch.meters()[m]);
            const std::int64_t code = batch.channels()[c].code();
            series_row sr;
            {
                reset_guard g(get_series);
                get_series.bind(1, meter_ids[m]).bind(2, code);
                if (get_series.step()) {
                    sr.id = get_series.integer(0);
                    sr.last_time = get_series.integer(1);
                    sr.last_value = get_series.integer(2);
                    sr.exists = true;
                }
            }
            for (std::size_t b = k; b < kend;) {
                const int month = month_of(times[row(b)]);
                const std::int64_t month_end = month_start(month + 1);
                std::size_t bend = b + 1;
                while (bend < kend && times[row(bend)] < month_end) ++bend;
                const std::string where = [&] { return block_name(batch.meters()[m], code, month); }();
                bool have_stored = false;
                if (sr.exists) {
                    reset_guard g(get_block);
                    get_block.bind(1, sr.id * months_per_series + month);
                    if (get_block.step()) {
                        read_block(get_block.blob(0), where, month, stored);
                        have_stored = true;
                    }
                }
                const auto after = detail::block_after_write(
                    batch, order, b, bend, have_stored ? &stored : nullptr, policy, st, conflict, merged);
                const auto &t = after.time, &v = after.value;
                b = bend;
                if (!after.changed || conflict_row) continue;
                bytes.clear();
                detail::encode_block(t, v, after.source, after.accepted, bytes);
                if (!sr.exists && sr.id == 0) {
                    reset_guard g(new_series);
                    new_series.bind(1, meter_ids[m]).bind(2, code).bind(3, t.back()).bind(4, v.back());
                    new_series.run();
                    sr.id = sqlite3_last_insert_rowid(db.get());
                    sr.last_time = t.back(), sr.last_value = v.back();
                } else if (t.back() >= sr.last_time) {
                    sr.last_time = t.back(), sr.last_value = v.back(), sr.dirty = true;
                }
                reset_guard g(put_block);
                put_block.bind(1, sr.id * months_per_series + month).bind(2, sr.id).bind(3, month);
                put_block.bind(4, t.front()).bind(5, t.back()).bind(6, static_cast<std::int64_t>(t.size()));
                put_block.bind_blob(7, bytes);
                put_block.run();
            }
            if (sr.dirty && !conflict_row) {
                reset_guard g(set_last);
                set_last.bind(1, sr.id).bind(2, sr.last_time).bind(3, sr.last_value);
                set_last.run();
            }
            k = kend;
        }
        if (conflict_row)
            throw reading_conflict(*conflict_row,
                                   store::conflict_message(batch, *conflict_row, conflict.with));
        return st;
    }

    /// Moves the readings of schema 1 or 2 into series and blocks, inside the caller's transaction: a row's
    /// total, t1..t4 become the tariffs of the main quantity of its meter's resource (channel::main), each
    /// with the row's source and acceptance time. A row that cannot be read fails the migration with
    /// errc::storage_corrupt naming it (the database stays as it was).
    void migrate_readings() {
        statement s(db.get(),
                    "SELECT m.serial,m.doc,r.meter,r.ts,r.total,r.t1,r.t2,r.t3,r.t4,r.source,r.accepted FROM "
                    "readings r LEFT JOIN meters m ON m.id=r.meter ORDER BY r.meter,r.ts",
                    busy_ms);
        reading_table t;
        std::int64_t current = -1;
        std::string serial;
        std::array<channel, old_register_count> channels{};
        const auto flush = [&] {
            if (!t.empty()) write_readings(t, on_conflict::fail);
            t.clear();
        };
        while (s.step()) {
            if (s.integer(2) != current) {
                flush();
                current = s.integer(2);
                if (s.is_null(0))
                    throw storage_error(
                        errc::storage_corrupt,
                        "stored readings row of meter id " + std::to_string(current) + " at ts " +
                            describe(s, 3) +
                            ": no meter has that id, so its readings cannot move to schema 3");
                serial = s.text(0);
                const auto mt = from_doc<meter>(s.text(1), serial);
                for (std::size_t r = 0; r < old_register_count; ++r)
                    channels[r] = channel::main(mt.measures, static_cast<register_id>(r));
            }
            std::int64_t ts = 0, accepted = 0;
            std::array<std::int64_t, old_register_count> v{};
            reading_source source{};
            decode_reading(s, 3, serial, ts, v, source, accepted);
            const auto slot = t.meter_slot(serial);
            for (std::size_t r = 0; r < old_register_count; ++r)
                if (v[r] != decimal::missing_raw)
                    t.push(slot, t.channel_slot(channels[r]), ts, v[r], source, accepted);
            if (t.size() >= (std::size_t{1} << 20)) flush();
        }
        flush();
    }
};

sqlite_store::sqlite_store(const std::filesystem::path& file, mode m, std::chrono::milliseconds busy_timeout)
    : impl_(std::make_unique<impl>()) {
    if (busy_timeout.count() < 0 || busy_timeout > max_busy_timeout)
        throw config_error(errc::config, "busy timeout " + std::to_string(busy_timeout.count()) +
                                             " ms is outside 0.." + std::to_string(max_busy_timeout.count()) +
                                             " ms");
    if (file.empty())
        throw config_error(errc::config, "database path is empty (SQLite would open a temporary database)");
    impl_->file = file;
    const bool exists = std::filesystem::exists(file);
    if (!exists && m != mode::create)
        throw storage_error(errc::storage_io, "database " + file.string() + " does not exist");
    int flags = m == mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (m == mode::create) flags |= SQLITE_OPEN_CREATE;
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.string().c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    impl_->db.reset(raw);
    if (rc != SQLITE_OK) {
        const std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
        throw storage_error(errc::storage_io, "cannot open database " + file.string() + ": " + msg);
    }
    sqlite3* db = impl_->db.get();
    sqlite3_extended_result_codes(db, 1);
    impl_->busy_ms = static_cast<int>(busy_timeout.count());
    sqlite3_busy_timeout(db, impl_->busy_ms);
    impl_->exec("PRAGMA foreign_keys=ON");

    std::int64_t version = 0, app = 0;
    try {
        version = impl_->pragma_int("PRAGMA user_version");
        app = impl_->pragma_int("PRAGMA application_id");
    } catch (const storage_error& e) {
        if (e.code() == errc::storage_busy) throw;
        throw storage_error(errc::storage_schema,
                            file.string() + " is not a SQLite database (" + std::string(e.message()) + ")");
    }
    // A header without version and application id is either a new file or one another connection is creating
    // right now (the reads above and a count of tables are not one snapshot): decide under the write lock.
    if (version == 0 && app == 0 && m != mode::read_only) {
        // Two processes may create one new file at once: the write lock decides who creates the schema (the
        // busy timeout applies), and the other finds it made once it has the lock.
        // the page size of a new file (taken only while the file is empty; a no-op otherwise)
        impl_->exec(("PRAGMA page_size=" + std::to_string(new_page_size)).c_str());
        impl_->exec("BEGIN IMMEDIATE");
        try {
            if (impl_->pragma_int("SELECT count(*) FROM sqlite_schema") == 0) {
                impl_->exec(schema_base);
                impl_->exec(schema_v2_additions);
                impl_->exec(schema_v3_additions);
                impl_->exec(schema_v4_state);
                impl_->exec(schema_v4_tariffs);
                impl_->exec(schema_v4_queries);
                impl_->exec(schema_v4_entry);
                impl_->exec(("PRAGMA application_id=" + std::to_string(application_id)).c_str());
                impl_->exec(("PRAGMA user_version=" + std::to_string(schema_version)).c_str());
                auto& s = impl_->stmt("INSERT INTO kvant_meta(key,value) VALUES('created_by', ?)");
                reset_guard g(s);
                s.bind(1, std::string("libkvant ") + version_string()).run();
            }
            impl_->exec("COMMIT");
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
        version = impl_->pragma_int("PRAGMA user_version");
        app = impl_->pragma_int("PRAGMA application_id");
    } else if (version == 0 && app == 0 && impl_->pragma_int("SELECT count(*) FROM sqlite_schema") == 0) {
        throw storage_error(errc::storage_schema, file.string() + " is empty, not a kvant database");
    }
    if (app != application_id) {
        throw storage_error(errc::storage_schema,
                            file.string() + " is a SQLite database but not a kvant one");
    } else if (version > schema_version) {
        throw storage_error(errc::storage_schema, file.string() + " has schema version " +
                                                      std::to_string(version) + "; this libkvant " +
                                                      version_string() + " reads up to " +
                                                      std::to_string(schema_version));
    }
    if (version >= 1 && version < schema_version && app == application_id) {
        // schemas 1 and 2 kept readings as rows of five registers; version 3 moves them into blocks; version
        // 4 adds tables (the change log, the anomaly history, the entry log, ...): on opening for writing, in
        // one transaction (docs/storage.md); a read-only open cannot
        if (m == mode::read_only)
            throw storage_error(errc::storage_schema,
                                file.string() + " has schema version " + std::to_string(version) +
                                    "; open it for writing once to migrate it to version " +
                                    std::to_string(schema_version) + " (the tool: kvant migrate --db FILE)");
        impl_->exec("BEGIN IMMEDIATE");
        try {
            const auto now =
                impl_->pragma_int("PRAGMA user_version");  // another process may have migrated it
            if (now == 1) impl_->exec(schema_v2_additions);
            if (now == 1 || now == 2) {
                impl_->exec(schema_v3_additions);
                impl_->migrate_readings();
                impl_->statements.clear();  // no statement may hold the old table while it is dropped
                impl_->exec("DROP TABLE readings");
            }
            // ---- meter state (3 → 4)
            if (now >= 1 && now <= 3) impl_->exec(schema_v4_state);
            if (now >= 1 && now <= 3) {
                // ---- queries
                impl_->exec(schema_v4_queries);
                // ---- tariffs
                impl_->exec(schema_v4_tariffs);
            }
            // ---- entry (3 → 4)
            if (now >= 1 && now <= 3) impl_->exec(schema_v4_entry);
            if (now >= 1 && now < schema_version) {
                impl_->exec(("PRAGMA user_version=" + std::to_string(schema_version)).c_str());
                auto& s =
                    impl_->stmt("INSERT OR REPLACE INTO kvant_meta(key,value) VALUES('migrated_by', ?)");
                reset_guard g(s);
                s.bind(1, std::string("libkvant ") + version_string() + " from schema " + std::to_string(now))
                    .run();
            }
            impl_->exec("COMMIT");
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
    if (m != mode::read_only) {
        // WAL is a property of the file, set once; SQLite answers busy at once (without the busy handler)
        // while another connection holds a write transaction, so retry until the busy timeout
        const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
        while (true) {
            const int rc_wal = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
            const int primary = rc_wal & 0xFF;
            if (rc_wal == SQLITE_OK) break;
            if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
                std::chrono::steady_clock::now() >= deadline) {
                impl_->exec("PRAGMA journal_mode=WAL");  // throws the mapped error
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        impl_->exec("PRAGMA synchronous=NORMAL");
    }
}

sqlite_store::~sqlite_store() {
    if (impl_ && impl_->depth > 0) sqlite3_exec(impl_->db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    if (impl_) impl_->statements.clear();  // finalize before closing
}

const std::filesystem::path& sqlite_store::file() const noexcept {
    return impl_->file;
}

bool sqlite_store::load(std::string_view k, organization& o) const {
    return impl_->load(k, o);
}
bool sqlite_store::load(std::string_view k, abonent& o) const {
    return impl_->load(k, o);
}
bool sqlite_store::load(std::string_view k, account& o) const {
    return impl_->load(k, o);
}
bool sqlite_store::load(std::string_view k, metering_point& o) const {
    return impl_->load(k, o);
}
bool sqlite_store::load(std::string_view k, meter_model& o) const {
    return impl_->load(k, o);
}
bool sqlite_store::load(std::string_view k, meter& o) const {
    return impl_->load(k, o);
}
void sqlite_store::list(std::vector<organization>& o) const {
    impl_->list(o);
}
void sqlite_store::list(std::vector<abonent>& o) const {
    impl_->list(o);
}
void sqlite_store::list(std::vector<account>& o) const {
    impl_->list(o);
}
void sqlite_store::list(std::vector<metering_point>& o) const {
    impl_->list(o);
}
void sqlite_store::list(std::vector<meter_model>& o) const {
    impl_->list(o);
}
void sqlite_store::list(std::vector<meter>& o) const {
    impl_->list(o);
}
bool sqlite_store::has_meter(std::string_view s) const {
    return impl_->meter_id(s).has_value();
}
void sqlite_store::store_entity(const organization& o) {
    impl_->upsert(o);
}
void sqlite_store::store_entity(const abonent& a) {
    impl_->upsert(a);
}
void sqlite_store::store_entity(const account& a) {
    impl_->upsert(a);
}
void sqlite_store::store_entity(const metering_point& p) {
    impl_->upsert(p);
}
void sqlite_store::store_entity(const meter_model& m) {
    impl_->upsert(m);
}
void sqlite_store::store_entity(const meter& m) {
    impl_->upsert(m);
}

write_stats sqlite_store::store_readings(const reading_table& batch, on_conflict policy) {
    return impl_->write_readings(batch, policy);
}

namespace {
/// Reads blocks in (meter serial, channel, month) order, one statement a requested meter (or one for all),
/// keeping one block in memory.
class sqlite_cursor final : public reading_cursor {
  public:
    sqlite_cursor(sqlite3* db, int busy_ms, series_query q) : q_(std::move(q)) {
        std::sort(q_.meters.begin(), q_.meters.end());
        q_.meters.erase(std::unique(q_.meters.begin(), q_.meters.end()), q_.meters.end());
        std::sort(q_.channels.begin(), q_.channels.end());
        // the months that may hold [from, to): the month key prunes whole blocks, first and last time the
        // edges
        const std::int64_t from = std::max<std::int64_t>(q_.from, min_unix);
        const std::int64_t
            last =  // q.to is excluded; an empty range (to at its least) stays empty, no overflow
            q_.to == std::numeric_limits<std::int64_t>::min() ? min_unix - 1
                                                              : std::min<std::int64_t>(q_.to - 1, max_unix);
        empty_ = q_.to <= q_.from || from > last;
        lo_ = empty_ ? 0 : month_of(from);
        hi_ = empty_ ? 0 : month_of(last);
        const std::string sql =
            "SELECT m.serial,s.channel,b.month,b.data,b.first_time,b.last_time,b.count FROM meters m "
            "JOIN series s ON s.meter=m.id "
            "JOIN blocks b ON b.id BETWEEN s.id*4096+?1 AND s.id*4096+?2 WHERE b.last_time>=?3 AND "
            "b.first_time<?4" +
            std::string(q_.meters.empty() ? "" : " AND m.serial=?5") + " ORDER BY m.serial,s.channel,b.id";
        s_ = std::make_unique<statement>(db, sql, busy_ms);
        empty_ = empty_ || !start();
    }
    bool next(series_chunk& out) override {
        while (!empty_) {
            if (!s_->step()) {
                if (!start()) {
                    empty_ = true;
                    return false;
                }
                continue;
            }
            const std::int64_t code = s_->integer(1);
            const auto ch = code >= 0 && code <= 0xffffffff
                                ? channel::from_code(static_cast<std::uint32_t>(code))
                                : std::nullopt;
            const std::int64_t month = s_->integer(2);
            if (!ch)
                throw storage_error(errc::storage_corrupt,
                                    block_name(s_->bytes(0), code, month) +
                                        ": the series' channel code is not a channel; kvant validate "
                                        "lists every such block");
            if (!q_.channels.empty() && !std::binary_search(q_.channels.begin(), q_.channels.end(), *ch))
                continue;
            const std::string where = block_name(s_->bytes(0), code, month);
            if (!detail::block_chunk(s_->blob(3), where, month, s_->integer(4), s_->integer(5),
                                     s_->integer(6), q_.from, q_.to, q_.provenance, block_, out))
                continue;
            out.meter = s_->text(0);
            out.ch = *ch;
            return true;
        }
        return false;
    }

  private:
    /// Runs the statement for the next requested meter; false when none is left.
    bool start() {
        if (!q_.meters.empty() && m_ >= q_.meters.size()) return false;
        if (q_.meters.empty() && m_ > 0) return false;
        s_->reset();
        s_->bind(1, std::int64_t{lo_}).bind(2, std::int64_t{hi_}).bind(3, q_.from).bind(4, q_.to);
        if (!q_.meters.empty()) s_->bind(5, q_.meters[m_]);
        ++m_;
        return true;
    }
    series_query q_;
    std::unique_ptr<statement> s_;
    bool empty_ = false;
    std::int64_t lo_ = 0, hi_ = 0;
    std::size_t m_ = 0;
    detail::decoded_block block_;
};
}  // namespace

std::unique_ptr<reading_cursor> sqlite_store::scan(const series_query& q) const {
    return std::make_unique<sqlite_cursor>(impl_->db.get(), impl_->busy_ms, q);
}

std::vector<last_value> sqlite_store::last_values(std::string_view meter) const {
    auto& s = impl_->stmt(
        "SELECT s.channel,s.last_time,s.last_value FROM series s JOIN meters m ON m.id=s.meter WHERE "
        "m.serial=? ORDER BY s.channel");
    reset_guard g(s);
    s.bind(1, meter);
    std::vector<last_value> out;
    while (s.step()) {
        const std::int64_t code = s.integer(0);
        const auto ch = code >= 0 && code <= 0xffffffff ? channel::from_code(static_cast<std::uint32_t>(code))
                                                        : std::nullopt;
        if (!ch || s.type(1) != SQLITE_INTEGER || s.type(2) != SQLITE_INTEGER)
            throw storage_error(errc::storage_corrupt,
                                "stored series of meter " + quote(meter) + " channel " + channel_text(code) +
                                    ": channel, last_time or last_value cannot be read; kvant validate "
                                    "lists every such row");
        out.push_back({*ch, s.integer(1), s.integer(2)});
    }
    return out;
}

std::size_t sqlite_store::reading_count(std::string_view meter) const {
    if (meter.empty())
        return static_cast<std::size_t>(impl_->pragma_int("SELECT coalesce(sum(count),0) FROM blocks"));
    auto& s = impl_->stmt(
        "SELECT coalesce(sum(b.count),0) FROM meters m JOIN series s ON s.meter=m.id JOIN blocks b ON b.id "
        "BETWEEN s.id*4096 AND s.id*4096+4095 WHERE m.serial=?");
    reset_guard g(s);
    s.bind(1, meter);
    s.step();
    return static_cast<std::size_t>(s.integer(0));
}

write_stats sqlite_store::store_events(std::span<const meter_event> events, on_conflict policy) {
    auto& ins = impl_->stmt(
        "INSERT INTO meter_events(meter,ts,code,kind,journal,message) VALUES(?,?,?,?,?,?) "
        "ON CONFLICT(meter,ts,code) DO NOTHING");
    auto& get = impl_->stmt(
        "SELECT ts,code,kind,journal,message FROM meter_events WHERE meter=? AND ts=? AND code=?");
    auto& upd = impl_->stmt(
        "UPDATE meter_events SET kind=?4,journal=?5,message=?6 WHERE meter=?1 AND ts=?2 AND code=?3");
    sqlite3* db = impl_->db.get();
    write_stats st;
    std::map<std::string, std::int64_t, std::less<>> ids;
    for (const auto& e : events) {
        auto it = ids.find(e.meter);
        if (it == ids.end()) it = ids.emplace(e.meter, *impl_->meter_id(e.meter)).first;
        auto bind_row = [&](statement& s) {
            s.bind(1, it->second).bind(2, to_unix(e.time)).bind(3, e.code).bind(4, to_string(e.kind));
            if (e.journal)
                s.bind(5, *e.journal);
            else
                s.bind_null(5);
            s.bind(6, e.message);
        };
        {
            reset_guard g(ins);
            bind_row(ins);
            ins.step();
        }
        if (sqlite3_changes(db) == 1) {
            ++st.inserted;
            continue;
        }
        meter_event stored = e;
        {
            reset_guard g(get);
            get.bind(1, it->second).bind(2, to_unix(e.time)).bind(3, e.code);
            get.step();
            check_event_row(get, 0, e.meter);
            stored.kind = event_kind_text.find(get.text(2)).value_or(event_kind::other);
            stored.journal =
                get.is_null(3) ? std::nullopt : std::optional<int>(static_cast<int>(get.integer(3)));
            stored.message = get.text(4);
        }
        if (stored == e) {
            ++st.unchanged;
        } else if (policy == on_conflict::fail) {
            throw storage_error(errc::storage_conflict, detail::records::event_conflict(e));
        } else if (policy == on_conflict::replace) {
            reset_guard g(upd);
            bind_row(upd);
            upd.step();
            ++st.replaced;
        } else {
            ++st.kept;
        }
    }
    return st;
}

std::vector<meter_event> sqlite_store::events(std::string_view meter, instant from, instant to) const {
    auto& s = impl_->stmt(
        "SELECT m.serial,e.ts,e.code,e.kind,e.journal,e.message FROM meter_events e JOIN meters m ON "
        "m.id=e.meter "
        "WHERE (?1='' OR m.serial=?1) AND e.ts>=?2 AND e.ts<?3 ORDER BY m.serial,e.ts,e.code");
    reset_guard g(s);
    s.bind(1, meter).bind(2, to_unix(from)).bind(3, to_unix(to));
    std::vector<meter_event> out;
    while (s.step()) {
        check_event_row(s, 1, s.bytes(0));
        meter_event e;
        e.meter = s.text(0);
        e.time = from_unix(s.integer(1));
        e.code = static_cast<int>(s.integer(2));
        e.kind = event_kind_text.find(s.text(3)).value_or(event_kind::other);
        if (!s.is_null(4)) e.journal = static_cast<int>(s.integer(4));
        e.message = s.text(5);
        out.push_back(std::move(e));
    }
    return out;
}

// ---- meter state

namespace {
/// Throws errc::storage_corrupt naming table, row and column unless column `col` is a time of 1970..2099.
std::int64_t stored_time(const statement& s, int col, const char* table, const std::string& row,
                         const char* column) {
    if (auto p = integer_problem(s, col, min_unix, max_unix, false, detail::records::unix_meaning))
        throw detail::records::corrupt_row(table, row, column, *p);
    return s.integer(col);
}
/// Throws errc::storage_corrupt naming table, row and column unless column `col` holds a name of `table`.
template <class E, std::size_t N>
E stored_enum(const statement& s, int col, const detail::enum_text<E, N>& names, const char* table,
              const std::string& row, const char* column) {
    if (s.type(col) == SQLITE_TEXT)
        if (const auto v = names.find(s.bytes(col))) return *v;
    throw storage_error(errc::storage_corrupt, std::string("stored ") + table + " row " + row + ": column '" +
                                                   column + "' holds " + describe(s, col) + ", not a " +
                                                   std::string(names.type_name) +
                                                   "; kvant validate lists every such row");
}
std::string state_row(std::string_view serial, const statement& s, int ts_col) {
    return "of meter " + quote(serial) + " at ts " +
           (s.type(ts_col) == SQLITE_INTEGER ? std::to_string(s.integer(ts_col)) : describe(s, ts_col));
}
/// A relay change from columns serial, ts, position, reason, by, note.
relay_change read_relay(const statement& s) {
    const std::string serial = s.text(0);
    const std::string row = state_row(serial, s, 1);
    relay_change r;
    r.meter = serial;
    r.time = from_unix(stored_time(s, 1, "relay_changes", row, "ts"));
    r.position = stored_enum(s, 2, relay_position_text, "relay_changes", row, "position");
    r.reason = stored_enum(s, 3, relay_reason_text, "relay_changes", row, "reason");
    r.by = s.text(4);
    r.note = s.text(5);
    return r;
}
/// A session from columns serial (at `serial_col`) and, from `first`, start, ends, channel, result, note.
comm_session read_session(const statement& s, int serial_col, int first) {
    const std::string serial = s.text(serial_col);
    const std::string row = state_row(serial, s, first);
    comm_session c;
    c.meter = serial;
    c.start = from_unix(stored_time(s, first, "comm_sessions", row, "start"));
    c.end = from_unix(stored_time(s, first + 1, "comm_sessions", row, "ends"));
    c.channel = stored_enum(s, first + 2, link_channel_text, "comm_sessions", row, "channel");
    c.result = stored_enum(s, first + 3, session_result_text, "comm_sessions", row, "result");
    c.note = s.text(first + 4);
    return c;
}

using detail::records::state_key;

/// Upserts keyed rows with the events' conflict policy: `bind` binds a row's columns to a statement (1 the
/// meter id, 2 the key time, then the rest), `read` reads the stored row back (columns as `get` selects).
template <class T, class Bind, class Read>
write_stats upsert_state_rows(sqlite3* db, std::span<const T> rows, on_conflict policy, statement& ins,
                              statement& get, statement& upd, Bind bind, Read read, const char* what,
                              const std::function<std::int64_t(const std::string&)>& meter_id) {
    write_stats st;
    std::map<std::string, std::int64_t, std::less<>> ids;
    for (const auto& r : rows) {
        auto it = ids.find(r.meter);
        if (it == ids.end()) it = ids.emplace(r.meter, meter_id(r.meter)).first;
        {
            reset_guard g(ins);
            bind(ins, it->second, r);
            ins.step();
        }
        if (sqlite3_changes(db) == 1) {
            ++st.inserted;
            continue;
        }
        T stored;
        {
            reset_guard g(get);
            get.bind(1, it->second).bind(2, to_unix(state_key(r)));
            get.step();
            stored = read(get);
        }
        if (stored == r) {
            ++st.unchanged;
        } else if (policy == on_conflict::fail) {
            throw storage_error(errc::storage_conflict, detail::records::state_conflict(what, r));
        } else if (policy == on_conflict::replace) {
            reset_guard g(upd);
            bind(upd, it->second, r);
            upd.step();
            ++st.replaced;
        } else {
            ++st.kept;
        }
    }
    return st;
}
}  // namespace

write_stats sqlite_store::store_relay_changes(std::span<const relay_change> changes, on_conflict policy) {
    auto& ins = impl_->stmt(
        "INSERT INTO relay_changes(meter,ts,position,reason,by,note) VALUES(?1,?2,?3,?4,?5,?6) "
        "ON CONFLICT(meter,ts) DO NOTHING");
    auto& get = impl_->stmt(
        "SELECT m.serial,r.ts,r.position,r.reason,r.by,r.note FROM relay_changes r JOIN meters m ON "
        "m.id=r.meter WHERE r.meter=?1 AND r.ts=?2");
    auto& upd =
        impl_->stmt("UPDATE relay_changes SET position=?3,reason=?4,by=?5,note=?6 WHERE meter=?1 AND ts=?2");
    const auto bind = [](statement& s, std::int64_t id, const relay_change& r) {
        s.bind(1, id).bind(2, to_unix(r.time)).bind(3, to_string(r.position)).bind(4, to_string(r.reason));
        s.bind(5, r.by).bind(6, r.note);
    };
    return upsert_state_rows(impl_->db.get(), changes, policy, ins, get, upd, bind, read_relay,
                             "relay change", [this](const std::string& m) { return *impl_->meter_id(m); });
}

write_stats sqlite_store::store_sessions(std::span<const comm_session> sessions, on_conflict policy) {
    auto& ins = impl_->stmt(
        "INSERT INTO comm_sessions(meter,start,ends,channel,result,note) VALUES(?1,?2,?3,?4,?5,?6) "
        "ON CONFLICT(meter,start) DO NOTHING");
    auto& get = impl_->stmt(
        "SELECT m.serial,c.start,c.ends,c.channel,c.result,c.note FROM comm_sessions c JOIN meters m ON "
        "m.id=c.meter WHERE c.meter=?1 AND c.start=?2");
    auto& upd = impl_->stmt(
        "UPDATE comm_sessions SET ends=?3,channel=?4,result=?5,note=?6 WHERE meter=?1 AND start=?2");
    const auto bind = [](statement& s, std::int64_t id, const comm_session& c) {
        s.bind(1, id).bind(2, to_unix(c.start)).bind(3, to_unix(c.end)).bind(4, to_string(c.channel));
        s.bind(5, to_string(c.result)).bind(6, c.note);
    };
    const auto st = upsert_state_rows(
        impl_->db.get(), sessions, policy, ins, get, upd, bind,
        [](const statement& s) { return read_session(s, 0, 1); }, "session",
        [this](const std::string& m) { return *impl_->meter_id(m); });
    // the link summary of each meter written, from its index: the latest start, and the latest start of a
    // session that reached the meter (a replaced session may have changed it either way)
    auto& sum = impl_->stmt(
        "INSERT OR REPLACE INTO meter_links(meter,last_start,last_ok_start) SELECT ?1,"
        "(SELECT max(start) FROM comm_sessions WHERE meter=?1),"
        "(SELECT max(start) FROM comm_sessions WHERE meter=?1 AND result IN ('ok','partial')) "
        "WHERE EXISTS(SELECT 1 FROM comm_sessions WHERE meter=?1)");
    std::set<std::string, std::less<>> done;
    for (const auto& c : sessions)
        if (done.insert(c.meter).second) {
            reset_guard g(sum);
            sum.bind(1, *impl_->meter_id(c.meter));
            sum.run();
        }
    return st;
}

std::vector<relay_change> sqlite_store::relay_history(std::string_view meter, instant from,
                                                      instant to) const {
    auto& s = impl_->stmt(
        "SELECT m.serial,r.ts,r.position,r.reason,r.by,r.note FROM relay_changes r JOIN meters m ON "
        "m.id=r.meter WHERE (?1='' OR m.serial=?1) AND r.ts>=?2 AND r.ts<?3 ORDER BY m.serial,r.ts");
    reset_guard g(s);
    s.bind(1, meter).bind(2, to_unix(from)).bind(3, to_unix(to));
    std::vector<relay_change> out;
    while (s.step()) out.push_back(read_relay(s));
    return out;
}

std::vector<relay_change> sqlite_store::relay_at(instant at, std::string_view meter) const {
    auto& s = impl_->stmt(
        "SELECT m.serial,r.ts,r.position,r.reason,r.by,r.note FROM meters m JOIN relay_changes r ON "
        "r.meter=m.id AND r.ts=(SELECT max(ts) FROM relay_changes WHERE meter=m.id AND ts<=?2) "
        "WHERE (?1='' OR m.serial=?1) ORDER BY m.serial");
    reset_guard g(s);
    s.bind(1, meter).bind(2, to_unix(at));
    std::vector<relay_change> out;
    while (s.step()) out.push_back(read_relay(s));
    return out;
}

std::vector<comm_session> sqlite_store::sessions(std::string_view meter, instant from, instant to) const {
    auto& s = impl_->stmt(
        "SELECT m.serial,c.start,c.ends,c.channel,c.result,c.note FROM comm_sessions c JOIN meters m ON "
        "m.id=c.meter WHERE (?1='' OR m.serial=?1) AND c.start>=?2 AND c.start<?3 ORDER BY m.serial,c.start");
    reset_guard g(s);
    s.bind(1, meter).bind(2, to_unix(from)).bind(3, to_unix(to));
    std::vector<comm_session> out;
    while (s.step()) out.push_back(read_session(s, 0, 1));
    return out;
}

std::vector<link_summary> sqlite_store::link_summaries(std::string_view meter) const {
    auto& s = impl_->stmt(
        "SELECT m.serial,a.start,a.ends,a.channel,a.result,a.note,b.start,b.ends,b.channel,b.result,b.note "
        "FROM meter_links l JOIN meters m ON m.id=l.meter "
        "LEFT JOIN comm_sessions a ON a.meter=l.meter AND a.start=l.last_start "
        "LEFT JOIN comm_sessions b ON b.meter=l.meter AND b.start=l.last_ok_start "
        "WHERE (?1='' OR m.serial=?1) ORDER BY m.serial");
    reset_guard g(s);
    s.bind(1, meter);
    std::vector<link_summary> out;
    while (s.step()) {
        link_summary l;
        l.meter = s.text(0);
        // a summary row pointing at no session (written behind the store) reads as no session
        if (!s.is_null(1)) l.last = read_session(s, 0, 1);
        if (!s.is_null(6)) l.last_ok = read_session(s, 0, 6);
        if (l.last) out.push_back(std::move(l));
    }
    return out;
}

write_stats sqlite_store::put_anomalies(std::span<const anomaly> found) {
    transaction tx(*this);
    auto& get = impl_->stmt("SELECT doc FROM anomalies WHERE key=?");
    auto& put = impl_->stmt(
        "INSERT INTO anomalies(key,meter,type,status,begins,doc) VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(key) "
        "DO UPDATE SET "
        "meter=excluded.meter,type=excluded.type,status=excluded.status,begins=excluded.begins,doc=excluded."
        "doc");
    const instant at = now();
    write_stats st;
    for (const auto& a : found) {
        std::optional<anomaly> stored;
        {
            reset_guard g(get);
            get.bind(1, a.key);
            if (get.step()) stored = from_doc<anomaly>(get.text(0), a.key);
        }
        const bool known = stored.has_value();
        bool same = false;
        const anomaly row = detail::records::merge_detected(a, stored ? &*stored : nullptr, at, same);
        reset_guard g(put);
        put.bind(1, row.key).bind(2, row.meter).bind(3, to_string(row.type)).bind(4, to_string(row.status));
        put.bind(5, to_unix(row.from)).bind(6, to_doc(row));
        put.run();
        if (same) {
            ++st.unchanged;
            continue;
        }
        ++(known ? st.replaced : st.inserted);
        note_change(entity_kind::anomaly, row.key, change_op::detected, 1, organization_of(row));
    }
    tx.commit();
    return st;
}

std::vector<anomaly> sqlite_store::anomalies(std::optional<anomaly_status> status) const {
    auto& s =
        impl_->stmt("SELECT key,doc FROM anomalies WHERE (?1='' OR status=?1) ORDER BY meter,begins,key");
    reset_guard g(s);
    s.bind(1, status ? to_string(*status) : std::string_view{});
    std::vector<anomaly> out;
    while (s.step()) out.push_back(from_doc<anomaly>(s.text(1), s.text(0)));
    return out;
}

namespace {
// ---- queries
/// Sets an anomaly's status (resolved with who and when, or open again) and records the action.
bool act_on_anomaly(sqlite_store& self, detail::sqlite::statement& get, detail::sqlite::statement& upd,
                    detail::sqlite::statement& hist, std::string_view key, anomaly_action_kind action,
                    instant at, std::string_view by, std::string_view note, anomaly& a) {
    {
        reset_guard g(get);
        get.bind(1, key);
        if (!get.step()) return false;
        a = from_doc<anomaly>(get.text(0), std::string(key));
    }
    detail::records::apply_action(a, action, at, by);
    {
        reset_guard g(upd);
        upd.bind(1, key).bind(2, to_string(a.status)).bind(3, to_doc(a));
        upd.run();
    }
    reset_guard g(hist);
    hist.bind(1, key).bind(2, to_string(action)).bind(3, to_unix(at)).bind(4, by).bind(5, note);
    hist.run();
    (void)self;
    return true;
}
}  // namespace

bool sqlite_store::resolve_anomaly(std::string_view key, instant at, std::string_view by,
                                   std::string_view note) {
    transaction tx(*this);
    anomaly a;
    if (!act_on_anomaly(
            *this, impl_->stmt("SELECT doc FROM anomalies WHERE key=?"),
            impl_->stmt("UPDATE anomalies SET status=?2, doc=?3 WHERE key=?1"),
            impl_->stmt("INSERT INTO anomaly_history(anomaly,action,at,actor,note) VALUES(?,?,?,?,?)"), key,
            anomaly_action_kind::resolved, at, by, note, a))
        return false;
    note_change(entity_kind::anomaly, std::string(key), change_op::resolved, 1, organization_of(a));
    tx.commit();
    return true;
}

bool sqlite_store::reopen_anomaly(std::string_view key, instant at, std::string_view by,
                                  std::string_view note) {
    transaction tx(*this);
    anomaly a;
    if (!act_on_anomaly(
            *this, impl_->stmt("SELECT doc FROM anomalies WHERE key=?"),
            impl_->stmt("UPDATE anomalies SET status=?2, doc=?3 WHERE key=?1"),
            impl_->stmt("INSERT INTO anomaly_history(anomaly,action,at,actor,note) VALUES(?,?,?,?,?)"), key,
            anomaly_action_kind::reopened, at, by, note, a))
        return false;
    note_change(entity_kind::anomaly, std::string(key), change_op::reopened, 1, organization_of(a));
    tx.commit();
    return true;
}

std::vector<anomaly_action> sqlite_store::anomaly_history(std::string_view key) const {
    auto& s = impl_->stmt(
        "SELECT seq,anomaly,action,at,actor,note FROM anomaly_history WHERE anomaly=? ORDER BY seq");
    reset_guard g(s);
    s.bind(1, key);
    std::vector<anomaly_action> out;
    while (s.step()) {
        const auto row = "anomaly_history row " + std::to_string(s.integer(0));
        anomaly_action h;
        h.anomaly = s.text(1);
        const auto act = anomaly_action_kind_text.find(s.text(2));
        if (!act)
            throw storage_error(errc::storage_corrupt, "stored " + row + ": column 'action' holds " +
                                                           describe(s, 2) + ", not an anomaly action");
        h.action = *act;
        if (const auto p = integer_problem(s, 3, min_iso_unix, max_iso_unix, false, "a time"))
            throw storage_error(errc::storage_corrupt, "stored " + row + ": column 'at' " + *p);
        h.at = from_unix(s.integer(3));
        h.by = s.text(4);
        h.note = s.text(5);
        out.push_back(std::move(h));
    }
    return out;
}

std::vector<change> sqlite_store::changes(const change_query& q) const {
    auto& s = impl_->stmt(
        "SELECT seq,at,entity,key,op,count,organization FROM changes WHERE seq>?1 AND at>=?2 AND "
        "(?3='' OR organization=?3) ORDER BY seq LIMIT ?4");
    reset_guard g(s);
    s.bind(1, q.after).bind(2, to_unix(q.since)).bind(3, q.organization);
    s.bind(4, static_cast<std::int64_t>(
                  std::min<std::size_t>(q.limit, std::numeric_limits<std::int64_t>::max())));
    std::vector<change> out;
    while (s.step()) {
        const auto row = "changes row " + std::to_string(s.integer(0));
        auto corrupt = [&](const char* col, const std::string& what) {
            return storage_error(errc::storage_corrupt, "stored " + row + ": column '" + col + "' " + what);
        };
        change c;
        c.seq = s.integer(0);
        if (const auto p = integer_problem(s, 1, min_iso_unix, max_iso_unix, false, "a time"))
            throw corrupt("at", *p);
        c.at = from_unix(s.integer(1));
        const auto e = entity_kind_text.find(s.text(2));
        if (!e) throw corrupt("entity", "holds " + describe(s, 2) + ", not an entity kind");
        c.entity = *e;
        c.key = s.text(3);
        const auto op = change_op_text.find(s.text(4));
        if (!op) throw corrupt("op", "holds " + describe(s, 4) + ", not a change operation");
        c.op = *op;
        if (const auto p =
                integer_problem(s, 5, 0, std::numeric_limits<std::int64_t>::max() - 1, false, "a count"))
            throw corrupt("count", *p);
        c.count = static_cast<std::size_t>(s.integer(5));
        c.organization = s.text(6);
        out.push_back(std::move(c));
    }
    return out;
}

void sqlite_store::append_change(const change& c) {
    auto& s = impl_->stmt("INSERT INTO changes(at,entity,key,op,count,organization) VALUES(?,?,?,?,?,?)");
    reset_guard g(s);
    s.bind(1, to_unix(c.at)).bind(2, to_string(c.entity)).bind(3, c.key).bind(4, to_string(c.op));
    s.bind(5, static_cast<std::int64_t>(c.count)).bind(6, c.organization);
    s.run();
}

// The organisation cut: the reference columns' indexes (abonents_by_organization, accounts_by_abonent,
// metering_points_by_account, meters_by_point) carry the joins; an empty organisation lists every row.
namespace {
/// The (key, doc) rows a statement selects for one organisation, read back as entities.
template <class T>
void list_docs(statement& s, std::string_view org, std::vector<T>& out) {
    reset_guard g(s);
    s.bind(1, org);
    while (s.step()) out.push_back(from_doc<T>(s.text(1), s.text(0)));
}
}  // namespace

void sqlite_store::list_in(std::string_view org, std::vector<abonent>& out) const {
    if (org.empty()) return list(out);
    list_docs(impl_->stmt("SELECT id,doc FROM abonents WHERE organization=? ORDER BY id"), org, out);
}
void sqlite_store::list_in(std::string_view org, std::vector<account>& out) const {
    if (org.empty()) return list(out);
    list_docs(impl_->stmt("SELECT a.number,a.doc FROM abonents ab JOIN accounts a ON a.abonent=ab.id WHERE "
                          "ab.organization=? ORDER BY a.number"),
              org, out);
}
void sqlite_store::list_in(std::string_view org, std::vector<metering_point>& out) const {
    if (org.empty()) return list(out);
    list_docs(impl_->stmt("SELECT p.code,p.doc FROM abonents ab JOIN accounts a ON a.abonent=ab.id JOIN "
                          "metering_points p ON p.account=a.number WHERE ab.organization=? ORDER BY p.code"),
              org, out);
}
void sqlite_store::list_in(std::string_view org, std::vector<meter>& out) const {
    if (org.empty()) return list(out);
    list_docs(impl_->stmt("SELECT m.serial,m.doc FROM abonents ab JOIN accounts a ON a.abonent=ab.id JOIN "
                          "metering_points p ON p.account=a.number JOIN meters m ON m.point=p.code WHERE "
                          "ab.organization=? ORDER BY m.serial"),
              org, out);
}

void sqlite_store::erase_entity(entity_kind kind, std::string_view key) {
    auto run = [&](const char* sql) {
        auto& s = impl_->stmt(sql);
        reset_guard g(s);
        s.bind(1, key);
        s.run();
    };
    switch (kind) {
        case entity_kind::organization:
            return run("DELETE FROM organizations WHERE id=?");
        case entity_kind::abonent:
            return run("DELETE FROM abonents WHERE id=?");
        case entity_kind::account:
            return run("DELETE FROM accounts WHERE number=?");
        case entity_kind::metering_point:
            return run("DELETE FROM metering_points WHERE code=?");
        case entity_kind::meter_model:
            return run("DELETE FROM meter_models WHERE id=?");
        case entity_kind::meter:
            run("DELETE FROM blocks WHERE series IN (SELECT s.id FROM series s JOIN meters m ON m.id=s.meter "
                "WHERE m.serial=?)");
            run("DELETE FROM series WHERE meter IN (SELECT id FROM meters WHERE serial=?)");
            run("DELETE FROM meter_events WHERE meter IN (SELECT id FROM meters WHERE serial=?)");
            // ---- meter state
            run("DELETE FROM relay_changes WHERE meter IN (SELECT id FROM meters WHERE serial=?)");
            run("DELETE FROM comm_sessions WHERE meter IN (SELECT id FROM meters WHERE serial=?)");
            run("DELETE FROM meter_links WHERE meter IN (SELECT id FROM meters WHERE serial=?)");
            return run("DELETE FROM meters WHERE serial=?");
        case entity_kind::anomaly:
            return run("DELETE FROM anomalies WHERE key=?");
    }
}

// ---- entry
void sqlite_store::store_entry(const entry_record& e) {
    auto& put = impl_->stmt(
        "INSERT INTO entry_log(meter,ts,entered_at,entered_by,outcome,doc) VALUES(?1,?2,?3,?4,?5,?6)");
    reset_guard g(put);
    put.bind(1, e.entered.meter).bind(2, to_unix(e.entered.time)).bind(3, to_unix(e.entered_at));
    put.bind(4, e.entered_by).bind(5, to_string(e.outcome)).bind(6, to_doc(e));
    put.run();
}

std::vector<entry_record> sqlite_store::entries(std::string_view meter, instant from, instant to) const {
    auto& s = impl_->stmt(
        "SELECT id,doc FROM entry_log WHERE (?1='' OR meter=?1) AND ts>=?2 AND ts<?3 ORDER BY meter,ts,id");
    reset_guard g(s);
    s.bind(1, meter).bind(2, to_unix(from)).bind(3, to_unix(to));
    std::vector<entry_record> out;
    while (s.step()) out.push_back(from_doc<entry_record>(s.text(1), std::to_string(s.integer(0))));
    return out;
}

void sqlite_store::begin() {
    if (impl_->depth == 0)
        impl_->exec("BEGIN IMMEDIATE");
    else
        impl_->exec(("SAVEPOINT kvant_" + std::to_string(impl_->depth)).c_str());
    ++impl_->depth;
}

void sqlite_store::commit() {
    if (impl_->depth == 0) throw storage_error(errc::storage, "commit without a transaction");
    if (impl_->depth == 1) {
        try {
            impl_->exec("COMMIT");
        } catch (const storage_error& e) {
            // a deferred foreign key failed, or the store is busy (a WAL checkpoint, a reader holding the
            // database in rollback mode): the transaction stays open for the guard to roll back; the code
            // stays, so that busy remains retryable
            throw storage_error(e.code(), "commit refused: " + std::string(e.message()));
        }
    } else {
        impl_->exec(("RELEASE kvant_" + std::to_string(impl_->depth - 1)).c_str());
    }
    --impl_->depth;
}

void sqlite_store::rollback() noexcept {
    if (impl_->depth == 0) return;
    --impl_->depth;
    sqlite3* db = impl_->db.get();
    if (impl_->depth == 0) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    } else {
        const std::string sp = "kvant_" + std::to_string(impl_->depth);
        sqlite3_exec(db, ("ROLLBACK TO " + sp + "; RELEASE " + sp).c_str(), nullptr, nullptr, nullptr);
    }
}

// ---- check(): the database as a whole

std::string db_issue::to_string() const {
    std::string s = std::string(kvant::to_string(level)) + ":";
    std::string where;
    if (!table.empty()) where += "table " + table;
    if (!key.empty()) where += (where.empty() ? "" : ", ") + key;
    if (!column.empty()) where += (where.empty() ? "" : ", ") + std::string("column ") + column;
    return s + (where.empty() ? " " : " " + where + ": ") + what;
}

namespace {

/// The tables and columns schema version 4 has; check() reports any that is missing.
const std::vector<std::pair<const char*, std::vector<const char*>>> schema_columns{
    {"kvant_meta", {"key", "value"}},
    {"organizations", {"id", "doc"}},
    {"abonents", {"id", "organization", "doc"}},
    {"accounts", {"number", "abonent", "doc"}},
    {"metering_points", {"code", "account", "doc"}},
    {"meter_models", {"id", "doc"}},
    {"meters", {"id", "serial", "model", "point", "doc"}},
    {"series", {"id", "meter", "channel", "last_time", "last_value"}},
    {"blocks", {"id", "series", "month", "first_time", "last_time", "count", "data"}},
    {"meter_events", {"meter", "ts", "code", "kind", "journal", "message"}},
    {"anomalies", {"key", "meter", "type", "status", "begins", "doc"}},
    // ---- meter state
    {"relay_changes", {"meter", "ts", "position", "reason", "by", "note"}},
    {"comm_sessions", {"meter", "start", "ends", "channel", "result", "note"}},
    {"meter_links", {"meter", "last_start", "last_ok_start"}},
    // ---- tariffs
    {"tariff_schedules", {"id", "doc"}},
    {"tariff_assignments", {"key", "schedule", "doc"}},
    {"tariff_rates", {"key", "schedule", "doc"}},
    {"normatives", {"key", "organization", "doc"}},
    // ---- queries
    {"changes", {"seq", "at", "entity", "key", "op", "count", "organization"}},
    {"anomaly_history", {"seq", "anomaly", "action", "at", "actor", "note"}},
    {"entry_log", {"id", "meter", "ts", "entered_at", "entered_by", "outcome", "doc"}},
};

/// Every foreign key of the schema: table, key expression naming the row, column, parent table and key.
struct reference {
    const char* table;
    const char* row;  // SQL naming the row in messages
    const char* column;
    const char* parent;
    const char* parent_key;
};
const std::array<reference, 14> references{{
    {"abonents", "id", "organization", "organizations", "id"},
    {"accounts", "number", "abonent", "abonents", "id"},
    {"metering_points", "code", "account", "accounts", "number"},
    {"meters", "serial", "model", "meter_models", "id"},
    {"meters", "serial", "point", "metering_points", "code"},
    {"series", "'meter id ' || meter || ' channel ' || channel", "meter", "meters", "id"},
    {"blocks", "'block ' || id || ' (series ' || series || ', month ' || month || ')'", "series", "series",
     "id"},
    {"meter_events", "'meter id ' || meter || ' at ts ' || ts || ', code ' || code", "meter", "meters", "id"},
    // ---- meter state
    {"relay_changes", "'meter id ' || meter || ' at ts ' || ts", "meter", "meters", "id"},
    {"comm_sessions", "'meter id ' || meter || ' at start ' || start", "meter", "meters", "id"},
    {"meter_links", "'meter id ' || meter", "meter", "meters", "id"},
    // ---- tariffs
    {"tariff_assignments", "key", "schedule", "tariff_schedules", "id"},
    {"tariff_rates", "key", "schedule", "tariff_schedules", "id"},
    {"normatives", "key", "organization", "organizations", "id"},
}};

/// The key of a readings or meter_events row for a message, from columns 0 (the meter's serial, NULL when the
/// meter row is gone), 1 (its id) and 2 (ts): "meter '9000106' at ts 1597903500", or "meter id 99 at ts …".
std::string series_row_key(const statement& s) {
    return "meter " + (s.is_null(0) ? "id " + std::to_string(s.integer(1)) : quote(s.bytes(0))) + " at ts " +
           (s.type(2) == SQLITE_INTEGER ? std::to_string(s.integer(2)) : describe(s, 2));
}

/// Why a stored text is not valid text (core/text.hpp), or nothing when it is.
std::optional<std::string> stored_text_problem(std::string_view raw, std::size_t max_bytes = max_text_bytes) {
    const auto bad = check_text(raw, max_bytes);
    if (!bad) return std::nullopt;
    return bad->reason + " at byte " + std::to_string(bad->offset) + " in " + quote(raw) +
           " (reads back repaired: U+FFFD for invalid bytes, cut past " + std::to_string(max_text_bytes) +
           " bytes; a new import refuses such text)";
}

class checker {
  public:
    explicit checker(std::size_t cap) : cap_(cap) {}
    void add(std::string table, std::string key, std::string column, std::string what,
             severity level = severity::error) {
        auto& n = counts_[table + "\n" + column];
        if (++n > cap_) return;
        out_.push_back({level, std::move(table), std::move(key), std::move(column), std::move(what)});
    }
    std::vector<db_issue> finish() {
        for (const auto& [tc, n] : counts_) {
            if (n <= cap_) continue;
            const auto nl = tc.find('\n');
            out_.push_back({severity::error, tc.substr(0, nl), "", tc.substr(nl + 1),
                            std::to_string(n - cap_) + " more issues like the ones above, not listed"});
        }
        return std::move(out_);
    }

  private:
    std::size_t cap_;
    std::map<std::string, std::size_t> counts_;
    std::vector<db_issue> out_;
};

}  // namespace

std::vector<db_issue> sqlite_store::check(std::size_t max_per_column) const {
    checker c(max_per_column);
    auto& db = *impl_;
    const auto key_of = [](std::string_view raw) { return quote(raw); };

    // a section that fails (a page SQLite cannot read) is an issue; the next section still runs
    std::set<std::string, std::less<>> present;  // the tables with every column
    const auto has = [&](const char* t) { return present.count(t) > 0; };
    const auto guard = [&](auto&& section) {
        try {
            section();
        } catch (const storage_error& e) {
            c.add("", "", "", "cannot be checked further here: " + std::string(e.message()));
        }
    };

    // 1. the file: SQLite's own check of pages, indexes and constraints
    guard([&] {
        statement s(db.db.get(), "PRAGMA integrity_check(100)", db.busy_ms);
        while (s.step()) {
            const std::string msg = s.text(0);
            if (msg != "ok") c.add("", "", "", "integrity_check: " + msg);
        }
    });
    // 2. the schema
    guard([&] {
        if (db.pragma_int("PRAGMA application_id") != application_id)
            c.add("", "", "", "application_id is not 'KVNT'");
        if (const auto v = db.pragma_int("PRAGMA user_version"); v != schema_version)
            c.add("", "", "",
                  "schema version " + std::to_string(v) + ", expected " + std::to_string(schema_version));

        for (const auto& [name, columns] : schema_columns) {
            std::set<std::string, std::less<>> have;
            statement s(db.db.get(), "SELECT name FROM pragma_table_info(?)", db.busy_ms);
            s.bind(1, std::string_view(name));
            while (s.step()) have.insert(s.text(0));
            if (have.empty()) {
                c.add(name, "", "", "table is missing");
                continue;
            }
            bool whole = true;
            for (const char* col : columns)
                if (!have.count(col)) {
                    c.add(name, "", col, "column is missing");
                    whole = false;
                }
            if (whole) present.insert(name);
        }
    });
    // 3. foreign keys: SQLite's check, then each dangling reference named
    guard([&] {
        std::size_t dangling = 0;
        for (const auto& r : references) {
            if (!has(r.table) || !has(r.parent)) continue;
            statement s(db.db.get(),
                        std::string("SELECT ") + r.row + ", " + r.column + " FROM " + r.table + " WHERE " +
                            r.column + " IS NOT NULL AND " + r.column + " NOT IN (SELECT " + r.parent_key +
                            " FROM " + r.parent + ")",
                        db.busy_ms);
            while (s.step()) {
                ++dangling;
                // entity rows are named by their key, quoted; reading and event rows by meter id and time
                const bool entity = std::string_view(r.row).find('\'') == std::string_view::npos;
                c.add(r.table, entity ? key_of(s.bytes(0)) : s.text(0), r.column,
                      "refers to " + std::string(r.parent) + " " + quote(s.bytes(1)) +
                          ", which does not exist");
            }
        }
        {
            statement s(db.db.get(), "PRAGMA foreign_key_check", db.busy_ms);
            std::size_t n = 0;
            while (s.step()) ++n;
            if (n > dangling)
                c.add("", "", "",
                      "PRAGMA foreign_key_check finds " + std::to_string(n - dangling) +
                          " more dangling references than the checks above name");
        }
    });
    // 4. entity documents read back to the entity stored under their key, with the same references
    guard([&] {
        const auto entities = [&]<class T>(T*) {
            using t = table<T>;
            if (!has(t::name)) return;
            std::string sql = std::string("SELECT ") + t::key_column;
            for (const char* col : t::ref_columns) sql += std::string(",") + col;
            sql += std::string(",doc FROM ") + t::name + " ORDER BY 1";
            statement s(db.db.get(), sql, db.busy_ms);
            const int doc_col = 1 + static_cast<int>(t::ref_columns.size());
            while (s.step()) {
                const std::string key = key_of(s.bytes(0));
                if (auto p = stored_text_problem(s.bytes(0))) c.add(t::name, key, t::key_column, *p);
                for (int i = 0; i < static_cast<int>(t::ref_columns.size()); ++i)
                    if (auto p = stored_text_problem(s.bytes(1 + i)))
                        c.add(t::name, key, t::ref_columns[static_cast<std::size_t>(i)], *p);
                if (auto p = stored_text_problem(s.bytes(doc_col), std::numeric_limits<std::size_t>::max()))
                    c.add(t::name, key, "doc", *p);
                T e;
                if (auto p = read_doc(s.text(doc_col), e)) {
                    c.add(t::name, key, "doc", *p);
                    continue;
                }
                if (t::key(e) != s.text(0))
                    c.add(t::name, key, "doc",
                          "the document is of " + quote(t::key(e)) + ", not of the key it is stored under");
                const auto refs = t::refs(e);
                for (std::size_t i = 0; i < refs.size(); ++i)
                    if (refs[i] != s.text(1 + static_cast<int>(i)))
                        c.add(t::name, key, t::ref_columns[i],
                              "holds " + quote(s.bytes(1 + static_cast<int>(i))) + " but the document says " +
                                  quote(refs[i]));
            }
        };
        entities(static_cast<organization*>(nullptr));
        entities(static_cast<abonent*>(nullptr));
        entities(static_cast<account*>(nullptr));
        entities(static_cast<metering_point*>(nullptr));
        entities(static_cast<meter_model*>(nullptr));
        entities(static_cast<meter*>(nullptr));
    });
    // ---- tariffs: each row reads back (document, key, values) as a read would, its reference column agrees
    guard([&] {
        const auto tariffs = [&]<class T>(T*) {
            using t = table<T>;
            if (!has(t::name)) return;
            std::string sql = std::string("SELECT ") + t::key_column;
            for (const char* col : t::ref_columns) sql += std::string(",") + col;
            sql += std::string(",doc FROM ") + t::name + " ORDER BY 1";
            statement s(db.db.get(), sql, db.busy_ms);
            const int doc_col = 1 + static_cast<int>(t::ref_columns.size());
            while (s.step()) {
                const std::string raw_key(s.bytes(0));
                const std::string key = quote(shown_key(raw_key));
                T e;
                try {
                    e = tariff_row<T>(s.text(doc_col), raw_key);
                } catch (const storage_error& err) {
                    c.add(t::name, key, "doc", std::string(err.message()));
                    continue;
                }
                const auto refs = t::refs(e);
                for (std::size_t i = 0; i < refs.size(); ++i)
                    if (refs[i] != s.text(1 + static_cast<int>(i)))
                        c.add(t::name, key, t::ref_columns[i],
                              "holds " + quote(s.bytes(1 + static_cast<int>(i))) + " but the document says " +
                                  quote(refs[i]));
            }
        };
        tariffs(static_cast<tariff_schedule*>(nullptr));
        tariffs(static_cast<tariff_assignment*>(nullptr));
        tariffs(static_cast<tariff_rate*>(nullptr));
        tariffs(static_cast<normative*>(nullptr));
    });
    // 5. readings: every block decodes, agrees with its key and columns, holds values in range; every
    // series has a known channel and the last value of its last block
    guard([&] {
        if (!has("blocks") || !has("series")) return;
        statement s(db.db.get(),
                    "SELECT m.serial,s.channel,b.id,b.series,b.month,b.first_time,b.last_time,b.count,b.data,"
                    "s.last_time,s.last_value,(SELECT max(x.id) FROM blocks x WHERE x.id BETWEEN "
                    "b.series*4096 AND b.series*4096+4095) FROM blocks b LEFT JOIN series s ON s.id=b.series "
                    "LEFT JOIN meters m ON m.id=s.meter ORDER BY b.id",
                    db.busy_ms);
        detail::decoded_block block;
        while (s.step()) {
            const std::int64_t code = s.integer(1), month = s.integer(4);
            const std::string key = "meter " + (s.is_null(0) ? std::string("(none)") : quote(s.bytes(0))) +
                                    " channel " + channel_text(code) + " month " + month_text(month);
            const std::string where = block_name(s.bytes(0), code, month);
            if (s.integer(2) != s.integer(3) * months_per_series + month || month < 0 ||
                month >= detail::block_month_count)
                c.add("blocks", key, "id",
                      "block id " + std::to_string(s.integer(2)) + " is not series * 4096 + month");
            if (s.type(8) != SQLITE_BLOB) {
                c.add("blocks", key, "data", "holds " + describe(s, 8) + ", not a block");
                continue;
            }
            try {
                read_block(s.blob(8), where, month, block);
            } catch (const storage_error& e) {
                c.add("blocks", key, "data", std::string(e.message()));
                continue;
            }
            const auto n = static_cast<std::int64_t>(block.time.size());
            if (s.integer(7) != n)
                c.add("blocks", key, "count",
                      "holds " + describe(s, 7) + " but the block has " + std::to_string(n) + " values");
            if (s.type(5) != SQLITE_INTEGER || s.integer(5) != block.time.front())
                c.add("blocks", key, "first_time",
                      "holds " + describe(s, 5) + " but the block begins at " +
                          std::to_string(block.time.front()));
            if (s.type(6) != SQLITE_INTEGER || s.integer(6) != block.time.back())
                c.add("blocks", key, "last_time",
                      "holds " + describe(s, 6) + " but the block ends at " +
                          std::to_string(block.time.back()));
            for (std::size_t i = 0; i < block.value.size(); ++i)
                if (block.value[i] < -max_register_raw || block.value[i] > max_register_raw) {
                    c.add("blocks", key, "data",
                          "value " + std::to_string(i) + " is " + std::to_string(block.value[i]) +
                              " millionths, more than 12 integer digits");
                    break;
                }
            for (std::size_t i = 0; i < block.accepted.size(); ++i)
                if (block.accepted[i] != reading_table::missing_time &&
                    (block.accepted[i] < min_unix || block.accepted[i] > max_unix)) {
                    c.add("blocks", key, "data",
                          "acceptance time " + std::to_string(i) + " is " +
                              std::to_string(block.accepted[i]) + ", outside 1970-01-01..2099-12-31");
                    break;
                }
            if (s.integer(2) == s.integer(11) && !s.is_null(9) &&
                (s.integer(9) != block.time.back() || s.integer(10) != block.value.back()))
                c.add("series", key, "last_value",
                      "holds " + std::to_string(s.integer(10)) + " at " + std::to_string(s.integer(9)) +
                          " but the series' last block ends with " + std::to_string(block.value.back()) +
                          " at " + std::to_string(block.time.back()));
        }
        statement q(
            db.db.get(),
            "SELECT m.serial,s.meter,s.channel FROM series s LEFT JOIN meters m ON m.id=s.meter WHERE NOT "
            "EXISTS (SELECT 1 FROM blocks b WHERE b.id BETWEEN s.id*4096 AND s.id*4096+4095) OR "
            "typeof(s.channel)<>'integer' OR s.channel<0 OR s.channel>4294967295 ORDER BY s.id",
            db.busy_ms);
        while (q.step())
            c.add("series",
                  "meter " + (q.is_null(0) ? "id " + std::to_string(q.integer(1)) : quote(q.bytes(0))) +
                      " channel " + channel_text(q.integer(2)),
                  "", "a series without blocks or without a channel code");
        statement u(db.db.get(),
                    "SELECT m.serial,s.channel FROM series s JOIN meters m ON m.id=s.meter ORDER BY s.id",
                    db.busy_ms);
        while (u.step())
            if (u.integer(1) < 0 || u.integer(1) > 0xffffffff ||
                !channel::from_code(static_cast<std::uint32_t>(u.integer(1))))
                c.add("series", "meter " + quote(u.bytes(0)) + " channel " + channel_text(u.integer(1)),
                      "channel", "holds " + std::to_string(u.integer(1)) + ", not a channel code");
    });
    // 6. events: integers in range, a known kind, valid text
    guard([&] {
        if (has("meter_events")) {
            statement s(db.db.get(),
                        "SELECT m.serial,e.meter,e.ts,e.code,e.kind,e.journal,e.message FROM meter_events e "
                        "LEFT JOIN meters m ON m.id=e.meter ORDER BY e.meter,e.ts,e.code",
                        db.busy_ms);
            while (s.step()) {
                const auto key = [&] {
                    return series_row_key(s) + ", code " +
                           (s.type(3) == SQLITE_INTEGER ? std::to_string(s.integer(3)) : describe(s, 3));
                };
                for (int i = 0; i < static_cast<int>(event_columns.size()); ++i)
                    if (auto p = event_problem(s, 2, i))
                        c.add("meter_events", key(), event_columns[static_cast<std::size_t>(i)], *p);
                if (s.type(4) != SQLITE_TEXT || !event_kind_text.find(s.bytes(4)))
                    c.add("meter_events", key(), "kind",
                          "holds " + describe(s, 4) + ", not an event kind (reads as 'other')");
                if (s.type(6) != SQLITE_TEXT)
                    c.add("meter_events", key(), "message", "holds " + describe(s, 6) + ", not text");
                else if (auto p = stored_text_problem(s.bytes(6)))
                    c.add("meter_events", key(), "message", *p);
            }
        }
    });
    // 7. anomalies: columns of known values, a document that reads back and agrees with them
    guard([&] {
        if (has("anomalies")) {
            statement s(db.db.get(), "SELECT key,meter,type,status,begins,doc FROM anomalies ORDER BY key",
                        db.busy_ms);
            constexpr std::array<const char*, 6> cols{"key", "meter", "type", "status", "begins", "doc"};
            while (s.step()) {
                const std::string key = key_of(s.bytes(0));
                for (int i : {0, 1, 2, 3, 5})
                    if (auto p = stored_text_problem(s.bytes(i)))
                        c.add("anomalies", key, cols[static_cast<std::size_t>(i)], *p);
                if (!anomaly_type_text.find(s.bytes(2)))
                    c.add("anomalies", key, "type", "holds " + describe(s, 2) + ", not an anomaly type");
                if (!anomaly_status_text.find(s.bytes(3)))
                    c.add("anomalies", key, "status", "holds " + describe(s, 3) + ", not an anomaly status");
                if (auto p = integer_problem(s, 4, min_iso_unix, max_iso_unix, false,
                                             "Unix seconds of years 1..9999"))
                    c.add("anomalies", key, "begins", *p);
                anomaly a;
                if (auto p = read_doc(s.text(5), a)) {
                    c.add("anomalies", key, "doc", *p);
                    continue;
                }
                const auto differs = [&](const char* col, const std::string& doc_value, int i) {
                    if (doc_value != s.text(i))
                        c.add("anomalies", key, col,
                              "holds " + quote(s.bytes(i)) + " but the document says " + quote(doc_value));
                };
                differs("key", a.key, 0);
                differs("meter", a.meter, 1);
                differs("type", std::string(to_string(a.type)), 2);
                differs("status", std::string(to_string(a.status)), 3);
                if (s.type(4) == SQLITE_INTEGER && s.integer(4) != to_unix(a.from))
                    c.add("anomalies", key, "begins",
                          "holds " + std::to_string(s.integer(4)) + " but the document begins at " +
                              std::to_string(to_unix(a.from)));
            }
        }
    });
    // ---- meter state: relay changes and sessions, times in range, known names, valid text; link summaries
    // pointing at stored sessions
    guard([&] {
        if (has("relay_changes")) {
            statement s(db.db.get(),
                        "SELECT m.serial,r.meter,r.ts,r.position,r.reason,r.by,r.note FROM relay_changes r "
                        "LEFT JOIN meters m ON m.id=r.meter ORDER BY r.meter,r.ts",
                        db.busy_ms);
            while (s.step()) {
                const std::string key = series_row_key(s);
                if (auto p = integer_problem(s, 2, min_unix, max_unix, false,
                                             "Unix seconds of 1970-01-01..2099-12-31"))
                    c.add("relay_changes", key, "ts", *p);
                if (s.type(3) != SQLITE_TEXT || !relay_position_text.find(s.bytes(3)))
                    c.add("relay_changes", key, "position",
                          "holds " + describe(s, 3) + ", not a relay position");
                if (s.type(4) != SQLITE_TEXT || !relay_reason_text.find(s.bytes(4)))
                    c.add("relay_changes", key, "reason", "holds " + describe(s, 4) + ", not a relay reason");
                for (int i : {5, 6})
                    if (auto p = stored_text_problem(s.bytes(i)))
                        c.add("relay_changes", key, i == 5 ? "by" : "note", *p);
            }
        }
    });
    guard([&] {
        if (has("comm_sessions")) {
            statement s(
                db.db.get(),
                "SELECT m.serial,c.meter,c.start,c.ends,c.channel,c.result,c.note FROM comm_sessions c "
                "LEFT JOIN meters m ON m.id=c.meter ORDER BY c.meter,c.start",
                db.busy_ms);
            while (s.step()) {
                const std::string key = series_row_key(s);
                const char* range = "Unix seconds of 1970-01-01..2099-12-31";
                if (auto p = integer_problem(s, 2, min_unix, max_unix, false, range))
                    c.add("comm_sessions", key, "start", *p);
                if (auto p = integer_problem(s, 3, min_unix, max_unix, false, range))
                    c.add("comm_sessions", key, "ends", *p);
                else if (s.type(2) == SQLITE_INTEGER && s.integer(3) < s.integer(2))
                    c.add("comm_sessions", key, "ends",
                          "holds " + std::to_string(s.integer(3)) + ", before the start");
                if (s.type(4) != SQLITE_TEXT || !link_channel_text.find(s.bytes(4)))
                    c.add("comm_sessions", key, "channel",
                          "holds " + describe(s, 4) + ", not a link channel");
                if (s.type(5) != SQLITE_TEXT || !session_result_text.find(s.bytes(5)))
                    c.add("comm_sessions", key, "result",
                          "holds " + describe(s, 5) + ", not a session result");
                if (auto p = stored_text_problem(s.bytes(6))) c.add("comm_sessions", key, "note", *p);
            }
        }
        if (has("meter_links")) {
            // each summary names the meter's latest session and its latest successful one
            statement s(
                db.db.get(),
                "SELECT l.meter,l.last_start,l.last_ok_start,"
                "(SELECT max(start) FROM comm_sessions WHERE meter=l.meter),"
                "(SELECT max(start) FROM comm_sessions WHERE meter=l.meter AND result IN ('ok','partial')) "
                "FROM meter_links l ORDER BY l.meter",
                db.busy_ms);
            while (s.step()) {
                const std::string key = "meter id " + std::to_string(s.integer(0));
                if (s.type(1) != SQLITE_INTEGER || s.is_null(3) || s.integer(1) != s.integer(3))
                    c.add("meter_links", key, "last_start",
                          "holds " + describe(s, 1) + " but the meter's last session starts at " +
                              describe(s, 3));
                if (s.type(2) != s.type(4) || (!s.is_null(2) && s.integer(2) != s.integer(4)))
                    c.add("meter_links", key, "last_ok_start",
                          "holds " + describe(s, 2) + " but the meter's last successful session starts at " +
                              describe(s, 4));
            }
        }
    });
    return c.finish();
}

template <class T>
bool sqlite_store::load_tariff(std::string_view key, T& out) const {
    static const std::string sql =
        std::string("SELECT doc FROM ") + table<T>::name + " WHERE " + table<T>::key_column + "=?";
    auto& s = impl_->stmt(sql);
    reset_guard g(s);
    s.bind(1, key);
    if (!s.step()) return false;
    out = tariff_row<T>(s.text(0), std::string(key));
    return true;
}
template <class T>
void sqlite_store::list_tariff(std::vector<T>& out) const {
    static const std::string sql =
        std::string("SELECT ") + table<T>::key_column + ", doc FROM " + table<T>::name + " ORDER BY 1";
    auto& s = impl_->stmt(sql);
    reset_guard g(s);
    // the key as stored, byte for byte: text() would repair its U+001F separators
    while (s.step()) out.push_back(tariff_row<T>(s.text(1), std::string(s.bytes(0))));
}
template <class T>
bool sqlite_store::erase_tariff(std::string_view key) {
    static const std::string sql =
        std::string("DELETE FROM ") + table<T>::name + " WHERE " + table<T>::key_column + "=?";
    auto& s = impl_->stmt(sql);
    reset_guard g(s);
    s.bind(1, key);
    s.run();
    return sqlite3_changes(impl_->db.get()) > 0;
}

bool sqlite_store::load(std::string_view k, tariff_schedule& o) const {
    return load_tariff(k, o);
}
bool sqlite_store::load(std::string_view k, tariff_assignment& o) const {
    return load_tariff(k, o);
}
bool sqlite_store::load(std::string_view k, tariff_rate& o) const {
    return load_tariff(k, o);
}
bool sqlite_store::load(std::string_view k, normative& o) const {
    return load_tariff(k, o);
}
void sqlite_store::list(std::vector<tariff_schedule>& o) const {
    list_tariff(o);
}
void sqlite_store::list(std::vector<tariff_assignment>& o) const {
    list_tariff(o);
}
void sqlite_store::list(std::vector<tariff_rate>& o) const {
    list_tariff(o);
}
void sqlite_store::list(std::vector<normative>& o) const {
    list_tariff(o);
}
void sqlite_store::store_entity(const tariff_schedule& s) {
    impl_->upsert(s);
}
void sqlite_store::store_entity(const tariff_assignment& a) {
    impl_->upsert(a);
}
void sqlite_store::store_entity(const tariff_rate& r) {
    impl_->upsert(r);
}
void sqlite_store::store_entity(const normative& n) {
    impl_->upsert(n);
}
bool sqlite_store::erase_schedule(std::string_view id) {
    return erase_tariff<tariff_schedule>(id);
}
bool sqlite_store::erase_assignment(std::string_view key) {
    return erase_tariff<tariff_assignment>(key);
}
bool sqlite_store::erase_rate(std::string_view key) {
    return erase_tariff<tariff_rate>(key);
}
bool sqlite_store::erase_normative(std::string_view key) {
    return erase_tariff<normative>(key);
}

}  // namespace v0
}  // namespace kvant
