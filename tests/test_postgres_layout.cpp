// postgres_store's readings on one server and distributed over postgres_fdw: what is written reads back as
// memory_store has it; distribute() moves existing rows and layout() names them; writes after distribution
// land on the shard; a scan through the coordinator and one reading the shards directly give the same chunks;
// a shard out of reach is a clear storage_io.
//
// The servers are the tests' own (store_backends.hpp, tests/README.md): a coordinator database on server 1
// and a shard database on each of servers 2 and 3. Where the server binaries are absent every test here is
// skipped, saying so.
#include <libpq-fe.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <random>
#include <thread>
#include <tuple>
#include <utility>

#include "kvant/store/memory_store.hpp"
#include "kvant/store/postgres_store.hpp"
#include "store_backends.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

/// Why the tests' PostgreSQL servers cannot run here (empty when they can).
std::string servers_absent() {
    return test_pg_servers().absent;
}

/// A coordinator database on test server 1 and a shard database on each of servers 2 and 3, dropped at the
/// end.
struct three_servers {
    pg_database dbs[3] = {pg_database{1, "rc"}, pg_database{2, "rs"}, pg_database{3, "rs"}};
    std::string names[3] = {dbs[0].name, dbs[1].name, dbs[2].name};
    std::string coordinator() const { return dbs[0].conninfo; }
    std::string shard(int i) const { return dbs[i].conninfo; }
};

const channel A = channel::main(resource::electricity);
const channel A_t1 = channel::main(resource::electricity, register_id::t1);

std::string serial_of(int m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "M%04d", m);
    return buf;
}

/// One organisation, one model, `meters` meters M0000.. each on a point of its own.
void populate(store& s, int meters) {
    organization o;
    o.id = "org";
    o.name = "Org";
    o.time_zone = zone::parse("Europe/Moscow");
    s.put(o);
    s.put(abonent{"ab", "org", abonent_kind::person, "Абонент", "", "", std::nullopt});
    account a;
    a.number = "A1";
    a.abonent = "ab";
    s.put(a);
    meter_model m;
    m.id = "model";
    m.name = "Model";
    m.tariff_registers = 2;
    m.verification_interval_years = 16;
    s.put(m);
    transaction tx(s);
    for (int i = 0; i < meters; ++i) {
        s.put(metering_point{"p" + std::to_string(i), "A1", "Point", "", "", ""});
        meter x;
        x.serial = serial_of(i);
        x.model = "model";
        x.point = "p" + std::to_string(i);
        s.put(x);
    }
    tx.commit();
}

/// Half-hourly values of channels A and A_t1 of every meter from `from` for `count` steps: values rising by a
/// meter-dependent step, in a shuffled row order.
reading_table half_hourly(int meters, std::int64_t from, int count, std::uint64_t seed) {
    std::vector<std::tuple<int, int, int>> rows;
    for (int m = 0; m < meters; ++m)
        for (int c = 0; c < 2; ++c)
            for (int k = 0; k < count; ++k) rows.emplace_back(m, c, k);
    std::mt19937_64 rng(seed);
    std::shuffle(rows.begin(), rows.end(), rng);
    reading_table t;
    for (const auto& [m, c, k] : rows)
        t.push(t.meter_slot(serial_of(m)), t.channel_slot(c ? A_t1 : A), from + 1800 * std::int64_t{k},
               (1000 + m) * 1'000'000 + std::int64_t{k} * (125'000 + 1000 * m) + c * 7);
    return t;
}

/// Every value a cursor gives, flattened: (meter, channel code, time) → (value, source, accepted); and the
/// chunk sequence's order checked on the way.
using flat = std::map<std::tuple<std::string, std::uint32_t, std::int64_t>,
                      std::tuple<std::int64_t, int, std::int64_t>>;
flat read_all(const store& s, const series_query& q, std::vector<std::string>* chunks = nullptr) {
    flat out;
    auto cur = s.scan(q);
    series_chunk ch;
    std::tuple<std::string, std::uint32_t, std::int64_t> last{"", 0,
                                                              std::numeric_limits<std::int64_t>::min()};
    while (cur->next(ch)) {
        REQUIRE(ch.size() > 0);
        for (std::size_t i = 0; i < ch.size(); ++i) {
            const auto key = std::make_tuple(ch.meter, ch.ch.code(), ch.time[i]);
            REQUIRE(last < key);  // series by meter serial, then channel code; times ascending
            last = key;
            out[key] = {ch.value[i], ch.source.empty() ? 0 : ch.source[i],
                        ch.accepted.empty() ? reading_table::missing_time : ch.accepted[i]};
        }
        if (chunks)
            chunks->push_back(ch.meter + "/" + std::to_string(ch.ch.code()) + "/" +
                              std::to_string(ch.time.front()) + "/" + std::to_string(ch.size()));
    }
    return out;
}

// 2024-01-31T00:00:00Z: two days before February, so that a batch of 4 days spans two months
constexpr std::int64_t jan31 = 1'706'659'200;

/// Ends every other connection to the database of `conninfo` (pg_terminate_backend).
void end_other_connections(const std::string& conninfo) {
    PGconn* c = PQconnectdb(conninfo.c_str());
    PQclear(
        PQexec(c,
               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
               "AND pid <> pg_backend_pid()"));
    PQfinish(c);
}

/// Reads on until the cursor has failed twice (each a storage_io) or ends: the chunks read and the failures.
std::pair<std::size_t, int> read_through_failures(reading_cursor& cur) {
    series_chunk ch;
    std::size_t chunks = 0;
    int failures = 0;
    for (int i = 0; i < 4000 && failures < 2; ++i) {
        try {
            if (!cur.next(ch)) break;
            ++chunks;
        } catch (const storage_error& e) {
            INFO(e.what());
            CHECK(e.code() == errc::storage_io);
            ++failures;
        }
    }
    return {chunks, failures};
}

}  // namespace

TEST_CASE("postgres readings: a batch reads back as memory_store has it, merges as it does") {
    if (const auto why = servers_absent(); !why.empty()) {
        WARN("SKIPPED: " << why);
        return;
    }
    three_servers dbs;
    postgres_store pg(dbs.coordinator(), postgres_store::mode::create, postgres_options{.partitions = 4});
    memory_store mem;
    populate(pg, 12);
    populate(mem, 12);
    const auto b1 = half_hourly(12, jan31, 4 * 48, 1);
    const auto s1 = pg.put_readings(b1);
    CHECK(s1.inserted == mem.put_readings(b1).inserted);
    CHECK(s1.inserted == 12 * 2 * 4 * 48);
    CHECK(pg.reading_count() == 12 * 2 * 4 * 48);
    CHECK(pg.reading_count("M0003") == 2 * 4 * 48);
    CHECK(pg.reading_count("nobody") == 0);

    // the same batch again changes nothing
    const auto s2 = pg.put_readings(b1);
    CHECK(s2.inserted == 0);
    CHECK(s2.unchanged == b1.size());

    // an overlapping batch with one different value: fail writes nothing; keep and replace as asked
    reading_table b2;
    b2.push(b2.meter_slot("M0002"), b2.channel_slot(A), jan31 + 1800 * 10, 5, reading_source::manual,
            jan31 + 99);
    b2.push(b2.meter_slot("M0002"), b2.channel_slot(A), jan31 + 1800 * 1000, 77'000'000);  // new, later month
    CHECK_THROWS_AS(pg.put_readings(b2), reading_conflict);
    CHECK(pg.reading_count() == 12 * 2 * 4 * 48);
    const auto k = pg.put_readings(b2, on_conflict::keep);
    CHECK(k.kept == 1);
    CHECK(k.inserted == 1);
    mem.put_readings(b2, on_conflict::keep);
    const auto r = pg.put_readings(b2, on_conflict::replace);
    CHECK(r.replaced == 1);
    CHECK(r.unchanged == 1);
    mem.put_readings(b2, on_conflict::replace);

    series_query all;
    const auto got = read_all(pg, all);
    CHECK(got.size() == 12 * 2 * 4 * 48 + 1);
    CHECK(got == read_all(mem, all));
    CHECK(got.at({"M0002", A.code(), jan31 + 1800 * 10}) == std::make_tuple(std::int64_t{5}, 1, jan31 + 99));

    // a range across the month boundary, some meters, one channel, without provenance
    series_query q;
    q.meters = {"M0007", "M0001", "M0011", "M0001"};
    q.channels = {A_t1};
    q.from = jan31 + 3600 * 20;
    q.to = jan31 + 3600 * 60;
    q.provenance = false;
    const auto part = read_all(pg, q);
    CHECK(part.size() == 3 * 80);
    CHECK(part == read_all(mem, q));
    q.from = q.to;
    CHECK(read_all(pg, q).empty());

    // last values: the latest of every channel
    const auto lv = pg.last_values("M0002");
    REQUIRE(lv.size() == 2);
    CHECK(lv[0].ch == A);
    CHECK(lv[0].time == jan31 + 1800 * 1000);
    CHECK(lv[0].value == 77'000'000);
    CHECK(lv[1].ch == A_t1);
    CHECK(lv[1].time == jan31 + 1800 * 191);
    CHECK(lv[1].value == 1002 * 1'000'000 + 191 * 127'000 + 7);
    const auto mv = mem.last_values("M0002");
    REQUIRE(mv.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(lv[i].ch == mv[i].ch);
        CHECK(lv[i].time == mv[i].time);
        CHECK(lv[i].value == mv[i].value);
    }
}

TEST_CASE("postgres readings: a corrupt block is storage_corrupt naming meter, channel and month") {
    if (const auto why = servers_absent(); !why.empty()) {
        WARN("SKIPPED: " << why);
        return;
    }
    three_servers dbs;
    postgres_store pg(dbs.coordinator(), postgres_store::mode::create, postgres_options{.partitions = 2});
    populate(pg, 2);
    pg.put_readings(half_hourly(2, jan31, 10, 2));
    {
        PGconn* c = PQconnectdb(dbs.coordinator().c_str());
        PQclear(PQexec(c,
                       "UPDATE readings SET data='\\x01ff'::bytea WHERE meter=(SELECT id FROM meters WHERE "
                       "serial='M0001') AND month=648"));
        PQfinish(c);
    }
    try {
        read_all(pg, {});
        FAIL("no error");
    } catch (const storage_error& e) {
        CHECK(e.code() == errc::storage_corrupt);
        CHECK_THAT(std::string(e.what()), Catch::Contains("meter 'M0001'") &&
                                              Catch::Contains("month 2024-01") &&
                                              Catch::Contains("channel active_import"));
    }
}

TEST_CASE(
    "postgres distribution: rows move to the shards, writes land there, direct reads equal the "
    "coordinator's") {
    if (const auto why = servers_absent(); !why.empty()) {
        WARN("SKIPPED: " << why);
        return;
    }
    three_servers dbs;
    postgres_options o;
    o.partitions = 6;
    memory_store mem;
    {
        postgres_store pg(dbs.coordinator(), postgres_store::mode::create, o);
        populate(pg, 30);
        populate(mem, 30);
        const auto b = half_hourly(30, jan31, 3 * 48, 3);
        pg.put_readings(b);
        mem.put_readings(b);
        const auto before = read_all(pg, {});

        // this server keeps partitions 0 and 3, shard 1 gets 1 and 4, shard 2 gets 2 and 5
        pg.distribute({"local", dbs.shard(1), dbs.shard(2)});
        const auto l = pg.layout();
        REQUIRE(l.size() == 3);
        CHECK(l[0].server == "local");
        CHECK(l[0].partitions == std::vector<int>{0, 3});
        CHECK(l[1].server == "kvant_shard_1");
        CHECK(l[1].partitions == std::vector<int>{1, 4});
        CHECK_THAT(l[1].where, Catch::Contains(dbs.names[1]));
        CHECK(l[2].server == "kvant_shard_2");
        CHECK(l[2].partitions == std::vector<int>{2, 5});
        CHECK_THAT(l[2].where, Catch::Contains(dbs.names[2]));
        CHECK(pg.reading_count() == 30 * 2 * 3 * 48);

        // the rows are on the shards, as plain tables
        std::size_t on_shards = 0;
        for (int s = 1; s <= 2; ++s) {
            PGconn* c = PQconnectdb(dbs.shard(s).c_str());
            PGresult* r =
                PQexec(c, s == 1 ? "SELECT (SELECT coalesce(sum(count),0) FROM readings_p1)+(SELECT "
                                   "coalesce(sum(count),0) FROM readings_p4)"
                                 : "SELECT (SELECT coalesce(sum(count),0) FROM readings_p2)+(SELECT "
                                   "coalesce(sum(count),0) FROM readings_p5)");
            REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
            on_shards += std::stoul(PQgetvalue(r, 0, 0));
            PQclear(r);
            PQfinish(c);
        }
        CHECK(on_shards > 0);
        CHECK(on_shards < 30 * 2 * 3 * 48);
        CHECK(read_all(pg, {}) == before);

        // writes through the coordinator: new blocks and rewritten ones (a replaced value in every meter)
        const auto b2 = half_hourly(30, jan31 + 3 * 86400, 48, 4);
        CHECK(pg.put_readings(b2).inserted == b2.size());
        mem.put_readings(b2);
        reading_table b3;
        for (int m = 0; m < 30; ++m)
            b3.push(b3.meter_slot(serial_of(m)), b3.channel_slot(A), jan31 + 1800 * 5, 42'000'000 + m);
        CHECK(pg.put_readings(b3, on_conflict::replace).replaced == 30);
        mem.put_readings(b3, on_conflict::replace);
        CHECK(pg.reading_count() == 30 * 2 * 4 * 48);
        CHECK(pg.reading_count("M0017") == 2 * 4 * 48);
    }
    std::vector<std::string> direct_chunks, coord_chunks;
    flat direct, coord;
    {
        postgres_store pg(dbs.coordinator(), postgres_store::mode::open, o);
        REQUIRE(pg.options().direct_shard_reads);
        direct = read_all(pg, {}, &direct_chunks);
    }
    {
        o.direct_shard_reads = false;
        postgres_store pg(dbs.coordinator(), postgres_store::mode::open, o);
        coord = read_all(pg, {}, &coord_chunks);
    }
    CHECK(direct.size() == 30 * 2 * 4 * 48);
    CHECK(direct == coord);
    CHECK(direct_chunks == coord_chunks);
    CHECK(direct == read_all(mem, {}));
    series_query q;
    q.meters = {"M0029", "M0004"};
    q.from = jan31 + 86400;
    q.to = jan31 + 2 * 86400 + 3600;
    CHECK(read_all(mem, q).size() == 2 * 2 * 50);
    {
        o.direct_shard_reads = true;
        postgres_store pg(dbs.coordinator(), postgres_store::mode::open, o);
        CHECK(read_all(pg, q) == read_all(mem, q));
    }

    // a shard out of reach: its foreign server pointed at a port nobody listens on
    {
        PGconn* c = PQconnectdb(dbs.coordinator().c_str());
        PQclear(PQexec(c, "ALTER SERVER kvant_shard_2 OPTIONS (SET host '127.0.0.1', SET port '9')"));
        PQfinish(c);
    }
    for (bool direct_reads : {true, false}) {
        o.direct_shard_reads = direct_reads;
        postgres_store pg(dbs.coordinator(), postgres_store::mode::open, o);
        try {
            read_all(pg, {});
            FAIL("no error");
        } catch (const storage_error& e) {
            INFO(e.what());
            CHECK(e.code() == errc::storage_io);
            if (direct_reads) CHECK_THAT(std::string(e.what()), Catch::Contains("kvant_shard_2"));
        }
    }
}

TEST_CASE("postgres readings: two writers of the same blocks queue, neither fails nor loses a value") {
    if (const auto why = servers_absent(); !why.empty()) {
        WARN("SKIPPED: " << why);
        return;
    }
    three_servers dbs;
    {
        postgres_store pg(dbs.coordinator(), postgres_store::mode::create, postgres_options{.partitions = 3});
        populate(pg, 8);
    }
    // writer w writes the half-hours k with k % 2 == w, 5 a batch, all into the same (meter, channel, month)
    // blocks: each batch rewrites blocks the other writer rewrites too
    const auto writer = [&](int w, std::string& error) {
        try {
            postgres_store pg(dbs.coordinator(), postgres_store::mode::open);
            for (int b = 0; b < 20; ++b) {
                reading_table t;
                for (int m = 0; m < 8; ++m)
                    for (int c = 0; c < 2; ++c)
                        for (int i = 0; i < 5; ++i) {
                            const int k = 2 * (b * 5 + i) + w;
                            t.push(t.meter_slot(serial_of(m)), t.channel_slot(c ? A_t1 : A),
                                   jan31 + 3600 * 24 + 60 * k, 1000 * k + m);
                        }
                pg.put_readings(t);
            }
        } catch (const std::exception& e) {
            error = e.what();
        }
    };
    std::string e0, e1;
    std::thread t0(writer, 0, std::ref(e0)), t1(writer, 1, std::ref(e1));
    t0.join();
    t1.join();
    CHECK(e0.empty());
    CHECK(e1.empty());
    postgres_store pg(dbs.coordinator(), postgres_store::mode::open);
    CHECK(pg.reading_count() == 8 * 2 * 200);
    const auto all = read_all(pg, {});
    REQUIRE(all.size() == 8 * 2 * 200);
    for (int m = 0; m < 8; ++m)
        for (int k = 0; k < 200; ++k)
            CHECK(std::get<0>(all.at({serial_of(m), A.code(), jan31 + 3600 * 24 + 60 * k})) == 1000 * k + m);
    const auto lv = pg.last_values(serial_of(5));
    REQUIRE(lv.size() == 2);
    CHECK(lv[0].time == jan31 + 3600 * 24 + 60 * 199);
    CHECK(lv[0].value == 1000 * 199 + 5);
}

TEST_CASE(
    "postgres readings: more meters than a cursor batch, read ahead or inside a transaction, in order") {
    if (const auto why = servers_absent(); !why.empty()) {
        WARN("SKIPPED: " << why);
        return;
    }
    three_servers dbs;
    postgres_store pg(dbs.coordinator(), postgres_store::mode::create, postgres_options{.partitions = 5});
    memory_store mem;
    populate(pg, 600);
    populate(mem, 600);
    const auto b = half_hourly(600, jan31 + 86400, 3, 5);
    pg.put_readings(b);
    mem.put_readings(b);
    const auto expected = read_all(mem, {});
    REQUIRE(expected.size() == 600 * 2 * 3);
    CHECK(read_all(pg, {}) == expected);  // a connection of the cursor's own reads the next batch ahead
    {
        transaction tx(pg);  // rolled back at the end of the scope
        reading_table more;
        more.push(more.meter_slot("M0599"), more.channel_slot(A), jan31 + 86400 * 5, 1);
        pg.put_readings(more);
        auto seen = read_all(pg, {});  // inside the transaction: its own write is seen
        CHECK(seen.size() == expected.size() + 1);
        CHECK(std::get<0>(seen.at({"M0599", A.code(), jan31 + 86400 * 5})) == 1);
        seen.erase({"M0599", A.code(), jan31 + 86400 * 5});
        CHECK(seen == expected);
    }
    CHECK(read_all(pg, {}) == expected);
}

TEST_CASE("postgres distribution: a shard whose table holds rows is refused, the layout stays as it was") {
    if (const auto why = servers_absent(); !why.empty()) {
        WARN("SKIPPED: " << why);
        return;
    }
    three_servers dbs;
    postgres_store pg(dbs.coordinator(), postgres_store::mode::create, postgres_options{.partitions = 2});
    populate(pg, 4);
    pg.put_readings(half_hourly(4, jan31, 5, 6));
    {
        PGconn* c = PQconnectdb(dbs.shard(2).c_str());
        PGresult* r =
            PQexec(c,
                   "CREATE TABLE readings_p1(meter bigint, channel bigint, month integer, first_time "
                   "bigint, last_time bigint, count integer, data bytea);INSERT INTO readings_p1 "
                   "VALUES(1,1,1,1,1,1,'\\x00')");
        REQUIRE(PQresultStatus(r) == PGRES_COMMAND_OK);
        PQclear(r);
        PQfinish(c);
    }
    try {
        pg.distribute({dbs.shard(1), dbs.shard(2)});
        FAIL("no error");
    } catch (const storage_error& e) {
        CHECK(e.code() == errc::storage_conflict);
        CHECK_THAT(std::string(e.what()), Catch::Contains(dbs.names[2]) && Catch::Contains("readings_p1"));
    }
    const auto l = pg.layout();
    REQUIRE(l.size() == 1);
    CHECK(l[0].server == "local");
    CHECK(l[0].partitions == std::vector<int>{0, 1});
    CHECK(pg.reading_count() == 4 * 2 * 5);
    CHECK_THROWS_AS(pg.distribute({}), config_error);
}

// Input: 600 meters distributed over two shards, read directly; after the first chunk, shard 2's connections
// are ended by its server (pg_terminate_backend), so the read of the third batch of 256 meters fails.
// Contract: the failure is a storage_error naming no password, and every later next() says so again (before,
// the cursor called get() again on the future whose failure it had already taken: std::future_error, or
// worse).
TEST_CASE("postgres direct shard reads: a shard failing mid-scan fails the cursor for good") {
    if (const auto why = servers_absent(); !why.empty()) {
        WARN("SKIPPED: " << why);
        return;
    }
    three_servers dbs;
    {
        postgres_store pg(dbs.coordinator(), postgres_store::mode::create, postgres_options{.partitions = 4});
        populate(pg, 600);
        pg.put_readings(half_hourly(600, jan31, 2, 9));
        pg.distribute({dbs.shard(1), dbs.shard(2)});
    }
    postgres_options o;
    o.direct_shard_reads = true;
    postgres_store pg(dbs.coordinator(), postgres_store::mode::open, o);
    auto cur = pg.scan({});
    series_chunk ch;
    REQUIRE(cur->next(ch));
    end_other_connections(dbs.shard(2));
    const auto [chunks, failures] = read_through_failures(*cur);
    CHECK(failures == 2);
    CHECK(1 + chunks >= 256 * 2);  // the first two batches were read (the second before the shard went)
    CHECK(1 + chunks < 600 * 2);
}

// Input: 300 meters on one server, read inside a transaction (a cursor then reads its two batches through
// the store's own connection, which sees the transaction's writes); after the first chunk the server ends
// that connection (pg_terminate_backend). Contract: the second batch's read fails with storage_io, and so
// does every later next() (before, the failed batch had been passed over: the next call returned false,
// and the data ended early without a word).
TEST_CASE("postgres cursor: a batch that cannot be read fails the cursor for good") {
    if (const auto why = servers_absent(); !why.empty()) {
        WARN("SKIPPED: " << why);
        return;
    }
    three_servers dbs;
    postgres_store pg(dbs.coordinator(), postgres_store::mode::create, postgres_options{.partitions = 2});
    populate(pg, 300);
    pg.put_readings(half_hourly(300, jan31, 2, 11));
    series_chunk ch;
    transaction tx(pg);
    auto cur = pg.scan({});
    REQUIRE(cur->next(ch));
    end_other_connections(dbs.coordinator());
    const auto [chunks, failures] = read_through_failures(*cur);
    CHECK(failures == 2);
    CHECK(1 + chunks == 256 * 2);  // the first batch, read before the connection went
}
