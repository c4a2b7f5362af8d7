#include "kvant/store/postgres_store.hpp"

#include <charconv>

#include "kvant/core/version.hpp"
#include "postgres_impl.hpp"

// placeholder: every call below is being written (issue 14)
namespace kvant {
inline namespace v0 {

namespace {

// The tables of a kvant schema: any of them in a database without kvant_meta makes it a foreign one.
constexpr const char* kvant_tables[] = {"organizations",   "abonents",     "accounts",
                                        "metering_points", "meters",       "readings",
                                        "series",          "meter_events", "anomalies"};

// A lock key of our own (pg_advisory_xact_lock) for creating the schema: two processes creating one new
// database at once queue on it, and the second finds the schema made.
constexpr std::int64_t schema_lock_key = 0x4B564E5400000001;  // 'KVNT', 1

}  // namespace

bool postgres_store::is_conninfo(std::string_view w) noexcept {
    if (w.starts_with("postgresql://") || w.starts_with("postgres://")) return true;
    for (std::string_view k : {"host=", "hostaddr=", "dbname=", "port=", "user=", "service="})
        if (w.starts_with(k)) return true;
    return false;
}

std::string postgres_store::redact(std::string_view conninfo) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(std::string(conninfo).c_str(), &err);
    if (err) PQfreemem(err);
    if (!opts) return "(a connection string libpq cannot parse)";
    std::string out;
    for (auto* o = opts; o->keyword; ++o) {
        if (!o->val || std::string_view(o->keyword) == "password") continue;
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
    PQconninfoFree(opts);
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
            c.query("SELECT pg_advisory_xact_lock($1)", detail::pg::params().add(schema_lock_key));
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
            PQclear(PQexec(c.get(), "ROLLBACK"));
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
        throw storage_error(errc::storage_schema, impl_->where + " has schema version " + std::to_string(v) +
                                                      "; this libkvant " + version_string() +
                                                      " reads up to " + std::to_string(schema_version));
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
    if (impl_->depth == 0)
        c.exec("BEGIN");
    else
        c.exec("SAVEPOINT kvant_" + std::to_string(impl_->depth));
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
        impl_->depth = 0;  // a failed COMMIT (a deferred foreign key) ends the transaction all the same
        c.exec("COMMIT");
    } else {
        --impl_->depth;
        c.exec("RELEASE SAVEPOINT kvant_" + std::to_string(impl_->depth));
    }
}

void postgres_store::rollback() noexcept {
    if (impl_->depth == 0) return;
    --impl_->depth;
    if (impl_->lost || !impl_->conn || !impl_->conn->ok()) {
        if (impl_->depth == 0) impl_->lost = false;
        return;
    }
    const std::string sql = impl_->depth == 0
                                ? std::string("ROLLBACK")
                                : "ROLLBACK TO SAVEPOINT kvant_" + std::to_string(impl_->depth) +
                                      ";RELEASE SAVEPOINT kvant_" + std::to_string(impl_->depth);
    PQclear(PQexec(impl_->conn->get(), sql.c_str()));
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
std::vector<change> postgres_store::changes(const change_query& q) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, organization& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, abonent& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, account& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, metering_point& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, meter_model& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, meter& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<organization>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<abonent>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<account>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<metering_point>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<meter_model>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<meter>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::has_meter(std::string_view serial) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list_in(std::string_view org, std::vector<abonent>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list_in(std::string_view org, std::vector<account>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list_in(std::string_view org, std::vector<metering_point>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list_in(std::string_view org, std::vector<meter>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::erase_entity(entity_kind kind, std::string_view key) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::append_change(const change& c) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const organization& o) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const abonent& a) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const account& a) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const metering_point& p) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const meter_model& m) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const meter& m) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, tariff_schedule& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, tariff_assignment& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, tariff_rate& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::load(std::string_view key, normative& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<tariff_schedule>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<tariff_assignment>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<tariff_rate>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::list(std::vector<normative>& out) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const tariff_schedule& s) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const tariff_assignment& a) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const tariff_rate& r) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entity(const normative& n) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::erase_schedule(std::string_view id) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::erase_assignment(std::string_view key) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::erase_rate(std::string_view key) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::erase_normative(std::string_view key) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
#pragma GCC diagnostic pop

}  // namespace v0
}  // namespace kvant
