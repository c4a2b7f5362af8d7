// The store contract, checked on every backend (memory and SQLite), then SQLite's own behaviour: persistence,
// schema versioning, refusing foreign files, read-only mode.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <thread>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include "store_backends.hpp"
#include "support.hpp"

#include "kvant/algorithms/anomalies.hpp"
#include "kvant/store/memory_store.hpp"
#include "kvant/store/sqlite_store.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

std::filesystem::path temp_db(const char* tag) {
    static std::mt19937_64 rng{std::random_device{}()};
    auto p = std::filesystem::temp_directory_path() /
             ("kvant-test-" + std::string(tag) + "-" + std::to_string(rng()) + ".db");
    return p;
}
void remove_db(const std::filesystem::path& p) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
}

/// A small organisation: one abonent, one account, one point, one two-tariff model, one meter 9000106.
void populate(store& s) {
    organization o;
    o.id = "dnt-demo";
    o.name = "ДНТ Демо";
    o.time_zone = zone::parse("Europe/Moscow");
    s.put(o);
    s.put(
        abonent{"ab-1", "dnt-demo", abonent_kind::person, "Васильев Роман Михайлович", "", "", std::nullopt});
    account a;
    a.number = "A15900009360";
    a.abonent = "ab-1";
    s.put(a);
    s.put(metering_point{"tp-1", "A15900009360", "Основной", "Дом", "В доме", ""});
    meter_model m;
    m.id = "neva-mt114-2t";
    m.name = "NEVA MT 114";
    m.tariff_registers = 2;
    m.verification_interval_years = 16;
    s.put(m);
    meter x;
    x.serial = "9000106";
    x.model = "neva-mt114-2t";
    x.point = "tp-1";
    x.installed = parse_date("2019-09-21");
    s.put(x);
}

/// Active energy import, total and T1: an electricity meter's main channels.
const channel A = channel::main(resource::electricity);
const channel A_t1 = channel::main(resource::electricity, register_id::t1);

reading_table batch(std::initializer_list<std::tuple<const char*, const char*, const char*>> rows) {
    reading_table t;
    for (const auto& [serial, time, total] : rows) {
        reading r;
        r.meter = serial;
        r.time = at(time);
        r.set(A, dec(total));
        t.push(r);
    }
    return t;
}

const instant ever_from = from_unix(0);
const instant ever_to = from_unix(4'000'000'000);
}  // namespace

TEMPLATE_TEST_CASE("entities are upserted by key and read back equal", "[store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const auto m = b.s.template find<meter>("9000106");
    REQUIRE(m);
    CHECK(m->model == "neva-mt114-2t");
    CHECK(m->installed == parse_date("2019-09-21"));
    CHECK_FALSE(b.s.template find<meter>("nope"));
    meter changed = *m;
    changed.last_verification = parse_date("2019-05-20");
    b.s.put(changed);
    CHECK(*b.s.template find<meter>("9000106") == changed);
    CHECK(b.s.template all<meter>().size() == 1);
    CHECK(b.s.template find<organization>("dnt-demo")->time_zone->name() == "Europe/Moscow");
    const fleet f = load_fleet(b.s);
    CHECK(f.organization_of(*f.find_meter("9000106"))->id == "dnt-demo");
}

TEMPLATE_TEST_CASE("references must exist, invalid entities are refused", "[store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    try {
        b.s.put(abonent{"ab-2", "no-such-org", abonent_kind::person, "X", "", "", std::nullopt});
        FAIL("no exception");
    } catch (const validation_error& e) {
        CHECK(e.code() == errc::unknown_reference);
        CHECK(e.where().field == "organization");
        CHECK(e.reason() == "abonent ab-2: unknown organization 'no-such-org'");
    }
    meter m;
    m.serial = "98990006";
    m.point = "tp-missing";
    CHECK_THROWS_AS(b.s.put(m), validation_error);
    m.point.clear();
    m.model = "no-model";
    CHECK_THROWS_AS(b.s.put(m), validation_error);
    organization bad;
    bad.id = "x";
    bad.name = "X";
    bad.inn = "770708389";  // 9 digits: malformed under any policy
    CHECK_THROWS_WITH(b.s.put(bad), Catch::Contains("INN '770708389' must be 10 digits"));
    bad.inn = "7707083894";  // a wrong check digit: refused only under the strict policy
    b.s.set_validation_policy(validation_policy::strict);
    CHECK_THROWS_WITH(b.s.put(bad), Catch::Contains("INN '7707083894' has a wrong check digit"));
    CHECK(b.s.template all<organization>().size() == 1);
    b.s.set_validation_policy(validation_policy::lenient);
    CHECK_FALSE(b.s.template find<meter>("98990006"));
}

TEMPLATE_TEST_CASE("readings are keyed by meter and time, the same data twice changes nothing", "[store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const auto data = batch({{"9000106", "2020-07-30T13:16:00Z", "10084.08"},
                             {"9000106", "2020-07-29T13:16:00Z", "10080.00"},
                             {"9000106", "2020-07-31T13:16:00Z", "10090.5"}});
    auto st = b.s.put_readings(data);
    CHECK(st.inserted == 3);
    st = b.s.put_readings(data);
    CHECK(st.inserted == 0);
    CHECK(st.unchanged == 3);
    CHECK(b.s.reading_count() == 3);
    CHECK(b.s.reading_count("9000106") == 3);
    CHECK(b.s.reading_count("nope") == 0);
    // ordered by time, [from, to)
    const auto got = b.s.readings("9000106", at("2020-07-29T13:16:00Z"), at("2020-07-31T13:16:00Z"));
    REQUIRE(got.size() == 2);
    const auto rows = got.to_readings();
    CHECK(rows[0].time == at("2020-07-29T13:16:00Z"));
    CHECK(*rows[1][A] == dec("10084.08"));
    CHECK_FALSE(rows[1][A_t1]);
    const auto last = b.s.last_reading("9000106");
    REQUIRE(last);
    CHECK(*(*last)[A] == dec("10090.5"));
    const auto lv = b.s.last_values("9000106");
    REQUIRE(lv.size() == 1);
    CHECK(lv[0].ch == A);
    CHECK(lv[0].time == to_unix(at("2020-07-31T13:16:00Z")));
    CHECK(lv[0].value == dec("10090.5").raw());
    CHECK(b.s.last_reading("9000106", at("2020-07-30T13:15:59Z"))->time == at("2020-07-29T13:16:00Z"));
    CHECK_FALSE(b.s.last_reading("9000106", at("2020-01-01T00:00:00Z")));
}

TEMPLATE_TEST_CASE("a conflicting reading fails, is kept or replaced as asked", "[store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    b.s.put_readings(batch({{"9000106", "2020-08-20T06:05:00Z", "352.248"}}));
    const auto other =
        batch({{"9000106", "2020-08-21T06:05:00Z", "352.3"}, {"9000106", "2020-08-20T06:05:00Z", "352.24"}});
    try {
        b.s.put_readings(other);
        FAIL("no exception");
    } catch (const reading_conflict& c) {
        CHECK(c.row() == 1);
        CHECK(c.code() == errc::storage_conflict);
        CHECK(std::string(c.message()).find("active_import stored 352.248, new 352.24") != std::string::npos);
    }
    CHECK(b.s.reading_count() == 1);  // the failed batch left nothing behind
    auto st = b.s.put_readings(other, on_conflict::keep);
    CHECK(st.inserted == 1);
    CHECK(st.kept == 1);
    CHECK(b.s.last_reading("9000106", at("2020-08-20T06:05:00Z"))->values[0].value == dec("352.248"));
    st = b.s.put_readings(other, on_conflict::replace);
    CHECK(st.replaced == 1);
    CHECK(st.unchanged == 1);
    CHECK(b.s.last_reading("9000106", at("2020-08-20T06:05:00Z"))->values[0].value == dec("352.24"));
    // two different values for one key within one batch conflict too
    CHECK_THROWS_AS(b.s.put_readings(batch({{"9000106", "2020-09-01T00:00:00Z", "1"},
                                            {"9000106", "2020-09-01T00:00:00Z", "2"}})),
                    reading_conflict);
    CHECK(b.s.reading_count() == 2);
}

TEMPLATE_TEST_CASE("readings of an unknown meter are refused whole", "[store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    try {
        b.s.put_readings(
            batch({{"9000106", "2020-08-20T06:05:00Z", "1"}, {"98990006", "2020-08-20T06:05:00Z", "2"}}));
        FAIL("no exception");
    } catch (const validation_error& e) {
        CHECK(e.code() == errc::unknown_reference);
        CHECK(e.reason() == "unknown meter '98990006'");
    }
    CHECK(b.s.reading_count() == 0);
}

TEMPLATE_TEST_CASE("transactions roll back in the guard's destructor and nest", "[store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    {
        transaction outer(b.s);
        b.s.put_readings(batch({{"9000106", "2020-08-01T00:00:00Z", "1"}}));
        {
            transaction inner(b.s);
            b.s.put_readings(batch({{"9000106", "2020-08-02T00:00:00Z", "2"}}));
            // inner is not committed: its reading goes
        }
        CHECK(b.s.reading_count() == 1);
        {
            transaction inner(b.s);
            b.s.put_readings(batch({{"9000106", "2020-08-03T00:00:00Z", "3"}}));
            inner.commit();
        }
        CHECK(b.s.reading_count() == 2);
        outer.commit();
    }
    CHECK(b.s.reading_count() == 2);
    try {
        transaction t(b.s);
        b.s.put_readings(batch({{"9000106", "2020-08-04T00:00:00Z", "4"}}));
        meter m;
        m.serial = "98990006";
        b.s.put(m);
        throw std::runtime_error("the host fails half-way");
    } catch (const std::runtime_error&) {
    }
    CHECK(b.s.reading_count() == 2);
    CHECK_FALSE(b.s.template find<meter>("98990006"));
}

TEMPLATE_TEST_CASE("meter events are stored by meter, time and code", "[store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const std::vector<meter_event> ev{
        {"9000106", at("2020-08-03T10:02:00Z"), 1, event_kind::tamper, 6, "Terminal cover opened"},
        {"9000106", at("2020-08-01T10:02:00Z"), 7, event_kind::power, std::nullopt, "Power off"}};
    CHECK(b.s.put_events(ev).inserted == 2);
    CHECK(b.s.put_events(ev).unchanged == 2);
    const auto got = b.s.events("9000106", ever_from, ever_to);
    REQUIRE(got.size() == 2);
    CHECK(got[0] == ev[1]);
    CHECK(got[1] == ev[0]);
    CHECK(b.s.events("", at("2020-08-02T00:00:00Z"), ever_to).size() == 1);
    auto changed = ev;
    changed[0].message = "other";
    CHECK_THROWS_AS(b.s.put_events(changed), storage_error);
    CHECK(b.s.put_events(changed, on_conflict::replace).replaced == 1);
    const std::vector<meter_event> unknown{
        {"nope", at("2020-08-03T10:02:00Z"), 1, event_kind::tamper, {}, ""}};
    CHECK_THROWS_AS(b.s.put_events(unknown), validation_error);
}

TEST_CASE("SQLite: data persist across opening, the schema is versioned") {
    const auto file = temp_db("persist");
    {
        sqlite_store s(file);
        populate(s);
        s.put_readings(batch({{"9000106", "2020-08-20T06:05:00Z", "352.248"}}));
    }
    {
        sqlite_store s(file, sqlite_store::mode::read_only);
        CHECK(s.reading_count() == 1);
        CHECK(s.find<meter>("9000106"));
        CHECK_THROWS_AS(s.put_readings(batch({{"9000106", "2020-08-21T06:05:00Z", "352.3"}})), storage_error);
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
    int version = 0;
    sqlite3_exec(
        db, "PRAGMA user_version",
        [](void* v, int, char** vals, char**) {
            *static_cast<int*>(v) = std::atoi(vals[0]);
            return 0;
        },
        &version, nullptr);
    CHECK(version == sqlite_store::schema_version);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    try {
        sqlite_store s(file);
        FAIL("no exception");
    } catch (const storage_error& e) {
        CHECK(e.code() == errc::storage_schema);
        CHECK(std::string(e.message()).find("has schema version 99") != std::string::npos);
    }
    remove_db(file);
}

TEST_CASE("SQLite: a foreign database or a missing file is refused, not altered") {
    const auto file = temp_db("foreign");
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    sqlite3_close(db);
    CHECK_THROWS_WITH(sqlite_store(file), Catch::Contains("is a SQLite database but not a kvant one"));
    remove_db(file);
    const auto text = temp_db("text");
    { std::ofstream(text) << "meter,timestamp,value\n"; }
    CHECK_THROWS_AS(sqlite_store(text), storage_error);
    remove_db(text);
    try {
        sqlite_store s(temp_db("missing"), sqlite_store::mode::open);
        FAIL("no exception");
    } catch (const storage_error& e) {
        CHECK(e.code() == errc::storage_io);
    }
}

TEMPLATE_TEST_CASE("anomalies: detecting again creates no duplicate, a resolution is kept", "[store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    anomaly a;
    a.key = "reading_decrease:98990006:total:1597903500";
    a.type = anomaly_type::reading_decrease;
    a.meter = "98990006";
    a.from = at("2020-08-20T06:05:00Z");
    a.to = at("2020-08-21T06:05:00Z");
    a.text = message{message_code::reading_decrease,
                     {{"meter", "98990006"}, {"previous", "352.2480"}, {"current", "352.2400"}}};
    anomaly link = a;
    link.key = "no_link:98970005:1593161880";
    link.type = anomaly_type::no_link;
    link.meter = "98970005";
    const std::vector<anomaly> first{a, link};
    CHECK(b.s.put_anomalies(first).inserted == 2);
    auto again = b.s.put_anomalies(first);
    CHECK(again.inserted == 0);
    CHECK(again.unchanged == 2);
    CHECK(b.s.anomalies().size() == 2);
    CHECK(b.s.resolve_anomaly(a.key, at("2020-08-22T07:00:00Z"), "admin"));
    CHECK_FALSE(b.s.resolve_anomaly("no-such-key", at("2020-08-22T07:00:00Z"), "admin"));
    // the next run finds the no-link one again, a day longer: refreshed, still one; the resolved one stays
    // resolved
    link.to = at("2020-08-22T06:05:00Z");
    link.text =
        message{message_code::no_link, {{"meter", "98970005"}, {"days", "11"}, {"last", "26.06.2020 11:58"}}};
    const std::vector<anomaly> second{a, link};
    again = b.s.put_anomalies(second);
    CHECK(again.replaced == 1);
    CHECK(again.unchanged == 1);
    const auto open = b.s.anomalies(anomaly_status::open);
    REQUIRE(open.size() == 1);
    CHECK(open[0].render(language::ru) ==
          "Прибор учета не на связи более 11 дн. Последний сеанс связи был 26.06.2020 11:58");
    const auto done = b.s.anomalies(anomaly_status::resolved);
    REQUIRE(done.size() == 1);
    CHECK(done[0].resolved_by == "admin");
    CHECK(done[0].resolved_at == at("2020-08-22T07:00:00Z"));
    // the message read back is the type and its parameters; rendered, the seed's wording
    CHECK(done[0].text == a.text);
    CHECK(done[0].render(language::ru) ==
          "Прибор учета 98990006: Предыдущие показания: 352.2480, текущие показания: 352.2400");
    CHECK(done[0].render(language::en) ==
          "Meter 98990006: previous reading 352.2480, current reading 352.2400");
}

TEST_CASE("SQLite: a schema version 1 database is migrated when opened for writing") {
    const auto file = temp_db("migrate");
    {
        sqlite_store s(file);
        populate(s);
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
    // what schema 1 was: no anomalies, readings as rows of five registers (src/store/sqlite_store.cpp)
    REQUIRE(
        sqlite3_exec(db,
                     (std::string(test::drop_schema_v4_tables) +
                      "DROP TABLE anomalies; DROP TABLE blocks; DROP TABLE series; "
                      "CREATE TABLE readings(meter INTEGER NOT NULL REFERENCES meters(id) DEFERRABLE "
                      "INITIALLY DEFERRED, ts INTEGER NOT NULL, total INTEGER, t1 INTEGER, t2 INTEGER, t3 "
                      "INTEGER, t4 INTEGER, source INTEGER NOT NULL, accepted INTEGER, PRIMARY KEY(meter, "
                      "ts)) WITHOUT ROWID; "
                      "INSERT INTO readings VALUES(1,1597903500,352248000,200000000,NULL,NULL,NULL,1,"
                      "1597910000); PRAGMA user_version=1")
                         .c_str(),
                     nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    CHECK_THROWS_WITH(sqlite_store(file, sqlite_store::mode::read_only),
                      Catch::Contains("open it for writing once to migrate it"));
    {
        sqlite_store s(file, sqlite_store::mode::open);
        CHECK(s.find<meter>("9000106"));  // the data are still there
        anomaly a;
        a.key = "k";
        a.meter = "9000106";
        CHECK(s.put_anomalies(std::vector<anomaly>{a}).inserted == 1);
    }
    sqlite_store s(file, sqlite_store::mode::read_only);
    CHECK(s.anomalies().size() == 1);
    const auto r = s.readings("9000106", ever_from, ever_to).to_readings();
    REQUIRE(r.size() == 1);
    CHECK(r[0].time == from_unix(1597903500));
    CHECK(r[0].values == std::vector<channel_value>{{A, dec("352.248")}, {A_t1, dec("200")}});
    CHECK(r[0].source == reading_source::manual);
    CHECK(r[0].accepted == from_unix(1597910000));
    CHECK(s.check().empty());
    remove_db(file);
}

// ---- issue 8: the store defends itself

namespace {
/// Runs SQL on a database file behind the store's back (as an older release, a hand edit or a foreign tool
/// would), with foreign keys off so that any corruption can be written.
void raw_sql(const std::filesystem::path& file, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
    char* msg = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
    const std::string m = msg ? msg : "";
    sqlite3_free(msg);
    sqlite3_close(db);
    INFO(sql << ": " << m);
    REQUIRE(rc == SQLITE_OK);
}

template <class F>
errc code_of(F&& f) {
    try {
        f();
    } catch (const kvant::error& e) {
        return e.code();
    }
    return errc{};
}
}  // namespace

TEST_CASE("SQLite: a held write lock is storage_busy (retryable) after the busy timeout, then succeeds") {
    const auto file = temp_db("busy");
    sqlite_store a(file);
    populate(a);
    for (const auto timeout : {std::chrono::milliseconds{0}, std::chrono::milliseconds{200}}) {
        sqlite_store b(file, sqlite_store::mode::open, timeout);
        a.begin();  // A holds the write lock
        a.put_readings(batch({{"9000106", "2020-08-20T06:05:00Z", "352.248"}}), on_conflict::keep);
        organization o;
        o.id = "second-" + std::to_string(timeout.count());
        o.name = "Второе";
        o.time_zone = zone::parse("Europe/Moscow");
        try {
            b.put(o);
            FAIL("no exception while another connection holds the write lock");
        } catch (const storage_error& e) {
            CHECK(e.code() == errc::storage_busy);
            const std::string m(e.message());
            CHECK(m.find("another connection holds the write lock") != std::string::npos);
            CHECK(m.find("busy timeout of " + std::to_string(timeout.count()) + " ms") != std::string::npos);
        }
        CHECK_FALSE(b.find<organization>(o.id));  // nothing half-written
        // a batch of readings and a transaction of B's own are refused the same way
        CHECK(code_of([&] {
                  b.put_readings(batch({{"9000106", "2020-08-21T06:05:00Z", "352.3"}}));
              }) == errc::storage_busy);
        CHECK(code_of([&] { transaction t(b); }) == errc::storage_busy);
        a.commit();
        b.put(o);  // the lock is free: the same call succeeds
        CHECK(b.find<organization>(o.id));
        CHECK(a.reading_count() == 1);
    }
    remove_db(file);
}

TEST_CASE("SQLite: a busy store is storage_busy when opening, too, other failures keep their codes") {
    const auto file = temp_db("busy-open");
    {
        sqlite_store s(file);
        populate(s);
    }
    sqlite3* holder = nullptr;
    REQUIRE(sqlite3_open(file.string().c_str(), &holder) == SQLITE_OK);
    // an exclusive lock (rollback journal mode would take it for writing) blocks even readers
    REQUIRE(sqlite3_exec(holder, "PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    CHECK(code_of([&] { sqlite_store s(file, sqlite_store::mode::open, std::chrono::milliseconds{0}); }) ==
          errc::storage_busy);
    sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(holder);
    // a write to a read-only store is not busy: it keeps its I/O code
    sqlite_store ro(file, sqlite_store::mode::read_only, std::chrono::milliseconds{0});
    CHECK(code_of([&] {
              ro.put_readings(batch({{"9000106", "2020-08-20T06:05:00Z", "1"}}));
          }) == errc::storage_io);
    remove_db(file);
}

TEST_CASE("SQLite: invalid UTF-8 stored by an older release reads back, detects and stores anomalies") {
    // the landed release stored event messages unchecked; every `kvant anomalies detect` then failed with
    // [json.exception.type_error.316] because the tamper anomaly quotes the message
    const auto file = temp_db("bad-utf8");
    {
        sqlite_store s(file);
        populate(s);
        s.put_readings(batch(
            {{"9000106", "2020-08-20T06:05:00Z", "352.248"}, {"9000106", "2020-08-21T06:05:00Z", "353.1"}}));
        meter_event e;
        e.meter = "9000106";
        e.time = at("2020-08-20T10:00:00Z");
        e.code = 5;
        e.kind = event_kind::tamper;
        e.journal = 4;
        e.message = "placeholder";
        s.put_events(std::vector<meter_event>{e});
    }
    // "Вскрыт" + a lone continuation byte + "ие" + an ESC; and the same bytes inside an entity document
    raw_sql(file,
            "UPDATE meter_events SET message=CAST(X'D092D181D0BAD180D18BD182' || X'BF' || X'D0B8D0B5' || "
            "X'1B' AS "
            "TEXT); UPDATE metering_points SET doc=json_set(doc,'$.name',CAST(X'41FF42' AS TEXT))");
    sqlite_store s(file, sqlite_store::mode::open);
    const auto events = s.events("", ever_from, ever_to);
    REQUIRE(events.size() == 1);
    CHECK(events[0].message == "Вскрыт\xEF\xBF\xBDие\xEF\xBF\xBD");
    const auto f = load_fleet(s);
    REQUIRE(f.meters().size() == 1);
    CHECK(s.find<metering_point>("tp-1")->name ==
          "A\xEF\xBF\xBD"
          "B");
    const auto series = meter_series::from_table(
        std::make_shared<const reading_table>(s.readings("9000106", ever_from, ever_to)));
    const std::vector<anomaly_input> in{{&f.meters()[0], &series.front(), events}};
    const auto found = detect_anomalies(f, in, at("2020-08-22T00:00:00Z"));
    const auto tamper = std::find_if(found.begin(), found.end(),
                                     [](const anomaly& a) { return a.type == anomaly_type::tamper; });
    REQUIRE(tamper != found.end());
    CHECK(tamper->render(language::ru).find("Вскрыт\xEF\xBF\xBDие") != std::string::npos);
    CHECK(s.put_anomalies(found).inserted == found.size());
    CHECK(s.anomalies().size() == found.size());
    // and anomalies that carry invalid bytes from elsewhere (an API caller) are stored replaced, not refused
    anomaly odd = *tamper;
    odd.key = "odd";
    odd.text.set("text", "bad \xFF byte");
    CHECK(s.put_anomalies(std::vector<anomaly>{odd}).inserted == 1);
    bool seen = false;
    for (const auto& a : s.anomalies())
        if (a.key == "odd") seen = (a.text.param("text") == "bad \xEF\xBF\xBD byte");
    CHECK(seen);
    remove_db(file);
}

TEST_CASE("SQLite: a stored value that cannot be read is storage_corrupt naming table, key and column") {
    const auto file = temp_db("corrupt-read");
    {
        sqlite_store s(file);
        populate(s);
        s.put_readings(batch({{"9000106", "2020-08-20T06:05:00Z", "352.248"}}));
    }
    const auto first_message = [&](auto f) -> std::string {
        try {
            f();
        } catch (const storage_error& e) {
            CHECK(e.code() == errc::storage_corrupt);
            return e.what();
        }
        FAIL("no exception");
        return {};
    };
    sqlite_store s(file, sqlite_store::mode::read_only);
    const std::string block = "readings block of meter '9000106' channel active_import month 2020-08";
    // a block that is not a block: text, a truncated block, an unknown format version
    raw_sql(file, "UPDATE blocks SET data='352,248'");
    auto m = first_message([&] { s.readings("9000106", ever_from, ever_to); });
    CHECK(m.find("[kvant.storage.306]") == 0);
    CHECK(m.find(block) != std::string::npos);
    raw_sql(file, "UPDATE blocks SET data=X'0101'");
    m = first_message([&] { s.readings("9000106", ever_from, ever_to); });
    CHECK(m.find(block) != std::string::npos);
    // a block whose times are not of its month (moved by hand to September)
    { sqlite_store w(file, sqlite_store::mode::open); }
    raw_sql(file, "DELETE FROM blocks");
    {
        sqlite_store w(file, sqlite_store::mode::open);
        w.put_readings(batch({{"9000106", "2020-08-20T06:05:00Z", "352.248"}}), on_conflict::replace);
    }
    CHECK(s.readings("9000106", ever_from, ever_to).size() == 1);
    raw_sql(file, "UPDATE blocks SET id=id+1, month=month+1");
    m = first_message([&] { s.readings("9000106", ever_from, ever_to); });
    CHECK(m.find("readings block of meter '9000106' channel active_import month 2020-09: times "
                 "1597903500..1597903500 are not of the block's month") != std::string::npos);
    // a block whose times or count disagree with its row's columns (a flipped bit in the first time shifts
    // every time of the block; the columns prune range reads and answer reading_count)
    raw_sql(file, "UPDATE blocks SET id=id-1, month=month-1");
    for (const char* change : {"first_time=first_time+64, last_time=last_time+64", "count=2"}) {
        INFO(change);
        raw_sql(file, std::string("UPDATE blocks SET ") + change);
        m = first_message([&] { s.readings("9000106", ever_from, ever_to); });
        CHECK(m.find(block + ": the block holds 1 values at 1597903500..1597903500 but its row says") !=
              std::string::npos);
        series_query times_only;
        times_only.provenance = false;
        m = first_message([&] {
            auto c = s.scan(times_only);
            series_chunk ch;
            while (c->next(ch)) {
            }
        });
        CHECK(m.find(block) != std::string::npos);
        raw_sql(file, "UPDATE blocks SET first_time=1597903500, last_time=1597903500, count=1");
    }
    raw_sql(file, "UPDATE organizations SET doc='{not json'");
    m = first_message([&] { s.all<organization>(); });
    CHECK(m.find("stored organizations row 'dnt-demo': column 'doc' does not read back") !=
          std::string::npos);
    CHECK(s.readings("9000106", ever_from, ever_to).size() == 1);  // the rest reads
    // a write merges with what is stored: a block that cannot be read fails the write, naming it
    raw_sql(file, "UPDATE blocks SET data=X'00'");
    sqlite_store w(file, sqlite_store::mode::open);
    m = first_message([&] { w.put_readings(batch({{"9000106", "2020-08-21T06:05:00Z", "353"}})); });
    CHECK(m.find(block) != std::string::npos);
    remove_db(file);
}

namespace {
/// A populated database (entities, two readings, an event, an anomaly) tampered with `sql`, then checked.
std::vector<db_issue> check_after(const std::string& sql) {
    const auto file = temp_db("check");
    {
        sqlite_store s(file);
        populate(s);
        s.put_readings(batch(
            {{"9000106", "2020-08-20T06:05:00Z", "352.248"}, {"9000106", "2020-08-21T06:05:00Z", "353.1"}}));
        meter_event e;
        e.meter = "9000106";
        e.time = at("2020-08-20T10:00:00Z");
        e.code = 5;
        e.kind = event_kind::tamper;
        e.message = "Вскрытие";
        s.put_events(std::vector<meter_event>{e});
        anomaly a;
        a.key = "tamper:9000106:5:1597917600";
        a.type = anomaly_type::tamper;
        a.meter = "9000106";
        a.from = a.to = e.time;
        s.put_anomalies(std::vector<anomaly>{a});
    }
    if (!sql.empty()) raw_sql(file, "PRAGMA foreign_keys=OFF; " + sql);
    std::vector<db_issue> found;
    {
        sqlite_store s(file, sqlite_store::mode::read_only);
        found = s.check();
    }
    remove_db(file);
    return found;
}

/// Whether one error names this table, key, column and says `what`.
bool names(const std::vector<db_issue>& found, const std::string& table, const std::string& key,
           const std::string& column, const std::string& what) {
    for (const auto& i : found)
        if (i.level == severity::error && i.table == table && i.key == key && i.column == column &&
            i.what.find(what) != std::string::npos)
            return true;
    std::string all;
    for (const auto& i : found) all += i.to_string() + "\n";
    UNSCOPED_INFO("issues found:\n" << all);
    return false;
}
}  // namespace

TEST_CASE("SQLite check: a sound database has no issue") {
    CHECK(check_after("").empty());
}

TEST_CASE("SQLite check: documents must read back to the entity stored under their key") {
    auto f = check_after("UPDATE organizations SET doc='{not json'");
    CHECK(names(f, "organizations", "'dnt-demo'", "doc", "does not read back"));
    f = check_after("UPDATE meter_models SET doc=json_set(doc,'$.id','other')");
    CHECK(names(f, "meter_models", "'neva-mt114-2t'", "doc",
                "the document is of 'other', not of the key it is stored under"));
    f = check_after("UPDATE meters SET doc=json_set(doc,'$.point','tp-2')");
    CHECK(names(f, "meters", "'9000106'", "point", "holds 'tp-1' but the document says 'tp-2'"));
    f = check_after("UPDATE abonents SET doc=json_set(doc,'$.kind','martian')");
    CHECK(names(f, "abonents", "'ab-1'", "doc", "martian"));
    f = check_after(
        "UPDATE accounts SET number=CAST(X'41FF' AS TEXT), doc=json_set(doc,'$.number',CAST(X'41FF' AS "
        "TEXT))");
    CHECK(names(f, "accounts", "'A\\xFF'", "number", "invalid UTF-8 (byte 0xFF) at byte 1"));
    CHECK(names(f, "accounts", "'A\\xFF'", "doc", "invalid UTF-8 (byte 0xFF) at byte"));
}

TEST_CASE("SQLite check: foreign keys, named by row and column") {
    auto f =
        check_after("UPDATE abonents SET organization='ghost', doc=json_set(doc,'$.organization','ghost')");
    CHECK(names(f, "abonents", "'ab-1'", "organization",
                "refers to organizations 'ghost', which does not exist"));
    f = check_after("UPDATE series SET meter=99");
    CHECK(names(f, "series", "meter id 99 channel " + std::to_string(A.code()), "meter",
                "refers to meters '99'"));
    f = check_after("UPDATE blocks SET series=7");
    CHECK(names(f, "blocks", "block " + std::to_string(4096 + 607) + " (series 7, month 607)", "series",
                "refers to series '7', which does not exist"));
    f = check_after("DELETE FROM meters");
    CHECK(names(f, "meter_events", "meter id 1 at ts 1597917600, code 5", "meter", "does not exist"));
}

TEST_CASE("SQLite check: every block decodes and agrees with its key, columns and series") {
    const std::string key = "meter '9000106' channel active_import month 2020-08";  // month 607
    auto f = check_after("UPDATE blocks SET data=X'0F'");
    CHECK(names(f, "blocks", key, "data",
                "readings block of meter '9000106' channel active_import month 2020-08"));
    f = check_after("UPDATE blocks SET data='abc'");
    CHECK(names(f, "blocks", key, "data", "holds text 'abc', not a block"));
    f = check_after("UPDATE blocks SET count=3");
    CHECK(names(f, "blocks", key, "count", "holds integer 3 but the block has 2 values"));
    f = check_after("UPDATE blocks SET first_time=1");
    CHECK(names(f, "blocks", key, "first_time", "holds integer 1 but the block begins at 1597903500"));
    f = check_after("UPDATE blocks SET last_time='x'");
    CHECK(names(f, "blocks", key, "last_time", "holds text 'x' but the block ends at 1597989900"));
    f = check_after("UPDATE blocks SET id=id+1");
    CHECK(names(f, "blocks", key, "id", "is not series * 4096 + month"));
    f = check_after("UPDATE series SET last_value=1");
    CHECK(names(f, "series", key, "last_value",
                "holds 1 at 1597989900 but the series' last block ends with 353100000 at 1597989900"));
    f = check_after("UPDATE series SET channel=4294967295");
    CHECK(names(f, "series", "meter '9000106' channel code 4294967295 (not a channel)", "channel",
                "not a channel code"));
}

TEST_CASE("SQLite check: events have known kinds, codes in range, valid text") {
    auto f = check_after("UPDATE meter_events SET message=CAST(X'D092' || X'BF' AS TEXT)");
    CHECK(names(f, "meter_events", "meter '9000106' at ts 1597917600, code 5", "message",
                "invalid UTF-8 (byte 0xBF) at byte 2"));
    f = check_after("UPDATE meter_events SET message='a' || char(27) || '[2J'");
    CHECK(names(f, "meter_events", "meter '9000106' at ts 1597917600, code 5", "message",
                "control character 0x1B at byte 1"));
    f = check_after("UPDATE meter_events SET kind='zzz'");
    CHECK(names(f, "meter_events", "meter '9000106' at ts 1597917600, code 5", "kind", "not an event kind"));
    f = check_after("UPDATE meter_events SET code=4294967296");
    CHECK(names(f, "meter_events", "meter '9000106' at ts 1597917600, code 4294967296", "code", "outside"));
}

TEST_CASE("SQLite check: anomalies parse and agree with their columns") {
    auto f = check_after("UPDATE anomalies SET doc='[]'");
    CHECK(names(f, "anomalies", "'tamper:9000106:5:1597917600'", "doc", "does not read back"));
    f = check_after("UPDATE anomalies SET status='weird'");
    CHECK(names(f, "anomalies", "'tamper:9000106:5:1597917600'", "status", "not an anomaly status"));
    f = check_after("UPDATE anomalies SET begins=1");
    CHECK(names(f, "anomalies", "'tamper:9000106:5:1597917600'", "begins", "document begins at 1597917600"));
}

TEST_CASE("SQLite check: the schema, and a bounded list") {
    auto f = check_after("DROP TABLE meter_events");
    CHECK(names(f, "meter_events", "", "", "table is missing"));
    f = check_after("DROP INDEX anomalies_by_status; ALTER TABLE anomalies DROP COLUMN begins");
    CHECK(names(f, "anomalies", "", "begins", "column is missing"));
    // 30 bad rows: 20 listed, then one issue counting the other 10
    std::string many;
    for (int i = 0; i < 30; ++i)
        many += "INSERT INTO blocks VALUES(" + std::to_string(4096 + i) + ",1," + std::to_string(i) +
                ",0,0,1,X'00');";
    f = check_after(many);
    CHECK(std::count_if(f.begin(), f.end(), [](const db_issue& i) { return i.column == "data"; }) == 21);
    CHECK(names(f, "blocks", "", "data", "10 more issues like the ones above, not listed"));
}

TEST_CASE("SQLite check: a damaged page is reported, not thrown") {
    const auto file = temp_db("damaged");
    {
        sqlite_store s(file);
        populate(s);
        reading_table t;
        std::mt19937_64 rng(7);  // irregular values: blocks of several bytes a reading
        std::int64_t v = 0;
        for (int i = 0; i < 30000; ++i) {
            reading r;
            r.meter = "9000106";
            r.time = from_unix(1'600'000'000 + 1800 * i);
            v += static_cast<std::int64_t>(rng() % 1'000'000'000'000);
            r.set(A, decimal::from_raw(v));
            t.push(r);
        }
        s.put_readings(t);
    }
    raw_sql(file, "PRAGMA journal_mode=DELETE");  // everything in the main file
    const auto size = std::filesystem::file_size(file);
    REQUIRE(size > 8 * 8192);
    {
        // junk over the start of every page but the first (the schema): b-tree headers, block bytes
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        const std::string junk(200, '\x5A');
        for (std::uintmax_t at = 8192; at + junk.size() < size; at += 8192) {
            f.seekp(static_cast<std::streamoff>(at));
            f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
        }
    }
    std::vector<db_issue> found;
    {
        sqlite_store s(file, sqlite_store::mode::read_only);
        REQUIRE_NOTHROW(found = s.check());
    }
    bool integrity = false;
    for (const auto& i : found) integrity = integrity || i.what.find("integrity_check") != std::string::npos;
    CHECK(integrity);
    remove_db(file);
}

TEST_CASE("SQLite: stored text reads back valid by RFC 3629, one U+FFFD per bad byte") {
    const auto file = temp_db("rfc3629");
    {
        sqlite_store s(file);
        populate(s);
        meter_event e;
        e.meter = "9000106";
        e.time = at("2020-08-20T10:00:00Z");
        e.code = 1;
        s.put_events(std::vector<meter_event>{e});
    }
    const std::string r = "\xEF\xBF\xBD";  // U+FFFD
    // stored bytes (hex) → what a read gives, worked out by hand from RFC 3629 §4
    const std::vector<std::pair<const char*, std::string>> cases{
        {"F09F9880", "\xF0\x9F\x98\x80"},  // U+1F600, a valid 4-byte sequence, kept
        {"0941 0A0D", "\tA\n\r"},          // TAB, LF, CR are allowed (the space is SQL's: stripped below)
        {"C080", r + r},                   // an overlong NUL: two bad bytes
        {"EDA080", r + r + r},             // a UTF-16 surrogate (U+D800)
        {"F4908080", r + r + r + r},       // above U+10FFFF
        {"E282", r + r},                   // a truncated 3-byte sequence
        {"E282AC41",
         "\xE2\x82\xAC"
         "A"},                      // the euro sign, then A
        {"7F", r},                  // DEL
        {"1B5B324A", r + "[2J"},    // ESC [2J, a terminal command
        {"41FE42", "A" + r + "B"},  // FE never occurs in UTF-8
    };
    for (const auto& [hex, expected] : cases) {
        std::string h(hex);
        h.erase(std::remove(h.begin(), h.end(), ' '), h.end());
        raw_sql(file, "UPDATE meter_events SET message=CAST(X'" + h + "' AS TEXT)");
        sqlite_store s(file, sqlite_store::mode::read_only);
        const auto ev = s.events("9000106", ever_from, ever_to);
        REQUIRE(ev.size() == 1);
        INFO("stored bytes " << hex);
        CHECK(ev[0].message == expected);
    }
    remove_db(file);
}

TEMPLATE_TEST_CASE("a store refuses text it could not give back as written", "[store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    auto o = *b.s.template find<organization>("dnt-demo");
    o.name = "ДНТ \xFF";  // 'Д','Н','Т',' ' are 2+2+2+1 bytes: the bad byte is at 7
    try {
        b.s.put(o);
        FAIL("no exception");
    } catch (const validation_error& e) {
        CHECK(e.where().field == "name");
        CHECK(e.where().offset == 7);
    }
    CHECK(b.s.template find<organization>("dnt-demo")->name == "ДНТ Демо");
    meter_event e;
    e.meter = "9000106";
    e.time = at("2020-08-20T10:00:00Z");
    e.code = 5;
    e.message = "a\x1B[2J";
    try {
        b.s.put_events(std::vector<meter_event>{e});
        FAIL("no exception");
    } catch (const validation_error& x) {
        CHECK(x.where().field == "message");
        CHECK(x.where().offset == 1);
    }
    CHECK(b.s.events("", ever_from, ever_to).empty());
}

TEMPLATE_TEST_CASE("readings written through the API meet the same plausible ranges as an import", "[store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    auto refused = [&](std::int64_t t, std::int64_t v, std::int64_t accepted, const char* field) {
        reading_table batch;
        const auto slot = batch.meter_slot("9000106");
        const auto ch = batch.channel_slot(A);
        batch.push(slot, ch, 1'598'000'000, 1'000'000);  // a good row first
        batch.push(slot, ch, t, v, reading_source::automatic, accepted);
        const auto before = b.s.reading_count();
        try {
            (void)b.s.put_readings(batch, on_conflict::fail);
        } catch (const validation_error& e) {
            CHECK(e.code() == errc::out_of_range);
            CHECK(e.where().field == field);
            CHECK(std::string(e.what()).find("row 2") != std::string::npos);
            CHECK(b.s.reading_count() == before);  // nothing of the batch was written
            return true;
        }
        return false;
    };
    const std::int64_t ok_t = 1'598'100'000, missing = reading_table::missing_time;
    const std::int64_t max_value = 999'999'999'999'999'999LL;  // 999999999999.999999
    // 2100-01-01T00:00:00Z (4102444800) is the first implausible second; 1970-01-01T00:00:00Z the first
    // plausible
    CHECK(refused(4'102'444'800, 1'000'000, missing, "timestamp"));
    CHECK(refused(-1, 1'000'000, missing, "timestamp"));
    CHECK(refused(ok_t, -1, missing, "active_import"));
    CHECK(refused(ok_t, max_value + 1, missing, "active_import"));
    CHECK(refused(ok_t, 1'000'000, 4'102'444'800, "accepted"));
    CHECK_FALSE(refused(4'102'444'799, max_value, 0, ""));  // the edges themselves are stored
}

TEMPLATE_TEST_CASE("events and reading sources written through the API meet the import's ranges", "[store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    auto refused_field = [&](const meter_event& e) -> std::string {
        try {
            (void)b.s.put_events(std::vector<meter_event>{e}, on_conflict::fail);
        } catch (const validation_error& x) {
            CHECK(x.code() == errc::out_of_range);
            return x.where().field;
        }
        return "stored";
    };
    meter_event e;
    e.meter = "9000106";
    e.time = at("2100-01-01T00:00:00Z");  // the first implausible second
    e.code = 5;
    CHECK(refused_field(e) == "timestamp");
    e.time = at("2020-08-20T10:00:00Z");
    e.code = 1'000'000'000;  // event codes are 0..999999999
    CHECK(refused_field(e) == "code");
    e.code = -1;
    CHECK(refused_field(e) == "code");
    e.code = 999'999'999;
    CHECK(refused_field(e) == "stored");
    // a reading source outside the enum (a C caller's cast) would make every later read of the meter fail
    reading_table batch;
    batch.push(batch.meter_slot("9000106"), batch.channel_slot(A), 1'598'000'000, 1'000'000,
               static_cast<reading_source>(9));
    try {
        (void)b.s.put_readings(batch, on_conflict::fail);
        FAIL("a source of 9 was stored");
    } catch (const validation_error& x) {
        CHECK(x.where().field == "source");
    }
    CHECK(b.s.reading_count("9000106") == 0);
}

TEST_CASE("two connections creating one new database at once both succeed: the write lock decides") {
    // Before: the second failed at once with "table kvant_meta already exists" (code 300) or a busy
    // journal_mode change, without waiting. Threads stand for processes: each has its own connection.
    for (int round = 0; round < 20; ++round) {
        const auto file = temp_db("create-race");
        remove_db(file);
        std::array<std::string, 2> failure;
        std::array<std::thread, 2> workers;
        for (std::size_t k = 0; k < 2; ++k)
            workers[k] = std::thread([&, k] {
                try {
                    sqlite_store s(file);
                    organization o;
                    o.id = "org-" + std::to_string(k);
                    o.name = "Org";
                    s.put(o);
                } catch (const std::exception& e) {
                    failure[k] = e.what();
                }
            });
        for (auto& w : workers) w.join();
        INFO("first: " << failure[0] << "; second: " << failure[1]);
        CHECK(failure[0].empty());
        CHECK(failure[1].empty());
        sqlite_store s(file, sqlite_store::mode::read_only);
        CHECK(s.all<organization>().size() == 2);
        remove_db(file);
    }
}

// ---- schema 3: channels, blocks, the cursor, migration

namespace {
channel ch(const char* name) {
    return parse_channel(name);
}
/// A heat meter H-1 and a water meter W-1 beside the populated electricity meter 9000106.
void add_heat_and_water(store& s) {
    meter h;
    h.serial = "H-1";
    h.point = "tp-1";
    h.measures = resource::heat;
    s.put(h);
    meter w;
    w.serial = "W-1";
    w.point = "tp-1";
    w.measures = resource::cold_water;
    s.put(w);
}
/// Every value a cursor gives for a query, as (meter, channel code, time, value, source, accepted) rows,
/// checking on the way that chunks come in (meter, channel, time) order.
using row_t = std::tuple<std::string, std::uint32_t, std::int64_t, std::int64_t, int, std::int64_t>;
std::vector<row_t> scan_all(const store& s, const series_query& q, std::size_t* chunks = nullptr) {
    std::vector<row_t> out;
    series_chunk c;
    std::size_t n = 0;
    for (auto cur = s.scan(q); cur->next(c); ++n) {
        REQUIRE(c.size() > 0);
        REQUIRE(c.value.size() == c.size());
        REQUIRE((c.source.empty() || c.source.size() == c.size()));
        REQUIRE((c.accepted.empty() || c.accepted.size() == c.size()));
        for (std::size_t i = 0; i < c.size(); ++i) {
            row_t r{c.meter,
                    c.ch.code(),
                    c.time[i],
                    c.value[i],
                    c.source.empty() ? 0 : c.source[i],
                    c.accepted.empty() ? reading_table::missing_time : c.accepted[i]};
            if (!out.empty()) {
                const auto& p = out.back();
                INFO(std::get<0>(r) << " " << std::get<1>(r) << " " << std::get<2>(r));
                CHECK(std::tie(std::get<0>(p), std::get<1>(p), std::get<2>(p)) <
                      std::tie(std::get<0>(r), std::get<1>(r), std::get<2>(r)));
            }
            out.push_back(r);
        }
    }
    if (chunks) *chunks = n;
    return out;
}
}  // namespace

TEMPLATE_TEST_CASE("a heat meter's and an electricity meter's channels round-trip exactly", "[store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    add_heat_and_water(b.s);
    reading_table t;
    const auto e = t.meter_slot("9000106"), h = t.meter_slot("H-1");
    // written in no particular order: heat first, then electricity, channels interleaved
    const std::int64_t t0 = to_unix(at("2021-01-31T21:00:00Z")), t1 = to_unix(at("2021-02-28T21:00:00Z"));
    t.push(h, t.channel_slot(ch("return_temperature")), t1, raw("-3.75"), reading_source::manual, t1 + 60);
    t.push(h, t.channel_slot(channel::main(resource::heat)), t0, raw("12.345678"));
    t.push(h, t.channel_slot(ch("volume")), t0, raw("1234.5"));
    t.push(h, t.channel_slot(ch("flow_temperature")), t0, raw("-0.000001"));
    t.push(h, t.channel_slot(ch("return_temperature")), t0, raw("-40.5"));
    t.push(h, t.channel_slot(channel::main(resource::heat)), t1, raw("13.000001"));
    t.push(h, t.channel_slot(ch("flow_temperature")), t1, raw("95.25"), reading_source::estimated);
    t.push(e, t.channel_slot(ch("1.8.0")), t0, raw("10084.08"));
    t.push(e, t.channel_slot(ch("2.8.0")), t0, raw("12.5"));
    t.push(e, t.channel_slot(ch("3.8.0")), t0, raw("300.001"));
    t.push(e, t.channel_slot(ch("4.8.0")), t0, raw("44.4"), reading_source::abonent, t0 + 3600);
    t.push(e, t.channel_slot(ch("1.8.1")), t0, raw("7000"));
    t.push(e, t.channel_slot(ch("1.8.0")), t1, raw("10090.5"));
    CHECK(b.s.put_readings(t).inserted == t.size());
    CHECK(b.s.reading_count() == t.size());
    CHECK(b.s.reading_count("H-1") == 7);

    // what went in, sorted by meter, channel code, time: what the cursor must give back
    std::vector<row_t> expected;
    for (std::size_t i = 0; i < t.size(); ++i)
        expected.emplace_back(t.meter_of(i), t.channel_of(i).code(), t.times()[i], t.values()[i],
                              static_cast<int>(t.source(i)), t.accepted_at(i));
    std::sort(expected.begin(), expected.end());
    CHECK(scan_all(b.s, series_query{}) == expected);
    // by channel: the temperatures of the heat meter only
    series_query q;
    q.meters = {"H-1"};
    q.channels = {ch("flow_temperature"), ch("return_temperature")};
    const auto temps = scan_all(b.s, q);
    REQUIRE(temps.size() == 4);
    CHECK(std::get<3>(temps.front()) == raw("-0.000001"));
    CHECK(b.s.readings("H-1", ever_from, ever_to).size() == 7);
    // the last value of each channel, without history
    const auto lv = b.s.last_values("H-1");
    REQUIRE(lv.size() == 4);
    for (const auto& l : lv) CHECK(l.time == (l.ch == ch("volume") ? t0 : t1));
    const auto last = b.s.last_reading("9000106");
    REQUIRE(last);
    CHECK(last->time == from_unix(t1));
    CHECK(last->values == std::vector<channel_value>{{ch("1.8.0"), dec("10090.5")}});
}

TEMPLATE_TEST_CASE("the cursor: order, range trimming, series over many months", "[store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    add_heat_and_water(b.s);
    // a year of half-hourly values for W-1 and 9000106 (two channels), daily for H-1; written shuffled
    reading_table t;
    const std::int64_t start = to_unix(at("2021-01-01T00:00:00Z")), end = to_unix(at("2022-01-01T00:00:00Z"));
    const auto a = t.channel_slot(A), x = t.channel_slot(ch("2.8.0"));
    const auto w = t.channel_slot(channel::main(resource::cold_water));
    const auto heat = t.channel_slot(channel::main(resource::heat));
    for (std::int64_t s = start, k = 0; s < end; s += 1800, ++k) {
        t.push(t.meter_slot("9000106"), a, s, 1'000'000 * k);
        t.push(t.meter_slot("9000106"), x, s, 1000 * (k % 7));
        t.push(t.meter_slot("W-1"), w, s, 10'000 * k + (k % 3 == 0 ? 5 : 0),
               k % 100 == 0 ? reading_source::manual : reading_source::automatic);
        if (k % 48 == 0)
            t.push(t.meter_slot("H-1"), heat, s, 3'000'000 * k, reading_source::automatic, s + 1);
    }
    reading_table shuffled;
    {
        std::vector<std::size_t> p(t.size());
        std::iota(p.begin(), p.end(), std::size_t{0});
        std::shuffle(p.begin(), p.end(), std::mt19937_64(11));
        for (const auto i : p) shuffled.push_row(t, i);
    }
    CHECK(b.s.put_readings(shuffled).inserted == t.size());
    std::vector<row_t> all;
    for (std::size_t i = 0; i < t.size(); ++i)
        all.emplace_back(t.meter_of(i), t.channel_of(i).code(), t.times()[i], t.values()[i],
                         static_cast<int>(t.source(i)), t.accepted_at(i));
    std::sort(all.begin(), all.end());
    std::size_t chunks = 0;
    CHECK(scan_all(b.s, series_query{}, &chunks) == all);
    // serials in byte order: "9000106" < "H-1" < "W-1"
    CHECK(std::get<0>(all.front()) == "9000106");
    // a range across a month boundary, from the middle of March to the middle of May, exclusive end
    series_query q;
    q.from = to_unix(at("2021-03-15T12:00:00Z"));
    q.to = to_unix(at("2021-05-15T12:00:00Z"));
    std::vector<row_t> in_range;
    for (const auto& r : all)
        if (std::get<2>(r) >= q.from && std::get<2>(r) < q.to) in_range.push_back(r);
    std::size_t range_chunks = 0;
    const auto got = scan_all(b.s, q, &range_chunks);
    CHECK(got == in_range);
    CHECK(std::get<2>(got.front()) == q.from);
    // without provenance: times and values only, nothing else
    q.provenance = false;
    series_chunk c;
    for (auto cur = b.s.scan(q); cur->next(c);) {
        CHECK(c.source.empty());
        CHECK(c.accepted.empty());
    }
    // an empty or inverted range gives nothing
    q.to = q.from;
    CHECK(scan_all(b.s, q).empty());
    if constexpr (std::is_same_v<TestType, sqlite_backend>) {
        // one chunk a stored block: 4 series over 12 months; and 4 series over March, April, May
        CHECK(chunks == 4 * 12);
        CHECK(range_chunks == 4 * 3);
    }
}

TEMPLATE_TEST_CASE("conflict policies hold across blocks: the first conflicting row of the batch is named",
                   "[store]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const auto jan =
        batch({{"9000106", "2021-01-10T00:00:00Z", "1"}, {"9000106", "2021-01-20T00:00:00Z", "2"}});
    const auto feb =
        batch({{"9000106", "2021-02-10T00:00:00Z", "3"}, {"9000106", "2021-02-20T00:00:00Z", "4"}});
    b.s.put_readings(jan);
    b.s.put_readings(feb);
    // rows: 0 new in March, 1 conflicts in February, 2 conflicts in January, 3 same as stored in January,
    // 4 and 5 a repeat within the batch with two values in March
    const auto mixed = batch({{"9000106", "2021-03-01T00:00:00Z", "5"},
                              {"9000106", "2021-02-20T00:00:00Z", "4.5"},
                              {"9000106", "2021-01-10T00:00:00Z", "1.5"},
                              {"9000106", "2021-01-20T00:00:00Z", "2"},
                              {"9000106", "2021-03-02T00:00:00Z", "6"},
                              {"9000106", "2021-03-02T00:00:00Z", "7"}});
    try {
        b.s.put_readings(mixed);
        FAIL("no exception");
    } catch (const reading_conflict& c) {
        CHECK(c.row() == 1);
        CHECK(std::string(c.message()).find("active_import stored 4, new 4.5") != std::string::npos);
    }
    CHECK(b.s.reading_count() == 4);  // nothing of the batch
    auto st = b.s.put_readings(mixed, on_conflict::keep);
    CHECK(st.inserted == 2);   // rows 0, 4
    CHECK(st.kept == 3);       // rows 1, 2, 5
    CHECK(st.unchanged == 1);  // row 3
    CHECK(b.s.last_reading("9000106", at("2021-03-02T00:00:00Z"))->values[0].value == dec("6"));
    st = b.s.put_readings(mixed, on_conflict::replace);
    CHECK(st.inserted == 0);
    // row 1 and 2 replace; row 4 (6) equals the stored 6, row 5 (7) replaces it; rows 0, 3 unchanged
    CHECK(st.replaced == 3);
    CHECK(st.unchanged == 3);
    CHECK(b.s.last_reading("9000106", at("2021-03-02T00:00:00Z"))->values[0].value == dec("7"));
    CHECK(b.s.last_reading("9000106", at("2021-02-20T00:00:00Z"))->values[0].value == dec("4.5"));
    CHECK(b.s.last_values("9000106").front().value == dec("7").raw());
}

TEMPLATE_TEST_CASE("a replaced value takes its source and acceptance time, an unchanged one keeps them",
                   "[store]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    reading_table t;
    const auto m = t.meter_slot("9000106");
    const auto c = t.channel_slot(A);
    const std::int64_t t0 = to_unix(at("2021-05-01T00:00:00Z"));
    t.push(m, c, t0, raw("1"), reading_source::manual, t0 + 5);
    t.push(m, c, t0 + 60, raw("2"));
    b.s.put_readings(t);
    reading_table u;
    u.push(u.meter_slot("9000106"), u.channel_slot(A), t0, raw("1"), reading_source::estimated);  // unchanged
    u.push(u.meter_slot("9000106"), u.channel_slot(A), t0 + 60, raw("3"), reading_source::abonent, t0 + 99);
    const auto st = b.s.put_readings(u, on_conflict::replace);
    CHECK(st.unchanged == 1);
    CHECK(st.replaced == 1);
    const auto got = scan_all(b.s, series_query{});
    REQUIRE(got.size() == 2);
    CHECK(got[0] == row_t{"9000106", A.code(), t0, raw("1"), 1, t0 + 5});
    CHECK(got[1] == row_t{"9000106", A.code(), t0 + 60, raw("3"), 2, t0 + 99});
}

namespace {
/// The stored bytes of every block, by block id (behind the store's back).
std::map<std::int64_t, std::vector<unsigned char>> block_bytes(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(file.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT id, data FROM blocks", -1, &s, nullptr) == SQLITE_OK);
    std::map<std::int64_t, std::vector<unsigned char>> out;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, 1));
        out[sqlite3_column_int64(s, 0)].assign(p, p + sqlite3_column_bytes(s, 1));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}
void set_block(const std::filesystem::path& file, std::int64_t id, const std::vector<unsigned char>& bytes) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "UPDATE blocks SET data=? WHERE id=?", -1, &s, nullptr) == SQLITE_OK);
    sqlite3_bind_blob(s, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, id);
    REQUIRE(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_finalize(s);
    sqlite3_close(db);
}
}  // namespace

TEST_CASE("SQLite: a write into one block rewrites that block only") {
    const auto file = temp_db("one-block");
    {
        sqlite_store s(file);
        populate(s);
        s.put_readings(batch({{"9000106", "2021-01-10T00:00:00Z", "1"},
                              {"9000106", "2021-02-10T00:00:00Z", "2"},
                              {"9000106", "2021-03-10T00:00:00Z", "3"}}));
    }
    const auto before = block_bytes(file);
    REQUIRE(before.size() == 3);
    {
        sqlite_store s(file, sqlite_store::mode::open);
        CHECK(s.put_readings(batch({{"9000106", "2021-02-11T00:00:00Z", "2.5"}})).inserted == 1);
        CHECK(s.put_readings(batch({{"9000106", "2021-03-10T00:00:00Z", "3"}})).unchanged == 1);
    }
    const auto after = block_bytes(file);
    REQUIRE(after.size() == 3);
    auto it = before.begin(), jt = after.begin();
    CHECK(it->second == jt->second);          // January: the same bytes
    CHECK((++it)->second != (++jt)->second);  // February: rewritten
    CHECK((++it)->second == (++jt)->second);  // March: unchanged write, the same bytes
    remove_db(file);
}

TEST_CASE(
    "SQLite: corrupted block bytes are storage_corrupt naming the block, a check issue, never a crash") {
    const auto file = temp_db("flip");
    {
        sqlite_store s(file);
        populate(s);
        reading_table t;
        const auto m = t.meter_slot("9000106");
        const auto c = t.channel_slot(A);
        const std::int64_t t0 = to_unix(at("2021-04-01T00:00:00Z"));
        for (int i = 0; i < 200; ++i)
            t.push(m, c, t0 + 1800 * i + (i % 5 == 0 ? 7 : 0), 1'000 * i * i,
                   i % 9 == 0 ? reading_source::manual : reading_source::automatic,
                   i % 11 == 0 ? t0 + 1800 * i + 60 : reading_table::missing_time);
        s.put_readings(t);
    }
    const auto good = block_bytes(file);
    REQUIRE(good.size() == 1);
    const auto id = good.begin()->first;
    const auto& bytes = good.begin()->second;
    const std::string name = "readings block of meter '9000106' channel active_import month 2021-04";
    // an unknown format version: always refused
    auto bad = bytes;
    bad[0] = 0x0F;
    set_block(file, id, bad);
    {
        sqlite_store s(file, sqlite_store::mode::read_only);
        try {
            s.readings("9000106", ever_from, ever_to);
            FAIL("no exception");
        } catch (const storage_error& e) {
            CHECK(e.code() == errc::storage_corrupt);
            CHECK(std::string(e.message()).find(name) != std::string::npos);
        }
        const auto found = s.check();
        CHECK(names(found, "blocks", "meter '9000106' channel active_import month 2021-04", "data", name));
    }
    // every byte flipped in turn, and every truncation: a read either gives 200 values or storage_corrupt;
    // check() never throws and reports every block that does not read
    for (std::size_t i = 0; i < bytes.size() * 2; ++i) {
        bad = bytes;
        if (i < bytes.size())
            bad[i] ^= static_cast<unsigned char>(0x5A);
        else
            bad.resize(i - bytes.size());
        set_block(file, id, bad);
        sqlite_store s(file, sqlite_store::mode::read_only);
        bool corrupt = false;
        try {
            const auto r = s.readings("9000106", ever_from, ever_to);
            CHECK(r.size() <= 400);
        } catch (const storage_error& e) {
            CHECK(e.code() == errc::storage_corrupt);
            CHECK(std::string(e.message()).find(name) != std::string::npos);
            corrupt = true;
        }
        std::vector<db_issue> found;
        REQUIRE_NOTHROW(found = s.check());
        if (corrupt) {
            INFO("byte " << i);
            CHECK(std::any_of(found.begin(), found.end(),
                              [](const db_issue& d) { return d.table == "blocks"; }));
        }
    }
    remove_db(file);
}

namespace {
/// A copy of a schema-2 database the landed release wrote (tests/data/schema2/make_fixtures.sh).
std::filesystem::path fixture(const char* name) {
    const auto file = temp_db(name);
    std::filesystem::copy_file(std::filesystem::path(KVANT_TEST_DATA_DIR) / "schema2" / name, file);
    return file;
}
/// The readings of a meter as (channel, time, value, source, accepted).
std::vector<std::tuple<channel, std::int64_t, decimal, reading_source, std::optional<instant>>> values_of(
    const store& s, const char* serial) {
    std::vector<std::tuple<channel, std::int64_t, decimal, reading_source, std::optional<instant>>> out;
    for (const auto& r : s.readings(serial, ever_from, ever_to).to_readings())
        for (const auto& v : r.values) out.emplace_back(v.ch, to_unix(r.time), v.value, r.source, r.accepted);
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
        return std::tie(std::get<0>(x), std::get<1>(x)) < std::tie(std::get<0>(y), std::get<1>(y));
    });
    return out;
}
}  // namespace

TEST_CASE("SQLite: a schema-2 database of the landed release migrates on opening for writing") {
    const auto file = fixture("mixed.db");
    CHECK_THROWS_WITH(
        sqlite_store(file, sqlite_store::mode::read_only),
        Catch::Contains("has schema version 2; open it for writing once to migrate it to version " +
                        std::to_string(sqlite_store::schema_version)));
    std::size_t anomalies_before = 0;
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, "SELECT count(*) FROM anomalies", -1, &st, nullptr);
        sqlite3_step(st);
        anomalies_before = static_cast<std::size_t>(sqlite3_column_int64(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    { sqlite_store s(file, sqlite_store::mode::open); }
    sqlite_store s(file, sqlite_store::mode::read_only);
    CHECK(s.check().empty());
    CHECK(s.reading_count() == 16 + 3 + 3);  // E-100: 5 + 5 + 1 + 5 values; W-200 and H-300: 3 each
    const auto u = [](const char* t) { return to_unix(at(t)); };
    const auto E = [](int tariff) {
        return channel::main(resource::electricity, static_cast<register_id>(tariff));
    };
    using R = reading_source;
    const std::optional<instant> none;
    // readings.csv of the fixture, worked out by hand: total,t1..t4 → active import total, T1..T4
    std::vector<std::tuple<channel, std::int64_t, decimal, reading_source, std::optional<instant>>> e{
        {E(0), u("2020-01-31T21:00:00Z"), dec("1000.5"), R::automatic, none},
        {E(0), u("2020-02-29T21:00:00Z"), dec("1100.75"), R::manual, at("2020-03-01T08:15:00Z")},
        {E(0), u("2020-03-31T21:00:00Z"), dec("1200.000001"), R::abonent, at("2020-04-02T10:00:00Z")},
        {E(0), u("2020-04-30T21:00:00Z"), dec("1300"), R::estimated, none},
        {E(1), u("2020-01-31T21:00:00Z"), dec("400.1"), R::automatic, none},
        {E(1), u("2020-02-29T21:00:00Z"), dec("440.2"), R::manual, at("2020-03-01T08:15:00Z")},
        {E(1), u("2020-04-30T21:00:00Z"), dec("480"), R::estimated, none},
        {E(2), u("2020-01-31T21:00:00Z"), dec("300.2"), R::automatic, none},
        {E(2), u("2020-02-29T21:00:00Z"), dec("330.3"), R::manual, at("2020-03-01T08:15:00Z")},
        {E(2), u("2020-04-30T21:00:00Z"), dec("360"), R::estimated, none},
        {E(3), u("2020-01-31T21:00:00Z"), dec("200.1"), R::automatic, none},
        {E(3), u("2020-02-29T21:00:00Z"), dec("220.15"), R::manual, at("2020-03-01T08:15:00Z")},
        {E(3), u("2020-04-30T21:00:00Z"), dec("240"), R::estimated, none},
        {E(4), u("2020-01-31T21:00:00Z"), dec("100.1"), R::automatic, none},
        {E(4), u("2020-02-29T21:00:00Z"), dec("110.1"), R::manual, at("2020-03-01T08:15:00Z")},
        {E(4), u("2020-04-30T21:00:00Z"), dec("220"), R::estimated, none},
    };
    CHECK(values_of(s, "E-100") == e);
    const auto V = channel::main(resource::cold_water);
    CHECK(V == ch("volume"));
    CHECK(values_of(s, "W-200") ==
          decltype(e){{V, u("2020-01-31T21:00:00Z"), dec("12.345"), R::automatic, none},
                      {V, u("2020-02-29T21:00:00Z"), dec("15.5"), R::abonent, at("2020-03-03T12:00:00Z")},
                      {V, u("2020-03-31T21:00:00Z"), dec("19.001"), R::automatic, none}});
    const auto Q = channel::main(resource::heat);
    CHECK(Q.what == quantity::heat_energy);
    CHECK(values_of(s, "H-300") ==
          decltype(e){{Q, u("2020-01-31T21:00:00Z"), dec("3.125"), R::automatic, none},
                      {Q, u("2020-02-29T21:00:00Z"), dec("5.25"), R::manual, none},
                      {Q, u("2020-03-31T21:00:00Z"), dec("7.5"), R::automatic, at("2020-04-01T00:00:01Z")}});
    const auto lv = s.last_values("E-100");
    REQUIRE(lv.size() == 5);
    CHECK(lv[0].ch == E(0));
    CHECK(lv[0].time == u("2020-04-30T21:00:00Z"));
    CHECK(lv[0].value == dec("1300").raw());
    CHECK(s.events("", ever_from, ever_to).size() == 1);
    CHECK(s.anomalies().size() == anomalies_before);
    CHECK(s.all<meter>().size() == 3);
    remove_db(file);
}

TEST_CASE("SQLite: the landed demo's readings migrate value for value") {
    const auto file = fixture("demo3.db");
    { sqlite_store s(file, sqlite_store::mode::open); }
    sqlite_store s(file, sqlite_store::mode::read_only);
    CHECK(s.check().empty());
    // the CSV the fixture was imported from: every non-empty register cell is one stored value
    std::ifstream in(std::filesystem::path(KVANT_TEST_DATA_DIR) / "schema2" / "demo3-readings.csv");
    std::string line;
    std::getline(in, line);
    std::map<std::string, std::vector<std::tuple<channel, std::int64_t, decimal>>> expected;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::size_t p = 0;
        for (std::size_t q; (q = line.find(',', p)) != std::string::npos; p = q + 1)
            f.push_back(line.substr(p, q - p));
        f.push_back(line.substr(p));
        REQUIRE(f.size() == 9);
        const auto m = s.find<meter>(f[0]);
        REQUIRE(m);
        for (int r = 0; r < 5; ++r)
            if (!f[2 + r].empty()) {
                expected[f[0]].emplace_back(channel::main(m->measures, static_cast<register_id>(r)),
                                            to_unix(at(f[1].c_str())), dec(f[2 + r].c_str()));
                ++n;
            }
    }
    REQUIRE(expected.size() == 3);
    CHECK(s.reading_count() == n);
    for (auto& [serial, want] : expected) {
        std::sort(want.begin(), want.end());
        std::vector<std::tuple<channel, std::int64_t, decimal>> got;
        for (const auto& [c, t, v, src, acc] : values_of(s, serial.c_str())) got.emplace_back(c, t, v);
        INFO(serial);
        CHECK(got == want);
    }
    remove_db(file);
}

// ---- entry: the manual-entry log
namespace {
entry_record manual(const char* time, const char* total, const char* by, const char* entered_at,
                    entry_outcome outcome = entry_outcome::accepted) {
    entry_record e;
    e.entered.meter = "9000106";
    e.entered.time = at(time);
    e.entered.source = reading_source::manual;
    e.entered.set(A, dec(total));
    e.entered_by = by;
    e.entered_at = at(entered_at);
    e.outcome = outcome;
    e.findings.push_back(message{message_code::entry_accepted, {{"meter", "9000106"}, {"current", total}}});
    return e;
}
}  // namespace

TEMPLATE_TEST_CASE("entry log: an accepted entry stores its reading and the log row together", "[store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    b.s.put_readings(batch({{"9000106", "2020-08-20T06:05:00Z", "4030"}}));
    const auto first = manual("2020-08-21T06:05:00Z", "4043", "admin", "2020-08-21T06:10:00Z");
    b.s.enter_reading(first);
    // the reading, as manual
    const auto last = b.s.last_reading("9000106");
    REQUIRE(last);
    CHECK(last->time == at("2020-08-21T06:05:00Z"));
    CHECK((*last)[A] == dec("4043"));
    CHECK(last->source == reading_source::manual);
    // a refused entry is logged, its reading not stored
    auto refused =
        manual("2020-08-22T06:05:00Z", "4000", "operator", "2020-08-22T07:00:00Z", entry_outcome::refused);
    refused.findings = {message{message_code::reading_decrease,
                                {{"meter", "9000106"}, {"previous", "4043.00"}, {"current", "4000.00"}}}};
    b.s.enter_reading(refused);
    CHECK(b.s.reading_count("9000106") == 2);
    // an accepted entry whose reading conflicts with a stored one stores neither (one transaction)
    auto clash = manual("2020-08-21T06:05:00Z", "4044", "admin", "2020-08-21T08:00:00Z");
    CHECK_THROWS_AS(b.s.enter_reading(clash), storage_error);
    // read back per meter and reading-time range, in reading-time order
    const auto all = b.s.entries("9000106", at("2020-08-01T00:00:00Z"), at("2020-09-01T00:00:00Z"));
    REQUIRE(all.size() == 2);
    CHECK(all[0] == first);
    CHECK(all[1] == refused);
    CHECK(all[1].entered_by == "operator");
    CHECK(all[1].entered_at == at("2020-08-22T07:00:00Z"));
    CHECK(render(all[1].findings[0], language::ru) ==
          "Прибор учета 9000106: Предыдущие показания: 4043.00, текущие показания: 4000.00");
    const auto one_day = b.s.entries("9000106", at("2020-08-22T00:00:00Z"), at("2020-08-23T00:00:00Z"));
    REQUIRE(one_day.size() == 1);
    CHECK(one_day[0].outcome == entry_outcome::refused);
    CHECK(b.s.entries("other", at("2020-08-01T00:00:00Z"), at("2020-09-01T00:00:00Z")).empty());
    CHECK(b.s.entries({}, at("2020-08-01T00:00:00Z"), at("2020-09-01T00:00:00Z")).size() == 2);
    // unknown meter, nobody entering: refused, nothing logged
    auto stranger = first;
    stranger.entered.meter = "nope";
    CHECK_THROWS_AS(b.s.log_entry(stranger), validation_error);
    auto anonymous = first;
    anonymous.entered_by.clear();
    CHECK_THROWS_WITH(b.s.log_entry(anonymous), Catch::Contains("who entered the reading is required"));
    CHECK(b.s.entries({}, at("2020-08-01T00:00:00Z"), at("2020-09-01T00:00:00Z")).size() == 2);
}

TEST_CASE("SQLite: a schema-3 database gets the entry log on a writing open, a broken log row is named") {
    const auto file = temp_db("v3");
    {
        sqlite_store s(file);
        populate(s);
    }
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, (std::string(test::drop_schema_v4_tables) + "PRAGMA user_version=3").c_str(),
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    CHECK_THROWS_WITH(
        sqlite_store(file, sqlite_store::mode::read_only),
        Catch::Contains("has schema version 3; open it for writing once to migrate it to version 4 "
                        "(the tool: kvant migrate --db FILE)"));
    {
        sqlite_store s(file);
        s.log_entry(manual("2020-08-21T06:05:00Z", "4043", "admin", "2020-08-21T06:10:00Z"));
        CHECK(s.entries("9000106", at("2020-08-01T00:00:00Z"), at("2020-09-01T00:00:00Z")).size() == 1);
    }
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "UPDATE entry_log SET doc='{\"reading\": 5}'", nullptr, nullptr, nullptr) ==
                SQLITE_OK);
        sqlite3_close(db);
    }
    sqlite_store s(file, sqlite_store::mode::read_only);
    CHECK_THROWS_WITH(s.entries("9000106", at("2020-08-01T00:00:00Z"), at("2020-09-01T00:00:00Z")),
                      Catch::Contains("[kvant.storage.306] stored entry_log row '1': column 'doc'"));
    remove_db(file);
}

// ---- batches of events: the conflict policy row by row in batch order (postgres_store applies it in memory
// over one read of the stored rows; the others row by row), large batches and texts special in SQL arrays

TEMPLATE_TEST_CASE("events: a key written twice in one batch meets what the batch's earlier rows left",
                   "[store][batch]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const meter_event a{"9000106", at("2020-08-03T10:02:00Z"), 5, event_kind::tamper, 4, "a"};
    auto other = a;
    other.message = "b";
    const std::vector<meter_event> batch{a, a, other};
    // fail: the third row differs from the first, which the batch stored; nothing is written
    CHECK_THROWS_WITH(
        b.s.put_events(batch),
        "[kvant.storage.302] event 5 of meter 9000106 at 2020-08-03T10:02:00Z is stored already "
        "with other values");
    CHECK(b.s.events("", ever_from, ever_to).empty());
    // keep: inserted, then unchanged, then kept; the first value stays
    auto st = b.s.put_events(batch, on_conflict::keep);
    CHECK((st.inserted == 1 && st.unchanged == 1 && st.kept == 1 && st.replaced == 0));
    CHECK(b.s.events("", ever_from, ever_to) == std::vector<meter_event>{a});
    // a stored key met by b, a, b under replace: each differs from the row before it, three replaced
    const std::vector<meter_event> flip{other, a, other};
    st = b.s.put_events(flip, on_conflict::replace);
    CHECK((st.inserted == 0 && st.unchanged == 0 && st.replaced == 3 && st.kept == 0));
    CHECK(b.s.events("", ever_from, ever_to) == std::vector<meter_event>{other});
    // and under keep against the stored b: a kept, b unchanged, a kept
    const std::vector<meter_event> back{a, other, a};
    st = b.s.put_events(back, on_conflict::keep);
    CHECK((st.inserted == 0 && st.unchanged == 1 && st.replaced == 0 && st.kept == 2));
    CHECK(b.s.events("", ever_from, ever_to) == std::vector<meter_event>{other});
}

TEMPLATE_TEST_CASE("events: texts that are special in SQL and array literals read back as written",
                   "[store][batch]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    const std::vector<std::string> texts{"",     "NULL", "null", "a,b",      "{x,y}", "\"q\"", "back\\slash",
                                         " sp ", "'",    "долг", "\\\"{}\\", "(1,2)", "}"};
    std::vector<meter_event> ev;
    for (std::size_t i = 0; i < texts.size(); ++i)
        ev.push_back({"9000106", at("2020-08-03T10:02:00Z"), static_cast<int>(i), event_kind::other,
                      i % 2 ? std::optional<int>(static_cast<int>(i)) : std::nullopt, texts[i]});
    CHECK(b.s.put_events(ev).inserted == texts.size());
    CHECK(b.s.events("9000106", ever_from, ever_to) == ev);  // ordered by time, then code: as written
    CHECK(b.s.put_events(ev).unchanged == texts.size());
}

TEMPLATE_TEST_CASE("events: a batch of 120,001 rows over 3 meters is written and counted exactly",
                   "[store][batch]", memory_backend, sqlite_backend, postgres_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    for (const char* serial : {"m-2", "m-3"}) {
        meter m;
        m.serial = serial;
        b.s.put(m);
    }
    const char* meters[] = {"9000106", "m-2", "m-3"};
    std::vector<meter_event> ev;
    for (int i = 0; i < 120'000; ++i)
        ev.push_back({meters[i % 3], from_unix(1'600'000'000 + (i / 3) * 60), i % 2, event_kind::other,
                      std::nullopt, "n" + std::to_string(i)});
    ev.push_back(ev[7]);  // a repeat, 119,993 rows after its first
    auto st = b.s.put_events(ev);
    CHECK((st.inserted == 120'000 && st.unchanged == 1));
    CHECK(b.s.events("", ever_from, ever_to).size() == 120'000);
    CHECK(b.s.events("m-3", ever_from, ever_to).size() == 40'000);
    // the same again changes nothing; one row changed near the end is the one replaced
    ev.back().message = "changed";
    st = b.s.put_events(ev, on_conflict::replace);
    CHECK((st.inserted == 0 && st.unchanged == 120'000 && st.replaced == 1));
    const auto m2 = b.s.events("m-2", from_unix(1'600'000'000 + 2 * 60), from_unix(1'600'000'000 + 3 * 60));
    REQUIRE(m2.size() == 1);
    CHECK(m2[0].message == "changed");
}

TEST_CASE("PostgreSQL: a write to a read-only store is storage_io, as SQLite's is, and changes nothing",
          "[store][batch]") {
    KVANT_BACKEND_OR_SKIP(postgres_backend);
    postgres_backend b;
    populate(b.s);
    postgres_store ro(b.db.conninfo, postgres_store::mode::read_only);
    const meter_event e{"9000106", at("2020-08-03T10:02:00Z"), 5, event_kind::tamper, 4, "a"};
    CHECK(code_of([&] { ro.put_events(std::span(&e, 1)); }) == errc::storage_io);
    const auto off = comm_session{"9000106",         at("2020-08-21T06:00:00Z"), at("2020-08-21T06:00:35Z"),
                                  link_channel::gsm, session_result::ok,         ""};
    CHECK(code_of([&] { ro.put_sessions(std::span(&off, 1)); }) == errc::storage_io);
    // the store goes on reading (the failed write's transaction was rolled back)
    CHECK(ro.events("", ever_from, ever_to).empty());
    CHECK(ro.link_summaries().empty());
}
