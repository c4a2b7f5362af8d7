#include "kvant/store/sqlite_store.hpp"

#include <array>
#include <map>

#include "kvant/core/version.hpp"
#include "kvant/model/json.hpp"
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

template <class T>
T from_doc(const std::string& doc, const std::string& key) {
    try {
        return nlohmann::json::parse(doc).get<T>();
    } catch (const std::exception& e) {
        throw storage_error(errc::storage_schema, std::string("stored ") + table<T>::name + " row '" + key +
                                                      "' does not read back: " + e.what());
    }
}

}  // namespace

struct sqlite_store::impl {
    std::filesystem::path file;
    detail::sqlite::db_ptr db;
    int depth = 0;  // open transaction levels
    std::map<std::string, std::unique_ptr<statement>, std::less<>> statements;

    statement& stmt(std::string_view sql) {
        auto it = statements.find(sql);
        if (it == statements.end())
            it = statements.emplace(std::string(sql), std::make_unique<statement>(db.get(), sql)).first;
        return *it->second;
    }

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
        s.bind(i, nlohmann::json(e).dump());
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
    sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
    detail::sqlite::exec(db, "PRAGMA foreign_keys=ON");

    std::int64_t version = 0, app = 0;
    try {
        version = impl_->pragma_int("PRAGMA user_version");
        app = impl_->pragma_int("PRAGMA application_id");
    } catch (const storage_error& e) {
        throw storage_error(errc::storage_schema,
                            file.string() + " is not a SQLite database (" + std::string(e.message()) + ")");
    }
    const std::int64_t tables = impl_->pragma_int("SELECT count(*) FROM sqlite_schema");
    if (version == 0 && tables == 0) {
        if (m == mode::read_only)
            throw storage_error(errc::storage_schema, file.string() + " is empty, not a kvant database");
        detail::sqlite::exec(db, "PRAGMA journal_mode=WAL");
        detail::sqlite::exec(db, "BEGIN IMMEDIATE");
        try {
            detail::sqlite::exec(db, schema_v1);
            detail::sqlite::exec(db, schema_v2_additions);
            detail::sqlite::exec(db, ("PRAGMA application_id=" + std::to_string(application_id)).c_str());
            detail::sqlite::exec(db, ("PRAGMA user_version=" + std::to_string(schema_version)).c_str());
            auto& s = impl_->stmt("INSERT INTO kvant_meta(key,value) VALUES('created_by', ?)");
            reset_guard g(s);
            s.bind(1, std::string("libkvant ") + version_string()).run();
            detail::sqlite::exec(db, "COMMIT");
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    } else if (app != application_id) {
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
        detail::sqlite::exec(db, "BEGIN IMMEDIATE");
        try {
            detail::sqlite::exec(db, schema_v2_additions);
            detail::sqlite::exec(db, "PRAGMA user_version=2");
            detail::sqlite::exec(db, "COMMIT");
        } catch (...) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }
    if (m != mode::read_only) {
        detail::sqlite::exec(db, "PRAGMA journal_mode=WAL");
        detail::sqlite::exec(db, "PRAGMA synchronous=NORMAL");
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
    std::vector<std::int64_t> ids;
    ids.reserve(batch.meters().size());
    for (const auto& serial : batch.meters()) ids.push_back(*impl_->meter_id(serial));

    auto& ins = impl_->stmt(
        "INSERT INTO readings(meter,ts,total,t1,t2,t3,t4,source,accepted) VALUES(?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(meter,ts) DO NOTHING");
    auto& get = impl_->stmt("SELECT total,t1,t2,t3,t4 FROM readings WHERE meter=? AND ts=?");
    auto& upd = impl_->stmt(
        "UPDATE readings SET total=?3,t1=?4,t2=?5,t3=?6,t4=?7,source=?8,accepted=?9 WHERE meter=?1 AND "
        "ts=?2");
    sqlite3* db = impl_->db.get();
    const auto missing = decimal::missing_raw;

    write_stats st;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto bind_row = [&](statement& s) {
            s.bind(1, ids[batch.meter_index()[i]]).bind(2, batch.times()[i]);
            for (std::size_t r = 0; r < register_count; ++r)
                s.bind_or_null(3 + static_cast<int>(r), batch.values(static_cast<register_id>(r))[i],
                               missing);
            s.bind(8, batch.sources()[i]).bind_or_null(9, batch.accepted()[i], reading_table::missing_time);
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
        std::array<std::int64_t, register_count> stored;
        {
            reset_guard g(get);
            get.bind(1, ids[batch.meter_index()[i]]).bind(2, batch.times()[i]);
            get.step();
            for (int r = 0; r < static_cast<int>(register_count); ++r) stored[r] = get.integer_or(r, missing);
        }
        bool same = true;
        for (std::size_t r = 0; r < register_count; ++r)
            same = same && stored[r] == batch.values(static_cast<register_id>(r))[i];
        if (same) {
            ++st.unchanged;
        } else if (policy == on_conflict::fail) {
            throw reading_conflict(i, conflict_message(batch, i, stored.data()));
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

reading_table sqlite_store::readings(std::string_view meter, instant from, instant to) const {
    reading_table out;
    const auto id = impl_->meter_id(meter);
    if (!id) return out;
    auto& s = impl_->stmt(
        "SELECT ts,total,t1,t2,t3,t4,source,accepted FROM readings WHERE meter=? AND ts>=? AND ts<? ORDER BY "
        "ts");
    reset_guard g(s);
    s.bind(1, *id).bind(2, to_unix(from)).bind(3, to_unix(to));
    const auto slot = out.meter_slot(meter);
    std::array<std::int64_t, register_count> v;
    while (s.step()) {
        for (int r = 0; r < static_cast<int>(register_count); ++r)
            v[r] = s.integer_or(1 + r, decimal::missing_raw);
        out.push(slot, s.integer(0), v, static_cast<reading_source>(s.integer(6)),
                 s.integer_or(7, reading_table::missing_time));
    }
    return out;
}

std::optional<reading> sqlite_store::last_reading(std::string_view meter, std::optional<instant> at) const {
    const auto id = impl_->meter_id(meter);
    if (!id) return std::nullopt;
    auto& s = impl_->stmt(
        "SELECT ts,total,t1,t2,t3,t4,source,accepted FROM readings WHERE meter=? AND ts<=? ORDER BY ts DESC "
        "LIMIT 1");
    reset_guard g(s);
    s.bind(1, *id).bind(2, at ? to_unix(*at) : std::numeric_limits<std::int64_t>::max());
    if (!s.step()) return std::nullopt;
    reading_table one;
    std::array<std::int64_t, register_count> v;
    for (int r = 0; r < static_cast<int>(register_count); ++r)
        v[r] = s.integer_or(1 + r, decimal::missing_raw);
    one.push(one.meter_slot(meter), s.integer(0), v, static_cast<reading_source>(s.integer(6)),
             s.integer_or(7, reading_table::missing_time));
    return one.row(0);
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
    auto& get =
        impl_->stmt("SELECT kind,journal,message FROM meter_events WHERE meter=? AND ts=? AND code=?");
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
            stored.kind = event_kind_text.find(get.text(0)).value_or(event_kind::other);
            stored.journal =
                get.is_null(1) ? std::nullopt : std::optional<int>(static_cast<int>(get.integer(1)));
            stored.message = get.text(2);
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
        put.bind(5, to_unix(row.from)).bind(6, nlohmann::json(row).dump());
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
    upd.bind(1, key).bind(2, to_string(a.status)).bind(3, nlohmann::json(a).dump());
    upd.run();
    tx.commit();
    return true;
}

void sqlite_store::begin() {
    if (impl_->depth == 0)
        detail::sqlite::exec(impl_->db.get(), "BEGIN IMMEDIATE");
    else
        detail::sqlite::exec(impl_->db.get(), ("SAVEPOINT kvant_" + std::to_string(impl_->depth)).c_str());
    ++impl_->depth;
}

void sqlite_store::commit() {
    if (impl_->depth == 0) throw storage_error(errc::storage, "commit without a transaction");
    if (impl_->depth == 1) {
        try {
            detail::sqlite::exec(impl_->db.get(), "COMMIT");
        } catch (const storage_error& e) {
            // a deferred foreign key failed: the transaction stays open for the guard to roll back
            throw storage_error(errc::storage, "commit refused: " + std::string(e.message()));
        }
    } else {
        detail::sqlite::exec(impl_->db.get(), ("RELEASE kvant_" + std::to_string(impl_->depth - 1)).c_str());
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

}  // namespace v0
}  // namespace kvant
