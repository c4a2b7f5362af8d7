#include "kvant/store/postgres_store.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <span>

#include "entity_rows.hpp"
#include "kvant/core/version.hpp"
#include "pg_locks.hpp"
#include "postgres_impl.hpp"

namespace kvant {
inline namespace v0 {

namespace {

// The tables of a kvant schema: any of them in a database without kvant_meta makes it a foreign one.
constexpr const char* kvant_tables[] = {"organizations",   "abonents",     "accounts",
                                        "metering_points", "meters",       "readings",
                                        "series",          "meter_events", "anomalies"};

}  // namespace

bool postgres_store::is_conninfo(std::string_view w) noexcept {
    if (w.starts_with("postgresql://") || w.starts_with("postgres://")) return true;
    for (std::string_view k : {"host=", "hostaddr=", "dbname=", "port=", "user=", "service="})
        if (w.starts_with(k)) return true;
    return false;
}

std::string postgres_store::redact(std::string_view conninfo) {
    const detail::pg::libpq* lib = nullptr;
    try {
        lib = &detail::pg::pq();
    } catch (const storage_error&) {  // no libpq here: the text is not shown (it may hold a password)
        return "(a PostgreSQL connection string)";
    }
    char* err = nullptr;
    PQconninfoOption* opts = lib->conninfoParse(std::string(conninfo).c_str(), &err);
    if (err) lib->freemem(err);
    if (!opts) return "(a connection string libpq cannot parse)";
    std::string out;
    for (auto* o = opts; o->keyword; ++o) {
        // password and sslpassword (the client key's) are never shown
        if (!o->val || std::string_view(o->keyword).find("password") != std::string_view::npos) continue;
        if (!out.empty()) out += ' ';
        out += o->keyword;
        out += '=';
        std::string_view v = o->val;
        const bool quote = v.empty() || v.find_first_of(" '\\") != std::string_view::npos;
        if (quote) out += '\'';
        for (char c : v) {
            if (c == '\'' || c == '\\') out += '\\';
            out += c;
        }
        if (quote) out += '\'';
    }
    lib->conninfoFree(opts);
    return out.empty() ? "(the default PostgreSQL database)" : out;
}

void postgres_store::impl::connect() {
    conn.reset();
    auto c = std::make_unique<detail::pg::connection>(conninfo, where, opt.connect_timeout_s);
    // only integers of our own options go into this text, never data
    std::string set = "SET TIME ZONE 'UTC';SET client_encoding='UTF8';SET lock_timeout=" +
                      std::to_string(opt.lock_timeout.count()) +
                      ";SET idle_in_transaction_session_timeout=0;";
    if (m == postgres_store::mode::read_only) set += "SET default_transaction_read_only=on;";
    c->exec(set);
    conn = std::move(c);
    lost = false;
}

detail::pg::connection& postgres_store::impl::db() {
    if (conn && conn->ok()) return *conn;
    if (depth > 0) {
        lost = true;
        throw storage_error(errc::storage_io,
                            where +
                                ": the connection was lost inside a transaction; the server rolled it back "
                                "(roll back, then run the transaction again: the store reconnects)");
    }
    connect();
    return *conn;
}

std::optional<std::int64_t> postgres_store::impl::meter_id(std::string_view serial) {
    auto r = db().query("SELECT id FROM meters WHERE serial=$1", detail::pg::params().add(serial));
    if (r.rows() == 0) return std::nullopt;
    return r.integer(0, 0);
}

postgres_store::postgres_store(std::string_view conninfo, mode m, const postgres_options& o)
    : impl_(std::make_unique<impl>()) {
    if (o.partitions < 1 || o.partitions > 1024)
        throw config_error(errc::config,
                           "postgres partitions " + std::to_string(o.partitions) + " is outside 1..1024");
    if (o.lock_timeout.count() < 0 || o.lock_timeout.count() > 3'600'000)
        throw config_error(errc::config, "postgres lock timeout " + std::to_string(o.lock_timeout.count()) +
                                             " ms is outside 0..3600000 ms");
    if (o.connect_timeout_s < 0 || o.connect_timeout_s > 3600)
        throw config_error(errc::config, "postgres connect timeout " + std::to_string(o.connect_timeout_s) +
                                             " s is outside 0..3600 s");
    impl_->conninfo = std::string(conninfo);
    impl_->where = "PostgreSQL database '" + redact(conninfo) + "'";
    impl_->opt = o;
    impl_->m = m;
    impl_->connect();
    auto& c = *impl_->conn;
    const auto meta_exists = [&] {
        return c.query("SELECT to_regclass('kvant_meta') IS NOT NULL").integer(0, 0) != 0;
    };
    if (!meta_exists()) {
        if (m != mode::create)
            throw storage_error(errc::storage_schema,
                                impl_->where + " holds no kvant schema (no table kvant_meta)");
        c.exec("BEGIN");
        try {
            c.query("SELECT pg_advisory_xact_lock($1)", detail::pg::params().add(detail::pg::schema_key));
            if (!meta_exists()) {
                for (const char* t : kvant_tables)
                    if (c.query("SELECT to_regclass($1) IS NOT NULL", detail::pg::params().add(t))
                            .integer(0, 0))
                        throw storage_error(
                            errc::storage_schema,
                            impl_->where + " holds a table '" + t +
                                "' but no kvant_meta: it is not a kvant database (refusing to "
                                "create a schema over it)");
                c.exec(detail::pg::schema_entities);
                c.exec(detail::pg::schema_records);
                c.exec(detail::pg::schema_readings);
                for (int r = 0; r < o.partitions; ++r)
                    c.exec(detail::pg::partition_sql(r, o.partitions, true));
                const auto meta = [&](std::string_view k, const std::string& v) {
                    c.query("INSERT INTO kvant_meta(key,value) VALUES($1,$2)",
                            detail::pg::params().add(k).add(v));
                };
                meta("application", "libkvant");
                meta("schema_version", std::to_string(schema_version));
                meta("partitions", std::to_string(o.partitions));
                meta("created_by", std::string("libkvant ") + version_string());
            }
            c.exec("COMMIT");
        } catch (...) {
            detail::pg::pq().clear(detail::pg::pq().exec(c.get(), "ROLLBACK"));
            throw;
        }
        c.forget_prepared();
    }
    // what the database says it is
    auto r = c.query("SELECT key,value FROM kvant_meta WHERE key IN ('application','schema_version')");
    std::string app, version;
    for (int i = 0; i < r.rows(); ++i) (r.text(i, 0) == "application" ? app : version) = r.text(i, 1);
    if (app != "libkvant")
        throw storage_error(errc::storage_schema, impl_->where +
                                                      " has a kvant_meta table but is not a kvant "
                                                      "database (application '" +
                                                      app + "')");
    int v = 0;
    const auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), v);
    if (ec != std::errc() || end != version.data() + version.size() || v < 1)
        throw storage_error(errc::storage_corrupt, impl_->where + ": kvant_meta holds schema_version '" +
                                                       version + "', not a version");
    if (v > schema_version)
        throw storage_error(
            errc::storage_schema,
            impl_->where + " has schema version " + std::to_string(v) + "; this libkvant " +
                version_string() + " reads up to " +
                std::to_string(schema_version));  // the partitions are the database's, fixed when it was
                                                  // made: options() tells them, not what was asked
    auto pr = c.query("SELECT value FROM kvant_meta WHERE key='partitions'");
    const std::string parts = pr.rows() ? std::string(pr.text(0, 0)) : std::string();
    int n = 0;
    const auto [pend, pec] = std::from_chars(parts.data(), parts.data() + parts.size(), n);
    if (pec != std::errc() || pend != parts.data() + parts.size() || n < 1 || n > 1024)
        throw storage_error(errc::storage_corrupt,
                            impl_->where + ": kvant_meta holds partitions '" + parts + "', not 1..1024");
    impl_->opt.partitions = n;
}

postgres_store::~postgres_store() = default;

const std::string& postgres_store::where() const noexcept {
    return impl_->where;
}
const postgres_options& postgres_store::options() const noexcept {
    return impl_->opt;
}

void postgres_store::begin() {
    auto& c = impl_->db();
    if (impl_->depth == 0) {
        c.exec("BEGIN");
        impl_->tx_changes.clear();
        impl_->flushed_changes = 0;
        impl_->provisional_seqs.clear();
        impl_->change_marks.clear();
    } else {
        c.exec("SAVEPOINT kvant_" + std::to_string(impl_->depth));
        impl_->change_marks.push_back({impl_->tx_changes.size(), impl_->flushed_changes});
    }
    ++impl_->depth;
}

void postgres_store::commit() {
    if (impl_->depth == 0) throw storage_error(errc::storage, "commit without begin");
    if (impl_->lost)
        throw storage_error(
            errc::storage_io,
            impl_->where + ": the connection was lost inside this transaction; it was rolled back");
    auto& c = *impl_->conn;
    if (impl_->depth == 1) {
        // a statement that failed inside the transaction (and was caught) aborted it on the server, and
        // COMMIT would then roll it back without an error: say so instead of reporting it committed; the
        // guard rolls it back
        if (detail::pg::pq().transactionStatus(c.get()) == PQTRANS_INERROR)
            throw storage_error(errc::storage,
                                impl_->where +
                                    ": commit refused: an earlier failure aborted this transaction on the "
                                    "server (roll it back and run it again)");
        // a failure here (a deferred foreign key, the change log's lock not had in time) leaves the
        // transaction open for the guard to roll back, as SQLite's commit does
        impl_->flush_changes_at_commit();
        impl_->depth = 0;  // a failed COMMIT ends the transaction all the same
        impl_->tx_changes.clear();
        impl_->flushed_changes = 0;
        impl_->provisional_seqs.clear();
        impl_->change_marks.clear();
        c.exec("COMMIT");
    } else {
        // the level ends only once released (as in SQLite): if RELEASE fails, the guard's rollback() goes
        // back to this savepoint, not to the enclosing level's
        c.exec("RELEASE SAVEPOINT kvant_" + std::to_string(impl_->depth - 1));
        --impl_->depth;
        impl_->change_marks.pop_back();
    }
}

void postgres_store::rollback() noexcept {
    if (impl_->depth == 0) return;
    --impl_->depth;
    auto& im = *impl_;
    if (im.depth == 0) {
        im.tx_changes.clear();
        im.flushed_changes = 0;
        im.provisional_seqs.clear();
        im.change_marks.clear();
    } else if (!im.change_marks.empty()) {
        // the records appended since the savepoint go; those written since it are gone from the server, so
        // the ones among them appended before it are to be written again
        const auto mark = im.change_marks.back();
        im.change_marks.pop_back();
        im.tx_changes.resize(mark.size);
        im.flushed_changes = std::min(im.flushed_changes, mark.flushed);
    }
    if (impl_->lost || !impl_->conn || !impl_->conn->ok()) {
        if (impl_->depth == 0) impl_->lost = false;
        return;
    }
    const std::string sql = impl_->depth == 0
                                ? std::string("ROLLBACK")
                                : "ROLLBACK TO SAVEPOINT kvant_" + std::to_string(impl_->depth) +
                                      ";RELEASE SAVEPOINT kvant_" + std::to_string(impl_->depth);
    detail::pg::pq().clear(detail::pg::pq().exec(impl_->conn->get(), sql.c_str()));
}

// ---- entities and tariffs: key + reference columns + the JSON document, as in SQLite (entity_rows.hpp)
//
// Keys are ordered byte by byte (COLLATE "C": code point order for UTF-8), as SQLite and memory_store order
// them, whatever collation the database was created with.

namespace {

using detail::pg::params;
using namespace detail::rows;

std::string dollar(int i) {
    return "$" + std::to_string(i);
}

template <class T>
void upsert(postgres_store::impl& s, const T& e) {
    static const std::string sql = upsert_sql<T>(dollar);
    params p;
    p.add(table<T>::key(e));
    for (const auto& r : table<T>::refs(e)) p.add_or_null(r);
    p.add(to_doc(e));
    s.db().query(sql, p);
}

template <class T>
std::string select_doc_sql() {
    return std::string("SELECT doc FROM ") + table<T>::name + " WHERE " + table<T>::key_column + "=$1";
}
template <class T>
std::string list_sql() {
    return std::string("SELECT ") + table<T>::key_column + ",doc FROM " + table<T>::name + " ORDER BY " +
           table<T>::key_column + " COLLATE \"C\"";
}

template <class T>
bool load_entity(postgres_store::impl& s, std::string_view key, T& out) {
    static const std::string sql = select_doc_sql<T>();
    const auto r = s.db().query(sql, params().add(key));
    if (r.rows() == 0) return false;
    out = from_doc<T>(r.text(0, 0), std::string(key));
    return true;
}

/// The (key, doc) rows of a result read back as entities.
template <class T>
void read_docs(const detail::pg::result& r, std::vector<T>& out) {
    out.reserve(out.size() + static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(from_doc<T>(r.text(i, 1), std::string(r.text(i, 0))));
}

template <class T>
void list_entities(postgres_store::impl& s, std::vector<T>& out) {
    static const std::string sql = list_sql<T>();
    read_docs(s.db().query(sql), out);
}

template <class T>
bool load_tariff(postgres_store::impl& s, std::string_view key, T& out) {
    static const std::string sql = select_doc_sql<T>();
    const auto r = s.db().query(sql, params().add(key));
    if (r.rows() == 0) return false;
    out = tariff_row<T>(r.text(0, 0), std::string(key));
    return true;
}
template <class T>
void list_tariffs(postgres_store::impl& s, std::vector<T>& out) {
    static const std::string sql = list_sql<T>();
    const auto r = s.db().query(sql);
    out.reserve(out.size() + static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.push_back(tariff_row<T>(r.text(i, 1), std::string(r.text(i, 0))));
}
template <class T>
bool erase_tariff(postgres_store::impl& s, std::string_view key) {
    static const std::string sql =
        std::string("DELETE FROM ") + table<T>::name + " WHERE " + table<T>::key_column + "=$1 RETURNING 1";
    return s.db().query(sql, params().add(key)).rows() > 0;
}

}  // namespace

bool postgres_store::load(std::string_view key, organization& out) const {
    return load_entity(*impl_, key, out);
}
bool postgres_store::load(std::string_view key, abonent& out) const {
    return load_entity(*impl_, key, out);
}
bool postgres_store::load(std::string_view key, account& out) const {
    return load_entity(*impl_, key, out);
}
bool postgres_store::load(std::string_view key, metering_point& out) const {
    return load_entity(*impl_, key, out);
}
bool postgres_store::load(std::string_view key, meter_model& out) const {
    return load_entity(*impl_, key, out);
}
bool postgres_store::load(std::string_view key, meter& out) const {
    return load_entity(*impl_, key, out);
}
void postgres_store::list(std::vector<organization>& out) const {
    list_entities(*impl_, out);
}
void postgres_store::list(std::vector<abonent>& out) const {
    list_entities(*impl_, out);
}
void postgres_store::list(std::vector<account>& out) const {
    list_entities(*impl_, out);
}
void postgres_store::list(std::vector<metering_point>& out) const {
    list_entities(*impl_, out);
}
void postgres_store::list(std::vector<meter_model>& out) const {
    list_entities(*impl_, out);
}
void postgres_store::list(std::vector<meter>& out) const {
    list_entities(*impl_, out);
}
bool postgres_store::has_meter(std::string_view serial) const {
    return impl_->meter_id(serial).has_value();
}
void postgres_store::store_entity(const organization& o) {
    upsert(*impl_, o);
}
void postgres_store::store_entity(const abonent& a) {
    upsert(*impl_, a);
}
void postgres_store::store_entity(const account& a) {
    upsert(*impl_, a);
}
void postgres_store::store_entity(const metering_point& p) {
    upsert(*impl_, p);
}
void postgres_store::store_entity(const meter_model& m) {
    upsert(*impl_, m);
}
void postgres_store::store_entity(const meter& m) {
    // ON CONFLICT(serial) DO UPDATE: a meter stored again keeps its id (its series and blocks refer to it)
    upsert(*impl_, m);
}

// ---- tariffs
bool postgres_store::load(std::string_view key, tariff_schedule& out) const {
    return load_tariff(*impl_, key, out);
}
bool postgres_store::load(std::string_view key, tariff_assignment& out) const {
    return load_tariff(*impl_, key, out);
}
bool postgres_store::load(std::string_view key, tariff_rate& out) const {
    return load_tariff(*impl_, key, out);
}
bool postgres_store::load(std::string_view key, normative& out) const {
    return load_tariff(*impl_, key, out);
}
void postgres_store::list(std::vector<tariff_schedule>& out) const {
    list_tariffs(*impl_, out);
}
void postgres_store::list(std::vector<tariff_assignment>& out) const {
    list_tariffs(*impl_, out);
}
void postgres_store::list(std::vector<tariff_rate>& out) const {
    list_tariffs(*impl_, out);
}
void postgres_store::list(std::vector<normative>& out) const {
    list_tariffs(*impl_, out);
}
void postgres_store::store_entity(const tariff_schedule& s) {
    upsert(*impl_, s);
}
void postgres_store::store_entity(const tariff_assignment& a) {
    upsert(*impl_, a);
}
void postgres_store::store_entity(const tariff_rate& r) {
    upsert(*impl_, r);
}
void postgres_store::store_entity(const normative& n) {
    upsert(*impl_, n);
}
bool postgres_store::erase_schedule(std::string_view id) {
    return erase_tariff<tariff_schedule>(*impl_, id);
}
bool postgres_store::erase_assignment(std::string_view key) {
    return erase_tariff<tariff_assignment>(*impl_, key);
}
bool postgres_store::erase_rate(std::string_view key) {
    return erase_tariff<tariff_rate>(*impl_, key);
}
bool postgres_store::erase_normative(std::string_view key) {
    return erase_tariff<normative>(*impl_, key);
}

// ---- queries
// The organisation cut: the reference columns' indexes (abonents_by_organization, accounts_by_abonent,
// metering_points_by_account, meters_by_point) carry the joins; an empty organisation lists every row.

void postgres_store::list_in(std::string_view org, std::vector<abonent>& out) const {
    if (org.empty()) return list(out);
    read_docs(impl_->db().query("SELECT id,doc FROM abonents WHERE organization=$1 ORDER BY id COLLATE \"C\"",
                                params().add(org)),
              out);
}
void postgres_store::list_in(std::string_view org, std::vector<account>& out) const {
    if (org.empty()) return list(out);
    read_docs(impl_->db().query("SELECT a.number,a.doc FROM abonents ab JOIN accounts a ON a.abonent=ab.id "
                                "WHERE ab.organization=$1 ORDER BY a.number COLLATE \"C\"",
                                params().add(org)),
              out);
}
void postgres_store::list_in(std::string_view org, std::vector<metering_point>& out) const {
    if (org.empty()) return list(out);
    read_docs(
        impl_->db().query("SELECT p.code,p.doc FROM abonents ab JOIN accounts a ON a.abonent=ab.id JOIN "
                          "metering_points p ON p.account=a.number WHERE ab.organization=$1 ORDER BY "
                          "p.code COLLATE \"C\"",
                          params().add(org)),
        out);
}
void postgres_store::list_in(std::string_view org, std::vector<meter>& out) const {
    if (org.empty()) return list(out);
    read_docs(
        impl_->db().query("SELECT m.serial,m.doc FROM abonents ab JOIN accounts a ON a.abonent=ab.id JOIN "
                          "metering_points p ON p.account=a.number JOIN meters m ON m.point=p.code WHERE "
                          "ab.organization=$1 ORDER BY m.serial COLLATE \"C\"",
                          params().add(org)),
        out);
}

void postgres_store::erase_entity(entity_kind kind, std::string_view key) {
    auto& db = impl_->db();
    const auto run = [&](const char* sql) { db.query(sql, params().add(key)); };
    switch (kind) {
        case entity_kind::organization:
            return run("DELETE FROM organizations WHERE id=$1");
        case entity_kind::abonent:
            return run("DELETE FROM abonents WHERE id=$1");
        case entity_kind::account:
            return run("DELETE FROM accounts WHERE number=$1");
        case entity_kind::metering_point:
            return run("DELETE FROM metering_points WHERE code=$1");
        case entity_kind::meter_model:
            return run("DELETE FROM meter_models WHERE id=$1");
        case entity_kind::meter: {
            const auto id = impl_->meter_id(key);
            if (!id) return;
            detail::pg::lock_erased_meter(db, *id);  // as its writers take them (pg_locks.hpp)
            // by the meter's id, so that the readings partition is found by hash (no foreign key points
            // from a block to its meter: the blocks go first, explicitly)
            const auto by_id = [&](const char* sql) { db.query(sql, params().add(*id)); };
            by_id("DELETE FROM readings WHERE meter=$1");
            by_id("DELETE FROM series WHERE meter=$1");
            by_id("DELETE FROM meter_events WHERE meter=$1");
            // ---- meter state
            by_id("DELETE FROM relay_changes WHERE meter=$1");
            by_id("DELETE FROM comm_sessions WHERE meter=$1");
            by_id("DELETE FROM meter_links WHERE meter=$1");
            return by_id("DELETE FROM meters WHERE id=$1");
        }
        case entity_kind::anomaly:
            return run("DELETE FROM anomalies WHERE key=$1");
    }
}

void postgres_store::impl::flush_changes_provisionally() {
    if (flushed_changes == tx_changes.size()) return;
    std::vector<std::int64_t> at, count;
    std::vector<std::string> entity, key, op, org;
    for (std::size_t i = flushed_changes; i < tx_changes.size(); ++i) {
        const auto& ch = tx_changes[i];
        at.push_back(to_unix(ch.at));
        entity.emplace_back(to_string(ch.entity));
        key.push_back(ch.key);
        op.emplace_back(to_string(ch.op));
        count.push_back(static_cast<std::int64_t>(ch.count));
        org.push_back(ch.organization);
    }
    const auto r = db().query(
        "INSERT INTO changes(at,entity,key,op,count,organization) SELECT * FROM "
        "unnest($1::bigint[],$2::text[],$3::text[],$4::text[],$5::bigint[],$6::text[]) RETURNING seq",
        params()
            .add_array(at)
            .add_text_array(entity)
            .add_text_array(key)
            .add_text_array(op)
            .add_array(count)
            .add_text_array(org));
    for (int i = 0; i < r.rows(); ++i) provisional_seqs.push_back(r.integer(i, 0));
    flushed_changes = tx_changes.size();
}

void postgres_store::impl::flush_changes_at_commit() {
    if (tx_changes.empty()) return;
    auto& c = db();
    // the deferred foreign keys first: waiting for a row lock while holding the change log's lock could
    // deadlock with a writer queued on it (one round trip: only our own constant is in the text)
    static const std::string lock = "SET CONSTRAINTS ALL IMMEDIATE;SELECT pg_advisory_xact_lock(" +
                                    std::to_string(detail::pg::change_log_key) + ")";
    c.exec(lock);
    // rows of a savepoint rolled back since are gone already, and seqs are never handed out twice
    if (!provisional_seqs.empty())
        c.query("DELETE FROM changes WHERE seq = ANY($1::bigint[])", params().add_array(provisional_seqs));
    if (tx_changes.size() == 1) {
        const auto& ch = tx_changes.front();
        c.query("INSERT INTO changes(at,entity,key,op,count,organization) VALUES($1,$2,$3,$4,$5,$6)",
                params()
                    .add(to_unix(ch.at))
                    .add(to_string(ch.entity))
                    .add(ch.key)
                    .add(to_string(ch.op))
                    .add(static_cast<std::int64_t>(ch.count))
                    .add(ch.organization));
    } else {
        // many records (a batch of readings writes one a meter): one COPY, seqs in this order
        detail::pg::copy_writer w;
        w.header();
        for (const auto& ch : tx_changes) {
            w.tuple(6);
            w.int8(to_unix(ch.at));
            w.bytes(to_string(ch.entity));
            w.bytes(ch.key);
            w.bytes(to_string(ch.op));
            w.int8(static_cast<std::int64_t>(ch.count));
            w.bytes(ch.organization);
        }
        w.trailer();
        c.copy_in("COPY changes(at,entity,key,op,count,organization) FROM STDIN (FORMAT binary)", w.out);
    }
}

void postgres_store::append_change(const change& c) {
    if (impl_->depth > 0) {
        impl_->tx_changes.push_back(c);
        return;
    }
    // outside a transaction (the base store opens one for every write; this is for completeness): one of
    // its own
    transaction tx(*this);
    impl_->tx_changes.push_back(c);
    tx.commit();
}

std::vector<change> postgres_store::changes(const change_query& q) const {
    // inside a transaction that has written, its own records are part of the log it reads
    if (impl_->depth > 0) impl_->flush_changes_provisionally();
    const auto limit =
        static_cast<std::int64_t>(std::min<std::size_t>(q.limit, std::numeric_limits<std::int64_t>::max()));
    // two statements, so that each has a plan of its own index (changes_by_organization, the primary key)
    const auto r = q.organization.empty()
                       ? impl_->db().query(
                             "SELECT seq,at,entity,key,op,count,organization FROM changes WHERE seq>$1 AND "
                             "at>=$2 ORDER BY seq LIMIT $3",
                             params().add(q.after).add(to_unix(q.since)).add(limit))
                       : impl_->db().query(
                             "SELECT seq,at,entity,key,op,count,organization FROM changes WHERE seq>$1 AND "
                             "at>=$2 AND organization=$3 ORDER BY seq LIMIT $4",
                             params().add(q.after).add(to_unix(q.since)).add(q.organization).add(limit));
    std::vector<change> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        change c;
        c.seq = r.integer(i, 0);
        const auto corrupt = [&](const char* col, const std::string& what) {
            return storage_error(errc::storage_corrupt, "stored changes row " + std::to_string(c.seq) +
                                                            ": column '" + col + "' " + what);
        };
        const auto at = r.integer(i, 1);
        if (const auto p = range_problem(at, min_iso_unix, max_iso_unix, "a time")) throw corrupt("at", *p);
        c.at = from_unix(at);
        const auto e = entity_kind_text.find(r.text(i, 2));
        if (!e) throw corrupt("entity", "holds text " + quote(r.text(i, 2)) + ", not an entity kind");
        c.entity = *e;
        c.key = r.text(i, 3);
        const auto op = change_op_text.find(r.text(i, 4));
        if (!op) throw corrupt("op", "holds text " + quote(r.text(i, 4)) + ", not a change operation");
        c.op = *op;
        const auto count = r.integer(i, 5);
        if (const auto p = range_problem(count, 0, std::numeric_limits<std::int64_t>::max() - 1, "a count"))
            throw corrupt("count", *p);
        c.count = static_cast<std::size_t>(count);
        c.organization = r.text(i, 6);
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
