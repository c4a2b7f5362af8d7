#include "kvant/store/sqlite_store.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include "kvant/core/version.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/validation.hpp"
#include "sqlite_handle.hpp"

namespace kvant {
inline namespace v0 {

using detail::sqlite::reset_guard;
using detail::sqlite::statement;

namespace {

constexpr int application_id = 0x4B564E54;  // 'KVNT'

// Schema version 1. Foreign keys are deferred to commit, so that one transaction may write rows in any order;
// store::put checks references first anyway, with messages that name the entity and field.
constexpr const char* schema_v1 = R"sql(
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
CREATE TABLE readings(
  meter INTEGER NOT NULL REFERENCES meters(id) DEFERRABLE INITIALLY DEFERRED,
  ts INTEGER NOT NULL,
  total INTEGER, t1 INTEGER, t2 INTEGER, t3 INTEGER, t4 INTEGER,
  source INTEGER NOT NULL,
  accepted INTEGER,
  PRIMARY KEY(meter, ts)) WITHOUT ROWID;
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

// How each entity type maps to its table: name, key column, reference columns.
template <class T>
struct table;
template <>
struct table<anomaly> {
    static constexpr const char* name = "anomalies";
};
template <>
struct table<organization> {
    static constexpr const char* name = "organizations";
    static constexpr const char* key_column = "id";
    static constexpr std::array<const char*, 0> ref_columns{};
    static const std::string& key(const organization& o) { return o.id; }
    static std::array<std::string, 0> refs(const organization&) { return {}; }
};
template <>
struct table<abonent> {
    static constexpr const char* name = "abonents";
    static constexpr const char* key_column = "id";
    static constexpr std::array<const char*, 1> ref_columns{"organization"};
    static const std::string& key(const abonent& a) { return a.id; }
    static std::array<std::string, 1> refs(const abonent& a) { return {a.organization}; }
};
template <>
struct table<account> {
    static constexpr const char* name = "accounts";
    static constexpr const char* key_column = "number";
    static constexpr std::array<const char*, 1> ref_columns{"abonent"};
    static const std::string& key(const account& a) { return a.number; }
    static std::array<std::string, 1> refs(const account& a) { return {a.abonent}; }
};
template <>
struct table<metering_point> {
    static constexpr const char* name = "metering_points";
    static constexpr const char* key_column = "code";
    static constexpr std::array<const char*, 1> ref_columns{"account"};
    static const std::string& key(const metering_point& p) { return p.code; }
    static std::array<std::string, 1> refs(const metering_point& p) { return {p.account}; }
};
template <>
struct table<meter_model> {
    static constexpr const char* name = "meter_models";
    static constexpr const char* key_column = "id";
    static constexpr std::array<const char*, 0> ref_columns{};
    static const std::string& key(const meter_model& m) { return m.id; }
    static std::array<std::string, 0> refs(const meter_model&) { return {}; }
};
template <>
struct table<meter> {
    static constexpr const char* name = "meters";
    static constexpr const char* key_column = "serial";
    static constexpr std::array<const char*, 2> ref_columns{"model", "point"};
    static const std::string& key(const meter& m) { return m.serial; }
    static std::array<std::string, 2> refs(const meter& m) { return {m.model, m.point}; }
};

template <class T>
std::string upsert_sql() {
    using t = table<T>;
    std::string cols = t::key_column, vals = "?", set;
    for (const char* c : t::ref_columns) {
        cols += std::string(",") + c;
        vals += ",?";
        set += std::string(c) + "=excluded." + c + ",";
    }
    return std::string("INSERT INTO ") + t::name + "(" + cols + ",doc) VALUES(" + vals + ",?) ON CONFLICT(" +
           t::key_column + ") DO UPDATE SET " + set + "doc=excluded.doc";
}

/// A stored text for a message: a bounded excerpt (core/text.hpp), invalid bytes escaped.
std::string quote(std::string_view raw) {
    return excerpt(raw);
}

/// Every string inside a parsed document made valid text (a control character escaped as \u001b in the
/// JSON comes out as U+FFFD like any other invalid byte, a text past max_text_bytes is cut), so that a
/// document an older release stored reads back.
void repair_strings(nlohmann::json& j) {
    if (j.is_string()) {
        auto& t = j.get_ref<std::string&>();
        if (first_invalid_byte(t) || t.size() > max_text_bytes) t = repair_text(t);
    } else if (j.is_structured()) {
        for (auto& v : j) repair_strings(v);
    }
}

/// A document to store: JSON text that is valid UTF-8 whatever the strings hold (an invalid byte becomes
/// U+FFFD instead of a json type_error that would make the write, or a later detection, fail).
template <class T>
std::string to_doc(const T& e) {
    return nlohmann::json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// Why a stored document does not read back as a T, or nothing when it does (the entity in `out`).
template <class T>
std::optional<std::string> read_doc(const std::string& doc, T& out) {
    try {
        auto j = nlohmann::json::parse(doc);
        repair_strings(j);
        out = j.get<T>();
        return std::nullopt;
    } catch (const std::exception& e) {
        std::string_view w = e.what();
        if (w.starts_with("[json.exception.")) w.remove_prefix(std::min(w.size(), w.find("] ") + 2));
        return "does not read back (" + std::string(w) + ")";
    }
}

/// The entity a stored document holds; a document that does not read back at all is errc::storage_corrupt
/// naming the table and key.
template <class T>
T from_doc(const std::string& doc, const std::string& key) {
    T out;
    if (auto p = read_doc(doc, out))
        throw storage_error(errc::storage_corrupt, std::string("stored ") + table<T>::name + " row " +
                                                       quote(key) + ": column 'doc' " + *p +
                                                       "; kvant validate lists every such row");
    return out;
}

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

/// Register values: integers in millionths within the decimal text range (12 integer digits), or NULL.
constexpr std::int64_t max_register_raw = 999'999'999'999'999'999;
/// Times of readings and events: the plausible range of every write (model/validation.hpp, 1970..2099), so
/// that one row written by hand or by an older release cannot stretch a report over millennia; a row outside
/// is storage_corrupt naming it. Anomalies' begins: what ISO 8601 text can say (years 1..9999).
constexpr std::int64_t min_unix = plausible_first_unix;
constexpr std::int64_t max_unix = plausible_end_unix - 1;
constexpr std::int64_t min_iso_unix = -62'135'596'800;
constexpr std::int64_t max_iso_unix = 253'402'300'799;
/// Reading sources: 0..3.
constexpr std::int64_t max_source = static_cast<std::int64_t>(reading_source_text.names.size()) - 1;
/// Marks a column that may not be NULL (for decode_reading's fast path).
constexpr std::int64_t no_null = std::numeric_limits<std::int64_t>::max();

/// Why column `col` is not an integer in [lo, hi] (NULL allowed when `nullable`), or nothing when it is.
std::optional<std::string> integer_problem(const statement& s, int col, std::int64_t lo, std::int64_t hi,
                                           bool nullable, const char* meaning) {
    const int t = s.type(col);
    if (t == SQLITE_NULL)
        return nullable ? std::nullopt : std::optional<std::string>("is NULL, not " + std::string(meaning));
    if (t != SQLITE_INTEGER) return "holds " + describe(s, col) + ", not " + meaning;
    const std::int64_t v = s.integer(col);
    if (v < lo || v > hi)
        return "holds " + std::to_string(v) + ", outside " + std::to_string(lo) + ".." + std::to_string(hi) +
               " (" + meaning + ")";
    return std::nullopt;
}

/// The columns of a reading row, from `first`: ts, total, t1, t2, t3, t4, source, accepted.
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
[[maybe_unused]] void decode_reading(const statement& s, int first, std::string_view serial, std::int64_t& ts,
                    std::array<std::int64_t, register_count>& v, reading_source& source,
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
    for (int r = 0; ok && r < static_cast<int>(register_count); ++r)
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

/// The columns of an event row, from `first`: ts, code, kind, journal, message.
constexpr std::array<const char*, 5> event_columns{"ts", "code", "kind", "journal", "message"};
std::optional<std::string> event_problem(const statement& s, int first, int i) {
    constexpr std::int64_t int_max = std::numeric_limits<int>::max(),
                           int_min = std::numeric_limits<int>::min();
    switch (i) {
        case 0:
            return integer_problem(s, first, min_unix, max_unix, false,
                                   "Unix seconds of 1970-01-01..2099-12-31");
        case 1:
            return integer_problem(s, first + 1, int_min, int_max, false, "an event code");
        case 3:
            return integer_problem(s, first + 3, int_min, int_max, true, "a journal number");
        default:
            return std::nullopt;  // kind and message are text: read tolerantly, checked by check()
    }
}

/// Throws errc::storage_corrupt when an event row (columns from `first` as above) cannot be read.
void check_event_row(const statement& s, int first, std::string_view serial) {
    for (int i = 0; i < static_cast<int>(event_columns.size()); ++i)
        if (auto p = event_problem(s, first, i))
            throw storage_error(errc::storage_corrupt, "stored meter_events row of meter " + quote(serial) +
                                                           ": column '" +
                                                           event_columns[static_cast<std::size_t>(i)] + "' " +
                                                           *p + "; kvant validate lists every such row");
}

}  // namespace

struct sqlite_store::impl {
    std::filesystem::path file;
    detail::sqlite::db_ptr db;
    int busy_ms = 0;  // the busy timeout, for messages
    int depth = 0;    // open transaction levels
    std::map<std::string, std::unique_ptr<statement>, std::less<>> statements;

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
        static const std::string sql = upsert_sql<T>();
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
};

sqlite_store::sqlite_store(const std::filesystem::path& file, mode m, std::chrono::milliseconds busy_timeout)
    : impl_(std::make_unique<impl>()) {
    if (busy_timeout.count() < 0 || busy_timeout > max_busy_timeout)
        throw config_error(errc::config, "busy timeout " + std::to_string(busy_timeout.count()) +
                                             " ms is outside 0.." + std::to_string(max_busy_timeout.count()) +
                                             " ms");
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
        impl_->exec("BEGIN IMMEDIATE");
        try {
            if (impl_->pragma_int("SELECT count(*) FROM sqlite_schema") == 0) {
                impl_->exec(schema_v1);
                impl_->exec(schema_v2_additions);
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
    if (version == 1 && app == application_id) {
        if (m == mode::read_only)
            throw storage_error(
                errc::storage_schema,
                file.string() + " has schema version 1; open it for writing once to migrate it");
        impl_->exec("BEGIN IMMEDIATE");
        try {
            if (impl_->pragma_int("PRAGMA user_version") == 1) {  // not migrated meanwhile by another process
                impl_->exec(schema_v2_additions);
                impl_->exec("PRAGMA user_version=2");
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

// TODO(i9-store): schema 3 blocks replace these stubs
write_stats sqlite_store::store_readings(const reading_table&, on_conflict) {
    throw storage_error(errc::storage, "sqlite readings: schema 3 not built yet");
}
std::unique_ptr<reading_cursor> sqlite_store::scan(const series_query&) const {
    throw storage_error(errc::storage, "sqlite readings: schema 3 not built yet");
}
std::vector<last_value> sqlite_store::last_values(std::string_view) const {
    throw storage_error(errc::storage, "sqlite readings: schema 3 not built yet");
}

std::size_t sqlite_store::reading_count(std::string_view meter) const {
    if (meter.empty()) return static_cast<std::size_t>(impl_->pragma_int("SELECT count(*) FROM readings"));
    const auto id = impl_->meter_id(meter);
    if (!id) return 0;
    auto& s = impl_->stmt("SELECT count(*) FROM readings WHERE meter=?");
    reset_guard g(s);
    s.bind(1, *id);
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
            throw storage_error(errc::storage_conflict, "event " + std::to_string(e.code) + " of meter " +
                                                            e.meter + " at " + to_string(e.time) +
                                                            " is stored already with other values");
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

write_stats sqlite_store::put_anomalies(std::span<const anomaly> found) {
    transaction tx(*this);
    auto& get = impl_->stmt("SELECT doc FROM anomalies WHERE key=?");
    auto& put = impl_->stmt(
        "INSERT INTO anomalies(key,meter,type,status,begins,doc) VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(key) "
        "DO UPDATE SET "
        "meter=excluded.meter,type=excluded.type,status=excluded.status,begins=excluded.begins,doc=excluded."
        "doc");
    write_stats st;
    for (const auto& a : found) {
        anomaly row = a;
        bool known = false;
        {
            reset_guard g(get);
            get.bind(1, a.key);
            if (get.step()) {
                known = true;
                const auto stored = from_doc<anomaly>(get.text(0), a.key);
                row.status = stored.status;
                row.resolved_at = stored.resolved_at;
                row.resolved_by = stored.resolved_by;
                if (row == stored) {
                    ++st.unchanged;
                    continue;
                }
            }
        }
        if (!known) {
            row.status = anomaly_status::open;
            row.resolved_at.reset();
            row.resolved_by.clear();
        }
        reset_guard g(put);
        put.bind(1, row.key).bind(2, row.meter).bind(3, to_string(row.type)).bind(4, to_string(row.status));
        put.bind(5, to_unix(row.from)).bind(6, to_doc(row));
        put.run();
        ++(known ? st.replaced : st.inserted);
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

bool sqlite_store::resolve_anomaly(std::string_view key, instant at, std::string_view by) {
    transaction tx(*this);
    auto& get = impl_->stmt("SELECT doc FROM anomalies WHERE key=?");
    anomaly a;
    {
        reset_guard g(get);
        get.bind(1, key);
        if (!get.step()) return false;
        a = from_doc<anomaly>(get.text(0), std::string(key));
    }
    a.status = anomaly_status::resolved;
    a.resolved_at = at;
    a.resolved_by = std::string(by);
    auto& upd = impl_->stmt("UPDATE anomalies SET status=?2, doc=?3 WHERE key=?1");
    reset_guard g(upd);
    upd.bind(1, key).bind(2, to_string(a.status)).bind(3, to_doc(a));
    upd.run();
    tx.commit();
    return true;
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

/// The tables and columns schema version 2 has; check() reports any that is missing.
const std::vector<std::pair<const char*, std::vector<const char*>>> schema_columns{
    {"kvant_meta", {"key", "value"}},
    {"organizations", {"id", "doc"}},
    {"abonents", {"id", "organization", "doc"}},
    {"accounts", {"number", "abonent", "doc"}},
    {"metering_points", {"code", "account", "doc"}},
    {"meter_models", {"id", "doc"}},
    {"meters", {"id", "serial", "model", "point", "doc"}},
    {"readings", {"meter", "ts", "total", "t1", "t2", "t3", "t4", "source", "accepted"}},
    {"meter_events", {"meter", "ts", "code", "kind", "journal", "message"}},
    {"anomalies", {"key", "meter", "type", "status", "begins", "doc"}},
};

/// Every foreign key of the schema: table, key expression naming the row, column, parent table and key.
struct reference {
    const char* table;
    const char* row;  // SQL naming the row in messages
    const char* column;
    const char* parent;
    const char* parent_key;
};
const std::array<reference, 7> references{{
    {"abonents", "id", "organization", "organizations", "id"},
    {"accounts", "number", "abonent", "abonents", "id"},
    {"metering_points", "code", "account", "accounts", "number"},
    {"meters", "serial", "model", "meter_models", "id"},
    {"meters", "serial", "point", "metering_points", "code"},
    {"readings", "'meter id ' || meter || ' at ts ' || ts", "meter", "meters", "id"},
    {"meter_events", "'meter id ' || meter || ' at ts ' || ts || ', code ' || code", "meter", "meters", "id"},
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
    // 5. readings: the rules their reads apply (a row breaking one cannot be read)
    guard([&] {
        if (has("readings")) {
            statement s(db.db.get(),
                        "SELECT m.serial,r.meter,r.ts,r.total,r.t1,r.t2,r.t3,r.t4,r.source,r.accepted FROM "
                        "readings r "
                        "LEFT JOIN meters m ON m.id=r.meter ORDER BY r.meter,r.ts",
                        db.busy_ms);
            while (s.step()) {
                // the key of a row is spelt out only when the row has an issue (millions of rows have none)
                const auto key = [&] { return series_row_key(s); };
                for (int i = 0; i < static_cast<int>(reading_columns.size()); ++i)
                    if (auto p = reading_problem(s, 2, i))
                        c.add("readings", key(), reading_columns[static_cast<std::size_t>(i)], *p);
            }
        }
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
    return c.finish();
}

}  // namespace v0
}  // namespace kvant
