// postgres_store's distributed layout: distribute() moves partitions of `readings` to other PostgreSQL
// servers through postgres_fdw, layout() and shard_links() read where they are from the coordinator's
// catalog.
//
// DDL cannot bind parameters: the names and options that go into CREATE SERVER, CREATE USER MAPPING and
// CREATE FOREIGN TABLE are quoted with libpq's PQescapeIdentifier and PQescapeLiteral (literal() and
// identifier() below); everything else formatted into SQL here is our own integers and table names.
//
// Choices where the interface is silent:
// - A shard given as the word "local" keeps its partitions on this server (distribute({"local", a, b})
// spreads
//   a fleet over this server and two others).
// - Foreign servers are named kvant_shard_1, kvant_shard_2, … (the first numbers not taken), with
//   async_capable 'true' (the coordinator's scans of several shards run at once), fetch_size '1000' and
//   batch_size '1000' (rows a round trip: a row is a block, 1-3 KB). The shard's connection options go to the
//   server, its user and password to a user mapping for the current user; without a user, the one the shard
//   connection logs in as.
// - The partition's table is made on the shard first (committed there at once: a failure later may leave it,
//   empty); a shard table of that name that holds rows is refused (storage_conflict naming it). The rows move
//   through postgres_fdw inside this server's transaction (INSERT … SELECT into a foreign table), whose
//   remote transaction commits when this one does; then the local partition is detached and dropped and the
//   foreign table attached in its place.
#include "postgres_layout.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "kvant/store/postgres_store.hpp"
#include "postgres_impl.hpp"

namespace kvant {
inline namespace v0 {

namespace detail::pg {

namespace {

/// postgres_fdw's own options of a foreign server or user mapping: not libpq's, so not in a conninfo.
bool fdw_only(std::string_view k) {
    for (std::string_view f : {"async_capable", "fetch_size", "batch_size", "use_remote_estimate",
                               "updatable", "truncatable", "extensions", "fdw_startup_cost", "fdw_tuple_cost",
                               "keep_connections", "parallel_commit", "password_required"})
        if (k == f) return true;
    return false;
}

/// One key='value' of a libpq connection string.
void conninfo_add(std::string& out, std::string_view k, std::string_view v) {
    if (!out.empty()) out += ' ';
    out.append(k);
    out += "='";
    for (char c : v) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
}

/// The remainder of a partition named readings_pN, or -1.
int remainder_of(std::string_view name) {
    constexpr std::string_view prefix = "readings_p";
    if (!name.starts_with(prefix)) return -1;
    int r = -1;
    const auto* b = name.data() + prefix.size();
    const auto [end, ec] = std::from_chars(b, name.data() + name.size(), r);
    return ec == std::errc() && end == name.data() + name.size() ? r : -1;
}

}  // namespace

std::vector<shard_link> shard_links(connection& c) {
    auto r = c.query(
        "SELECT c.relname,coalesce(s.srvname,''),coalesce(s.oid::bigint,0) FROM pg_inherits i JOIN pg_class "
        "c ON "
        "c.oid=i.inhrelid LEFT JOIN pg_foreign_table ft ON ft.ftrelid=c.oid LEFT JOIN pg_foreign_server s ON "
        "s.oid=ft.ftserver WHERE i.inhparent='readings'::regclass");
    std::vector<shard_link> out(1);
    std::map<std::int64_t, shard_link> servers;  // by oid: creation order
    for (int i = 0; i < r.rows(); ++i) {
        const int rem = remainder_of(r.text(i, 0));
        if (rem < 0) continue;  // not one of ours
        const std::int64_t oid = r.integer(i, 2);
        if (oid == 0) {
            out[0].partitions.push_back(rem);
            continue;
        }
        auto& l = servers[oid];
        l.server = std::string(r.text(i, 1));
        l.partitions.push_back(rem);
    }
    for (auto& [oid, l] : servers) {
        std::string info, shown;
        auto so = c.query(
            "SELECT o.option_name,o.option_value FROM pg_foreign_server s,pg_options_to_table(s.srvoptions) "
            "o "
            "WHERE s.srvname=$1",
            params().add(l.server));
        for (int i = 0; i < so.rows(); ++i)
            if (!fdw_only(so.text(i, 0))) {
                conninfo_add(info, so.text(i, 0), so.text(i, 1));
                conninfo_add(shown, so.text(i, 0), so.text(i, 1));
            }
        // the current user's mapping, else PUBLIC's
        auto um = c.query(
            "SELECT o.option_name,o.option_value FROM (SELECT umoptions FROM pg_user_mappings WHERE "
            "srvname=$1 AND "
            "usename IN (current_user,'public') ORDER BY usename='public' LIMIT 1) "
            "u,pg_options_to_table(u.umoptions) "
            "o",
            params().add(l.server));
        for (int i = 0; i < um.rows(); ++i) {
            if (fdw_only(um.text(i, 0))) continue;
            conninfo_add(info, um.text(i, 0), um.text(i, 1));
            if (um.text(i, 0).find("password") == std::string_view::npos)
                conninfo_add(shown, um.text(i, 0), um.text(i, 1));
        }
        l.conninfo = std::move(info);
        l.where = std::move(shown);
        std::sort(l.partitions.begin(), l.partitions.end());
        out.push_back(std::move(l));
    }
    std::sort(out[0].partitions.begin(), out[0].partitions.end());
    return out;
}

}  // namespace detail::pg

namespace {

/// A string as an SQL literal, quoted by libpq for this connection.
std::string literal(PGconn* c, std::string_view s) {
    char* q = detail::pg::pq().escapeLiteral(c, s.data(), s.size());
    if (!q)
        throw storage_error(errc::storage,
                            std::string("cannot quote a literal: ") + detail::pg::pq().errorMessage(c));
    std::string out = q;
    detail::pg::pq().freemem(q);
    return out;
}
/// A name as an SQL identifier, quoted by libpq.
std::string identifier(PGconn* c, std::string_view s) {
    char* q = detail::pg::pq().escapeIdentifier(c, s.data(), s.size());
    if (!q)
        throw storage_error(errc::storage,
                            std::string("cannot quote a name: ") + detail::pg::pq().errorMessage(c));
    std::string out = q;
    detail::pg::pq().freemem(q);
    return out;
}

}  // namespace

void postgres_store::distribute(const std::vector<std::string>& shards) {
    namespace pg = detail::pg;
    auto& im = *impl_;
    if (shards.empty()) throw config_error(errc::config, "distribute: no shard given");
    if (im.depth > 0)
        throw storage_error(errc::storage,
                            im.where + ": distribute() runs a transaction of its own; call it outside one");
    if (im.m == mode::read_only) throw storage_error(errc::storage, im.where + " is open read-only");
    auto& c = im.db();
    const int modulus = im.opt.partitions;  // the database's (read when it was opened)
    if (shards.size() > static_cast<std::size_t>(modulus))
        throw config_error(errc::config, "distribute: " + std::to_string(shards.size()) + " shards for " +
                                             std::to_string(modulus) +
                                             " partitions: a shard would hold none (make the database with "
                                             "more partitions)");
    const auto links = pg::shard_links(c);
    const std::set<int> local(links[0].partitions.begin(), links[0].partitions.end());

    struct target {
        std::string server_opts, mapping_opts;  // OPTIONS (…) text, quoted
        std::string schema;                     // where the shard's tables are made
        std::unique_ptr<pg::connection> conn;   // to the shard
        std::string where;
        std::vector<int> partitions;
    };
    std::vector<target> targets(shards.size());
    for (std::size_t i = 0; i < shards.size(); ++i) {
        auto& t = targets[i];
        for (int r = static_cast<int>(i); r < modulus; r += static_cast<int>(shards.size()))
            if (local.count(r)) t.partitions.push_back(r);
        if (shards[i] == "local" || t.partitions.empty()) continue;
        char* err = nullptr;
        const std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> parsed(
            detail::pg::pq().conninfoParse(shards[i].c_str(), &err),
            detail::pg::pq().conninfoFree);  // freed also when literal() throws
        if (err) detail::pg::pq().freemem(err);
        if (!parsed)
            throw config_error(errc::config, "distribute: shard " + std::to_string(i + 1) +
                                                 " is not a connection string libpq can parse");
        std::string user;
        std::string so, mo;
        const auto add = [&](std::string& o, std::string_view k, std::string_view v) {
            if (!o.empty()) o += ',';
            o += std::string(k) + ' ' + literal(c.get(), v);
        };
        for (auto* o = parsed.get(); o->keyword; ++o) {
            if (!o->val) continue;
            const std::string_view k = o->keyword;
            if (k == "user")
                user = o->val;
            else if (k == "password")
                add(mo, k, o->val);
            else if (k == "sslcert" || k == "sslkey" || k == "sslpassword")
                add(mo, k, o->val);
            else if (k != "client_encoding" && k != "fallback_application_name" && k != "replication")
                add(so, k, o->val);
        }
        t.where = "PostgreSQL database '" + redact(shards[i]) + "' (shard " + std::to_string(i + 1) + ")";
        t.conn = std::make_unique<pg::connection>(shards[i], t.where, im.opt.connect_timeout_s);
        if (user.empty()) user = std::string(t.conn->query("SELECT current_user").text(0, 0));
        add(mo, "user", user);
        add(so, "async_capable", "true");
        add(so, "fetch_size", "1000");
        add(so, "batch_size", "1000");
        t.server_opts = so, t.mapping_opts = mo;
        t.schema = std::string(t.conn->query("SELECT current_schema()").text(0, 0));
        // the partitions' tables on the shard, committed there now
        for (int r : t.partitions) {
            const std::string name = "readings_p" + std::to_string(r);
            auto e = t.conn->query("SELECT to_regclass($1) IS NOT NULL", pg::params().add(name));
            if (e.integer(0, 0)) {
                if (t.conn->query("SELECT EXISTS(SELECT 1 FROM " + name + ")").integer(0, 0))
                    throw storage_error(errc::storage_conflict, t.where + " holds a table " + name +
                                                                    " with rows already: refusing to move "
                                                                    "partition " +
                                                                    std::to_string(r) + " onto it");
            } else {
                t.conn->exec(pg::partition_sql(r, modulus, false));
            }
        }
    }

    c.exec("BEGIN");
    try {
        c.exec("CREATE EXTENSION IF NOT EXISTS postgres_fdw");
        const bool superuser = c.query("SELECT current_setting('is_superuser') = 'on'").integer(0, 0) != 0;
        std::set<std::string> taken;
        {
            auto r = c.query("SELECT srvname FROM pg_foreign_server");
            for (int i = 0; i < r.rows(); ++i) taken.emplace(r.text(i, 0));
        }
        int next = 1;
        for (auto& t : targets) {
            if (!t.conn) continue;
            std::string name;
            do name = "kvant_shard_" + std::to_string(next++);
            while (taken.count(name));
            taken.insert(name);
            const std::string srv = identifier(c.get(), name);
            c.exec("CREATE SERVER " + srv + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (" + t.server_opts +
                   ")");
            // its options hold the shard's password: an error names the statement without them, and a
            // superuser's session (the setting is a superuser's) keeps the server from logging its text
            // when it fails
            if (superuser) c.exec("SET LOCAL log_min_error_statement = panic");
            c.exec("CREATE USER MAPPING FOR CURRENT_USER SERVER " + srv + " OPTIONS (" + t.mapping_opts + ")",
                   "CREATE USER MAPPING FOR CURRENT_USER SERVER " + srv + " OPTIONS (…)");
            if (superuser) c.exec("SET LOCAL log_min_error_statement = DEFAULT");
            for (int r : t.partitions) {
                const std::string part = "readings_p" + std::to_string(r);
                const std::string move = "kvant_move_p" + std::to_string(r);
                c.exec("CREATE FOREIGN TABLE " + move +
                       "(meter bigint NOT NULL, channel bigint NOT NULL, month integer NOT NULL, first_time "
                       "bigint "
                       "NOT NULL, last_time bigint NOT NULL, count integer NOT NULL, data bytea NOT NULL) "
                       "SERVER " +
                       srv + " OPTIONS (schema_name " + literal(c.get(), t.schema) + ", table_name " +
                       literal(c.get(), part) + ")");
                c.exec("INSERT INTO " + move +
                       " SELECT meter,channel,month,first_time,last_time,count,data FROM " + part);
                c.exec("ALTER TABLE readings DETACH PARTITION " + part + ";DROP TABLE " + part +
                       ";ALTER FOREIGN TABLE " + move + " RENAME TO " + part +
                       ";ALTER TABLE readings ATTACH "
                       "PARTITION " +
                       part + " FOR VALUES WITH (MODULUS " + std::to_string(modulus) + ", REMAINDER " +
                       std::to_string(r) + ")");
            }
        }
        c.exec("COMMIT");
    } catch (...) {
        detail::pg::pq().clear(detail::pg::pq().exec(c.get(), "ROLLBACK"));
        throw;
    }
}

std::vector<shard_info> postgres_store::layout() const {
    const auto links = detail::pg::shard_links(impl_->db());
    std::vector<shard_info> out;
    for (const auto& l : links)
        out.push_back({l.server.empty() ? std::string("local") : l.server,
                       l.server.empty() ? redact(impl_->conninfo) : l.where, l.partitions});
    return out;
}

}  // namespace v0
}  // namespace kvant
