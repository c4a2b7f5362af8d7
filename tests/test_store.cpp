// The store contract, checked on every backend (memory and SQLite), then SQLite's own behaviour: persistence,
// schema versioning, refusing foreign files, read-only mode.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include "support.hpp"

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

struct memory_backend {
    memory_store s;
};
struct sqlite_backend {
    std::filesystem::path file = temp_db("store");
    sqlite_store s{file};
    ~sqlite_backend() { remove_db(file); }
};

/// A small organisation: one abonent, one account, one point, one two-tariff model, one meter 9000106.
void populate(store& s) {
    organization o;
    o.id = "dnt-demo";
    o.name = "ДНТ Демо";
    o.time_zone = zone::parse("Europe/Moscow");
    s.put(o);
    s.put(abonent{"ab-1", "dnt-demo", abonent_kind::person, "Васильев Роман Михайлович", "", ""});
    account a;
    a.number = "A15900009360";
    a.abonent = "ab-1";
    s.put(a);
    s.put(metering_point{"tp-1", "A15900009360", "Основной", "Дом", "В доме"});
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

reading_table batch(std::initializer_list<std::tuple<const char*, const char*, const char*>> rows) {
    reading_table t;
    for (const auto& [serial, time, total] : rows) {
        reading r;
        r.meter = serial;
        r.time = at(time);
        r[register_id::total] = dec(total);
        t.push(r);
    }
    return t;
}

const instant ever_from = from_unix(0);
const instant ever_to = from_unix(4'000'000'000);
}  // namespace

TEMPLATE_TEST_CASE("entities are upserted by key and read back equal", "[store]", memory_backend,
                   sqlite_backend) {
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
                   sqlite_backend) {
    TestType b;
    populate(b.s);
    try {
        b.s.put(abonent{"ab-2", "no-such-org", abonent_kind::person, "X", "", ""});
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
    bad.inn = "7707083894";
    CHECK_THROWS_WITH(b.s.put(bad), Catch::Contains("INN '7707083894' has a wrong check digit"));
    CHECK(b.s.template all<organization>().size() == 1);
    CHECK_FALSE(b.s.template find<meter>("98990006"));
}

TEMPLATE_TEST_CASE("readings are keyed by meter and time; the same data twice changes nothing", "[store]",
                   memory_backend, sqlite_backend) {
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
    CHECK(got.row(0).time == at("2020-07-29T13:16:00Z"));
    CHECK(*got.row(1)[register_id::total] == dec("10084.08"));
    CHECK_FALSE(got.row(1)[register_id::t1]);
    const auto last = b.s.last_reading("9000106");
    REQUIRE(last);
    CHECK(*(*last)[register_id::total] == dec("10090.5"));
    CHECK(b.s.last_reading("9000106", at("2020-07-30T13:15:59Z"))->time == at("2020-07-29T13:16:00Z"));
    CHECK_FALSE(b.s.last_reading("9000106", at("2020-01-01T00:00:00Z")));
}

TEMPLATE_TEST_CASE("a conflicting reading fails, is kept or replaced as asked", "[store]", memory_backend,
                   sqlite_backend) {
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
        CHECK(std::string(c.message()).find("total stored 352.248, new 352.24") != std::string::npos);
    }
    CHECK(b.s.reading_count() == 1);  // the failed batch left nothing behind
    auto st = b.s.put_readings(other, on_conflict::keep);
    CHECK(st.inserted == 1);
    CHECK(st.kept == 1);
    CHECK(*b.s.last_reading("9000106", at("2020-08-20T06:05:00Z"))->values[0] == dec("352.248"));
    st = b.s.put_readings(other, on_conflict::replace);
    CHECK(st.replaced == 1);
    CHECK(st.unchanged == 1);
    CHECK(*b.s.last_reading("9000106", at("2020-08-20T06:05:00Z"))->values[0] == dec("352.24"));
    // two different values for one key within one batch conflict too
    CHECK_THROWS_AS(b.s.put_readings(batch({{"9000106", "2020-09-01T00:00:00Z", "1"},
                                            {"9000106", "2020-09-01T00:00:00Z", "2"}})),
                    reading_conflict);
    CHECK(b.s.reading_count() == 2);
}

TEMPLATE_TEST_CASE("readings of an unknown meter are refused whole", "[store]", memory_backend,
                   sqlite_backend) {
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
                   sqlite_backend) {
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
                   sqlite_backend) {
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

TEST_CASE("SQLite: data persist across opening; the schema is versioned") {
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
                   memory_backend, sqlite_backend) {
    TestType b;
    anomaly a;
    a.key = "reading_decrease:98990006:total:1597903500";
    a.type = anomaly_type::reading_decrease;
    a.meter = "98990006";
    a.from = at("2020-08-20T06:05:00Z");
    a.to = at("2020-08-21T06:05:00Z");
    a.message_ru = "Прибор учета 98990006: Предыдущие показания: 352.2480, текущие показания: 352.2400";
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
    link.message_ru = "longer";
    const std::vector<anomaly> second{a, link};
    again = b.s.put_anomalies(second);
    CHECK(again.replaced == 1);
    CHECK(again.unchanged == 1);
    const auto open = b.s.anomalies(anomaly_status::open);
    REQUIRE(open.size() == 1);
    CHECK(open[0].message_ru == "longer");
    const auto done = b.s.anomalies(anomaly_status::resolved);
    REQUIRE(done.size() == 1);
    CHECK(done[0].resolved_by == "admin");
    CHECK(done[0].resolved_at == at("2020-08-22T07:00:00Z"));
}

TEST_CASE("SQLite: a schema version 1 database is migrated when opened for writing") {
    const auto file = temp_db("migrate");
    {
        sqlite_store s(file);
        populate(s);
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "DROP TABLE anomalies; PRAGMA user_version=1", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
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
    remove_db(file);
}
