// The queries a host needs (docs/queries.md), each case run over both backends: entity queries (filter,
// search, sort, page), deletes with the seeds' rules, the change log, anomaly queries with detection times
// and resolution history, and the tenant scope, read across call by call.
#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "store_backends.hpp"
#include "support.hpp"

#include "kvant/store/memory_store.hpp"
#include "kvant/store/postgres_store.hpp"
#include "kvant/store/scoped_store.hpp"
#include "kvant/store/sqlite_store.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

std::filesystem::path temp_db() {
    static std::mt19937_64 rng{std::random_device{}()};
    return std::filesystem::temp_directory_path() / ("kvant-queries-" + std::to_string(rng()) + ".db");
}

/// A clock the test moves by hand.
struct test_clock {
    instant t = at("2025-01-10T09:00:00Z");
    void attach(store& s) {
        s.set_clock([this] { return t; });
    }
};

account acc(const char* number, const char* ab, const char* address, const char* building, const char* flat) {
    account a;
    a.number = number;
    a.abonent = ab;
    a.address = address;
    a.building = building;
    a.apartment = flat;
    return a;
}
meter mtr(const char* serial, const char* point, resource r = resource::electricity) {
    meter m;
    m.serial = serial;
    m.point = point;
    m.measures = r;
    return m;
}

/// Two organisations. ДНТ «Демо» (dnt): Васильев with account A15900009360 (ул. Лесная, д. 9, point tp-1:
/// electricity 9000106 and cold water 9000107), Семёнова with A15900009460 (д. 10, point tp-2: electricity
/// 9000108 removed from service on 2024-03-01) and a building meter 9000200 on tp-2. УК «Север» (uk):
/// SEMENOV Ivan with account B100 (point tp-3: electricity 5000001).
void populate(store& s) {
    organization dnt;
    dnt.id = "dnt";
    dnt.name = "ДНТ Демо";
    s.put(dnt);
    organization uk;
    uk.id = "uk";
    uk.name = "УК Север";
    s.put(uk);
    s.put(abonent{"ab-1", "dnt", abonent_kind::person, "Васильев Роман Михайлович", "", "", std::nullopt});
    s.put(abonent{"ab-2", "dnt", abonent_kind::person, "Семёнова Анна Петровна", "", "", std::nullopt});
    s.put(abonent{"ab-3", "uk", abonent_kind::person, "SEMENOV Ivan", "", "", std::nullopt});
    s.put(acc("A15900009360", "ab-1", "ДНТ Демо, ул. Лесная, д. 9", "lesnaya", "9"));
    s.put(acc("A15900009460", "ab-2", "ДНТ Демо, ул. Лесная, д. 10", "lesnaya", "10"));
    s.put(acc("B100", "ab-3", "г. Тюмень, ул. Северная, д. 1", "severnaya-1", "1"));
    s.put(metering_point{"tp-1", "A15900009360", "Основной", "Дом", "", ""});
    s.put(metering_point{"tp-2", "A15900009460", "Основной", "Дом", "", ""});
    s.put(metering_point{"tp-3", "B100", "Основной", "Квартира", "", ""});
    auto m1 = mtr("9000106", "tp-1");
    m1.installed = parse_date("2019-09-21");
    s.put(m1);
    s.put(mtr("9000107", "tp-1", resource::cold_water));
    auto m3 = mtr("9000108", "tp-2");
    m3.installed = parse_date("2020-05-01");
    m3.removed = parse_date("2024-03-01");
    s.put(m3);
    auto b = mtr("9000200", "tp-2");
    b.role = meter_role::building;
    s.put(b);
    s.put(mtr("5000001", "tp-3"));
}

template <class T>
std::vector<std::string> keys(const page<T>& p) {
    std::vector<std::string> out;
    for (const auto& e : p.items) {
        if constexpr (std::is_same_v<T, meter>)
            out.push_back(e.serial);
        else if constexpr (std::is_same_v<T, account>)
            out.push_back(e.number);
        else if constexpr (std::is_same_v<T, metering_point>)
            out.push_back(e.code);
        else
            out.push_back(e.id);
    }
    return out;
}
using names = std::vector<std::string>;

const channel A = channel::main(resource::electricity);

reading_table readings_of(std::initializer_list<std::tuple<const char*, const char*, const char*>> rows) {
    reading_table t;
    for (const auto& [serial, time, value] : rows) {
        reading r;
        r.meter = serial;
        r.time = at(time);
        r.set(A, dec(value));
        t.push(r);
    }
    return t;
}
reading_table one_reading(const char* serial, const char* time, const char* value) {
    return readings_of({{serial, time, value}});
}

anomaly found(const char* key, const char* serial, const char* account, anomaly_type type, const char* from,
              const char* to) {
    anomaly a;
    a.key = key;
    a.meter = serial;
    a.account = account;
    a.type = type;
    a.from = at(from);
    a.to = at(to);
    a.text.set("ru", "Показания уменьшились");
    return a;
}

/// An anomaly query with the fields a lambda sets.
template <class F>
anomaly_query aq(F set) {
    anomaly_query q;
    set(q);
    return q;
}

}  // namespace

TEMPLATE_TEST_CASE("entity queries filter by organisation, building, resource, role and status", "[queries]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    entity_query q;
    CHECK(keys(b.s.template query<meter>(q)) == names{"5000001", "9000106", "9000107", "9000108", "9000200"});
    q.organization = "dnt";
    CHECK(keys(b.s.template query<meter>(q)) == names{"9000106", "9000107", "9000108", "9000200"});
    q.measures = resource::electricity;
    CHECK(keys(b.s.template query<meter>(q)) == names{"9000106", "9000108", "9000200"});
    q.role = meter_role::individual;
    CHECK(keys(b.s.template query<meter>(q)) == names{"9000106", "9000108"});
    // on 2024-03-01 9000108 is removed (снят с учёта that day); the day before it was active
    q.status = entity_status::active;
    q.status_at = parse_date("2024-03-01");
    CHECK(keys(b.s.template query<meter>(q)) == names{"9000106"});
    q.status_at = parse_date("2024-02-29");
    CHECK(keys(b.s.template query<meter>(q)) == names{"9000106", "9000108"});
    q.status = entity_status::removed;
    q.status_at = parse_date("2024-03-01");
    CHECK(keys(b.s.template query<meter>(q)) == names{"9000108"});
    // before its installation 9000106 is neither active nor removed
    q.status = entity_status::active;
    q.status_at = parse_date("2019-09-20");
    CHECK(keys(b.s.template query<meter>(q)) == names{});

    // above the meters: accounts and abonents holding a cold water meter; points of a building
    entity_query w;
    w.measures = resource::cold_water;
    CHECK(keys(b.s.template query<account>(w)) == names{"A15900009360"});
    CHECK(keys(b.s.template query<abonent>(w)) == names{"ab-1"});
    CHECK(keys(b.s.template query<metering_point>(w)) == names{"tp-1"});
    entity_query role;
    role.role = meter_role::building;
    CHECK(keys(b.s.template query<account>(role)) == names{"A15900009460"});
    entity_query bld;
    bld.building = "lesnaya";
    CHECK(keys(b.s.template query<metering_point>(bld)) == names{"tp-1", "tp-2"});
    CHECK(keys(b.s.template query<meter>(bld)).size() == 4);
    entity_query org;
    org.organization = "uk";
    CHECK(keys(b.s.template query<organization>(org)) == names{"uk"});
    CHECK(keys(b.s.template query<abonent>(org)) == names{"ab-3"});
    CHECK(keys(b.s.template query<account>(org)) == names{"B100"});
    org.organization = "nobody";
    CHECK(b.s.template query<meter>(org).total == 0);
}

TEMPLATE_TEST_CASE("entity search is a case-insensitive substring over number, name, address, serial",
                   "[queries]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    entity_query q;
    // Cyrillic case and ё: "семенов" finds Семёнова (Cyrillic) but not SEMENOV (Latin letters)
    q.text = "семенов";
    CHECK(keys(b.s.template query<abonent>(q)) == names{"ab-2"});
    q.text = "SEMEN";
    CHECK(keys(b.s.template query<abonent>(q)) == names{"ab-3"});
    q.text = "semen";
    CHECK(keys(b.s.template query<abonent>(q)) == names{"ab-3"});
    // a meter by its account's abonent name, address, account number and its own serial
    q.text = "ВАСИЛЬЕВ";
    CHECK(keys(b.s.template query<meter>(q)) == names{"9000106", "9000107"});
    q.text = "лесная, д. 10";
    CHECK(keys(b.s.template query<meter>(q)) == names{"9000108", "9000200"});
    q.text = "9460";
    CHECK(keys(b.s.template query<account>(q)) == names{"A15900009460"});
    q.text = "00010";  // a substring anywhere, not only a prefix
    CHECK(keys(b.s.template query<meter>(q)) == names{"9000106", "9000107", "9000108"});
    q.text = "северная";
    CHECK(keys(b.s.template query<metering_point>(q)) == names{"tp-3"});
}

TEMPLATE_TEST_CASE("entity queries sort by a named field with the key as tie-break, and page", "[queries]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    entity_query q;
    q.sort_by = "apartment";  // natural order: 1, 9, 10 (not 1, 10, 9)
    CHECK(keys(b.s.template query<account>(q)) == names{"B100", "A15900009360", "A15900009460"});
    q.descending = true;
    CHECK(keys(b.s.template query<account>(q)) == names{"A15900009460", "A15900009360", "B100"});
    // descending by address: "ДНТ Демо, ... д. 10" (natural: 10 after 9), "... д. 9", then "г. Тюмень" (г
    // before д); equal addresses tie by key, ascending, whatever the direction
    entity_query m;
    m.sort_by = "address";
    m.descending = true;
    CHECK(keys(b.s.template query<meter>(m)) == names{"9000108", "9000200", "9000106", "9000107", "5000001"});
    // absent values sort first ascending: only 9000106 and 9000108 have an installation date
    entity_query inst;
    inst.sort_by = "installed";
    CHECK(keys(b.s.template query<meter>(inst)) ==
          names{"5000001", "9000107", "9000200", "9000106", "9000108"});
    // pages of two, with the total before paging
    entity_query p;
    p.limit = 2;
    p.offset = 2;
    const auto pg = b.s.template query<meter>(p);
    CHECK(pg.total == 5);
    CHECK(keys(pg) == names{"9000107", "9000108"});
    p.offset = 4;
    CHECK(keys(b.s.template query<meter>(p)) == names{"9000200"});
    p.offset = 9;
    CHECK(b.s.template query<meter>(p).items.empty());
    // what a query cannot mean is refused, naming what is allowed
    entity_query bad;
    bad.sort_by = "colour";
    CHECK_THROWS_WITH(b.s.template query<meter>(bad),
                      Catch::Contains("cannot sort meters by") && Catch::Contains("serial, model"));
    entity_query st;
    st.status = entity_status::removed;
    CHECK_THROWS_WITH(b.s.template query<abonent>(st), Catch::Contains("applies to meters and accounts"));
    entity_query st2;
    st2.status = entity_status::removed;
    CHECK_THROWS_WITH(b.s.template query<meter>(st2), Catch::Contains("status_at"));
    entity_query res;
    res.measures = resource::gas;
    CHECK_THROWS_WITH(b.s.template query<organization>(res), Catch::Contains("[kvant.config.401]"));
    entity_query bl;
    bl.building = "lesnaya";
    CHECK_THROWS_WITH(b.s.template query<abonent>(bl),
                      Catch::Contains("applies to accounts, points and meters"));
}

TEMPLATE_TEST_CASE("deletes follow the seeds' rules: history stays, empty things go", "[queries]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    b.s.put_readings(one_reading("9000106", "2024-01-01T00:00:00Z", "1234.5"));
    // a meter with readings is not deleted but taken out of service, keeping its readings
    CHECK_THROWS_WITH(b.s.erase(entity_kind::meter, "9000106"),
                      Catch::Contains("[kvant.storage.302]") &&
                          Catch::Contains("1 reading value refer to it") &&
                          Catch::Contains("remove_from_service"));
    b.s.remove_from_service("9000106", parse_date("2025-01-09"));
    CHECK(b.s.template find<meter>("9000106")->removed == parse_date("2025-01-09"));
    CHECK(b.s.reading_count("9000106") == 1);
    // its account cannot go either: «Удалить ЛС» is refused naming the meter with history
    CHECK_THROWS_WITH(b.s.erase(entity_kind::account, "A15900009360"),
                      Catch::Contains("its meter '9000106' has history: 1 reading value"));
    CHECK(b.s.template find<meter>("9000107"));  // the refused delete changed nothing
    // an account whose meters have no history goes with its points and meters
    const auto gone = b.s.erase(entity_kind::abonent, "ab-2");
    CHECK(gone == std::vector<erased>{{entity_kind::meter, "9000108"},
                                      {entity_kind::meter, "9000200"},
                                      {entity_kind::metering_point, "tp-2"},
                                      {entity_kind::account, "A15900009460"},
                                      {entity_kind::abonent, "ab-2"}});
    CHECK_FALSE(b.s.template find<account>("A15900009460"));
    CHECK_FALSE(b.s.template find<meter>("9000200"));
    // a meter without history is deleted outright
    b.s.erase(entity_kind::meter, "9000107");
    CHECK_FALSE(b.s.template find<meter>("9000107"));
    // an anomaly refers to a meter as history does
    b.s.put_anomalies(std::vector<anomaly>{found("k1", "5000001", "B100", anomaly_type::no_link,
                                                 "2025-01-01T00:00:00Z", "2025-01-05T00:00:00Z")});
    CHECK_THROWS_WITH(b.s.erase(entity_kind::meter, "5000001"), Catch::Contains("1 anomaly refer to it"));
    // an organisation goes only when empty
    CHECK_THROWS_WITH(b.s.erase(entity_kind::organization, "uk"), Catch::Contains("1 abonent refers"));
    CHECK_THROWS_WITH(b.s.erase(entity_kind::meter, "nope"), Catch::Contains("[kvant.storage.304]"));
}

TEMPLATE_TEST_CASE("the change log records puts, erases, readings and anomalies with the store's clock",
                   "[queries]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    test_clock clock;
    clock.attach(b.s);
    populate(b.s);
    const auto setup = b.s.changes({});
    REQUIRE(setup.size() == 16);  // 2 organisations, 3 abonents, 3 accounts, 3 points, 5 meters
    const auto last = setup.back().seq;
    CHECK(setup.back().key == "5000001");
    CHECK(setup.back().organization == "uk");

    clock.t = at("2025-01-10T10:00:00Z");
    // the same entity again changes nothing and records nothing
    b.s.put(mtr("9000107", "tp-1", resource::cold_water));
    auto m = *b.s.template find<meter>("9000107");
    m.last_verification = parse_date("2024-12-01");
    b.s.put(m);
    const auto t = readings_of({{"9000106", "2025-01-01T00:00:00Z", "10"},
                                {"9000106", "2025-01-02T00:00:00Z", "11"},
                                {"5000001", "2025-01-02T00:00:00Z", "7"}});
    b.s.put_readings(t);
    b.s.put_readings(t);  // nothing new: no record
    clock.t = at("2025-01-10T11:00:00Z");
    b.s.put_anomalies(
        std::vector<anomaly>{found("k1", "9000106", "A15900009360", anomaly_type::reading_decrease,
                                   "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")});
    b.s.resolve_anomaly("k1", at("2025-01-10T11:30:00Z"), "admin", "ошибка ввода");
    b.s.erase(entity_kind::meter, "9000200");

    change_query q;
    q.since = at("2025-01-10T10:00:00Z");
    const auto ch = b.s.changes(q);
    REQUIRE(ch.size() == 6);
    CHECK(ch[0].seq == last + 1);
    CHECK((ch[0].entity == entity_kind::meter && ch[0].key == "9000107" && ch[0].op == change_op::put));
    CHECK(ch[0].at == at("2025-01-10T10:00:00Z"));
    // readings: one record per meter of the batch, with its count of values
    CHECK((ch[1].key == "9000106" && ch[1].op == change_op::readings && ch[1].count == 2));
    CHECK((ch[2].key == "5000001" && ch[2].op == change_op::readings && ch[2].count == 1));
    CHECK((ch[3].entity == entity_kind::anomaly && ch[3].op == change_op::detected));
    CHECK((ch[4].op == change_op::resolved && ch[4].organization == "dnt"));
    CHECK((ch[5].key == "9000200" && ch[5].op == change_op::erase && ch[5].organization == "dnt"));
    CHECK(ch[5].at == at("2025-01-10T11:00:00Z"));
    // since 11:00 only the last three; a page continues after a seq
    q.since = at("2025-01-10T11:00:00Z");
    CHECK(b.s.changes(q).size() == 3);
    change_query page_q;
    page_q.after = ch[1].seq;
    page_q.limit = 2;
    const auto pg = b.s.changes(page_q);
    REQUIRE(pg.size() == 2);
    CHECK(pg[0].seq == ch[2].seq);
    // per organisation
    change_query uk;
    uk.organization = "uk";
    uk.since = at("2025-01-10T10:00:00Z");
    const auto of_uk = b.s.changes(uk);
    REQUIRE(of_uk.size() == 1);
    CHECK(of_uk[0].key == "5000001");
}

/// Another store on the backend's database (its own connection), for writers and readers beside b.s.
std::unique_ptr<store> another(sqlite_backend& b) {
    return std::make_unique<sqlite_store>(b.file, sqlite_store::mode::open);
}
template <class B>
std::unique_ptr<store> another(B& b) {
    return std::make_unique<postgres_store>(b.db.conninfo, postgres_store::mode::open);
}
organization org(const std::string& id) {
    organization o;
    o.id = id;
    o.name = "org " + id;
    return o;
}
std::vector<std::string> keys_of(const std::vector<change>& v) {
    std::vector<std::string> out;
    for (const auto& c : v) out.push_back(c.key);
    return out;
}

// PostgreSQL hands out an identity column's numbers in insert order, not commit order: a record numbered
// before another may become visible after it, and a reader that continues after the last seq it saw would
// never see it. The records are numbered at commit, under a lock (postgres_store.cpp).
TEMPLATE_TEST_CASE(
    "the change log: a reader continuing after the last seq it saw misses no other writer's record",
    "[queries]", postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    const auto w2 = another(b);
    const auto reader = another(b);
    {
        transaction t1(b.s);
        b.s.put(org("A"));  // written first, committed last
        w2->put(org("B"));
        const auto seen = reader->changes({});
        REQUIRE(keys_of(seen) == std::vector<std::string>{"B"});
        t1.commit();
        change_query next;
        next.after = seen.back().seq;
        CHECK(keys_of(reader->changes(next)) == std::vector<std::string>{"A"});
    }
    // savepoints: the records of a rolled back one go, also once read inside the transaction
    const auto last = reader->changes({}).back().seq;
    change_query after_last;
    after_last.after = last;
    {
        transaction t(b.s);
        b.s.put(org("X"));
        {
            transaction inner(b.s);
            b.s.put(org("Y"));
        }
        {
            transaction inner(b.s);
            b.s.put(org("Z"));
            inner.commit();
        }
        {
            transaction inner(b.s);
            b.s.put(org("W"));
            CHECK(keys_of(b.s.changes(after_last)) == std::vector<std::string>{"X", "Z", "W"});
        }
        CHECK(reader->changes(after_last).empty());  // nothing committed yet
        b.s.put(org("V"));
        t.commit();
    }
    CHECK(keys_of(reader->changes(after_last)) == std::vector<std::string>{"X", "Z", "V"});
    CHECK_FALSE(reader->template find<organization>("W"));
    // a transaction rolled back leaves no record
    const auto before = reader->changes({}).back().seq;
    {
        transaction t(b.s);
        b.s.put(org("Q"));
    }
    after_last.after = before;
    CHECK(reader->changes(after_last).empty());
}

TEMPLATE_TEST_CASE("the change log: a reader polling during concurrent writers sees every record once",
                   "[queries]", sqlite_backend, postgres_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    constexpr int writers = 3, transactions = 120;
    std::atomic<int> done{0};
    std::vector<std::exception_ptr> failed(writers);
    std::vector<std::unique_ptr<store>> stores;
    for (int w = 0; w < writers; ++w) stores.push_back(another(b));
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
        threads.emplace_back([&, w] {
            try {
                for (int i = 0; i < transactions; ++i) {
                    transaction t(*stores[w]);
                    for (int k = 0; k <= i % 3; ++k)
                        stores[w]->put(
                            org(std::to_string(w) + "-" + std::to_string(i) + "-" + std::to_string(k)));
                    t.commit();
                }
            } catch (...) {
                failed[w] = std::current_exception();
            }
            ++done;
        });
    std::multiset<std::string> seen;
    change_query q;
    q.limit = 25;
    for (bool last = false; !last;) {
        last = done == writers;  // one more pass after every writer has finished
        for (auto page = b.s.changes(q); !page.empty(); page = b.s.changes(q)) {
            for (const auto& c : page) seen.insert(c.key);
            q.after = page.back().seq;
        }
    }
    for (auto& t : threads) t.join();
    for (const auto& f : failed) CHECK_FALSE(f);
    const std::size_t expected = writers * (transactions / 3) * (1 + 2 + 3);
    CHECK(seen.size() == expected);
    CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == expected);  // each once
    change_query all;
    all.limit = 100000;
    CHECK(b.s.changes(all).size() == expected);
}

TEMPLATE_TEST_CASE("anomalies: filtered and paged, detection times kept, resolution history read back",
                   "[queries]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    test_clock clock;
    clock.attach(b.s);
    populate(b.s);
    const std::vector<anomaly> first{found("k1", "9000106", "A15900009360", anomaly_type::reading_decrease,
                                           "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"),
                                     found("k2", "9000106", "A15900009360", anomaly_type::no_link,
                                           "2025-01-05T00:00:00Z", "2025-01-09T00:00:00Z"),
                                     found("k3", "5000001", "B100", anomaly_type::no_link,
                                           "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z")};
    b.s.put_anomalies(first);
    clock.t = at("2025-01-11T09:00:00Z");
    const auto st = b.s.put_anomalies(first);  // found again: unchanged, last detection moves
    CHECK(st.unchanged == 3);
    const auto k1 = b.s.find_anomalies(aq([](anomaly_query& q) {
                           q.meter = "9000106";
                           q.type = anomaly_type::reading_decrease;
                       }))
                        .items;
    REQUIRE(k1.size() == 1);
    CHECK(k1[0].first_detected == at("2025-01-10T09:00:00Z"));
    CHECK(k1[0].last_detected == at("2025-01-11T09:00:00Z"));

    CHECK(b.s.find_anomalies(aq([](anomaly_query& q) { q.organization = "dnt"; })).total == 2);
    CHECK(b.s.find_anomalies(aq([](anomaly_query& q) { q.organization = "uk"; })).items.at(0).key == "k3");
    CHECK(b.s.find_anomalies(aq([](anomaly_query& q) { q.type = anomaly_type::no_link; })).total == 2);
    // time: [from, to] overlapping [2025-01-04, 2025-01-06)
    anomaly_query t;
    t.from = at("2025-01-04T00:00:00Z");
    t.to = at("2025-01-06T00:00:00Z");
    const auto overl = b.s.find_anomalies(t);
    REQUIRE(overl.total == 2);
    CHECK(overl.items[0].key == "k3");
    CHECK(overl.items[1].key == "k2");
    anomaly_query pg;
    pg.limit = 1;
    pg.offset = 1;
    const auto second = b.s.find_anomalies(pg);
    CHECK(second.total == 3);
    REQUIRE(second.items.size() == 1);
    CHECK(second.items[0].key == "k1");  // ordered by meter, begin: 5000001/k3, 9000106/k1, 9000106/k2

    CHECK(b.s.resolve_anomaly("k1", at("2025-01-11T10:00:00Z"), "Иванова", "ошибка ввода показаний"));
    CHECK(b.s.reopen_anomaly("k1", at("2025-01-11T12:00:00Z"), "Петров", "повторилось"));
    CHECK(b.s.resolve_anomaly("k1", at("2025-01-12T08:00:00Z"), "Петров"));
    CHECK_FALSE(b.s.reopen_anomaly("nope", at("2025-01-12T08:00:00Z"), "x"));
    const auto h = b.s.anomaly_history("k1");
    REQUIRE(h.size() == 3);
    CHECK(h[0] == anomaly_action{"k1", anomaly_action_kind::resolved, at("2025-01-11T10:00:00Z"), "Иванова",
                                 "ошибка ввода показаний"});
    CHECK(h[1] == anomaly_action{"k1", anomaly_action_kind::reopened, at("2025-01-11T12:00:00Z"), "Петров",
                                 "повторилось"});
    CHECK((h[2].action == anomaly_action_kind::resolved && h[2].note.empty()));
    CHECK(b.s.find_anomalies(aq([](anomaly_query& q) { q.status = anomaly_status::resolved; }))
              .items.at(0)
              .resolved_by == "Петров");
    CHECK(b.s.find_anomalies(aq([](anomaly_query& q) { q.status = anomaly_status::open; })).total == 2);
}

TEMPLATE_TEST_CASE("a tenant scope reads nothing of another organisation, call by call", "[queries][scope]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    b.s.put_readings(one_reading("9000106", "2025-01-01T00:00:00Z", "10"));
    b.s.put_readings(one_reading("5000001", "2025-01-01T00:00:00Z", "7"));
    meter_event ev;
    ev.meter = "5000001";
    ev.time = at("2025-01-01T00:00:00Z");
    ev.code = 1;
    b.s.put_events(std::vector<meter_event>{ev});
    b.s.put_anomalies(std::vector<anomaly>{found("k-uk", "5000001", "B100", anomaly_type::no_link,
                                                 "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z"),
                                           found("k-dnt", "9000106", "A15900009360", anomaly_type::no_link,
                                                 "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")});
    b.s.resolve_anomaly("k-uk", at("2025-01-03T00:00:00Z"), "uk-admin", "note");

    scoped_store dnt(b.s, "dnt");
    // entities, by key and listed
    CHECK(dnt.find<organization>("dnt"));
    CHECK_FALSE(dnt.find<organization>("uk"));
    CHECK_FALSE(dnt.find<abonent>("ab-3"));
    CHECK_FALSE(dnt.find<account>("B100"));
    CHECK_FALSE(dnt.find<metering_point>("tp-3"));
    CHECK_FALSE(dnt.find<meter>("5000001"));
    CHECK(dnt.find<meter>("9000106"));
    CHECK(dnt.all<organization>().size() == 1);
    CHECK(dnt.all<abonent>().size() == 2);
    CHECK(dnt.all<account>().size() == 2);
    CHECK(dnt.all<metering_point>().size() == 2);
    CHECK(dnt.all<meter>().size() == 4);
    CHECK(dnt.all_in<meter>("uk").empty());
    CHECK(keys(dnt.query<meter>({})) == names{"9000106", "9000107", "9000108", "9000200"});
    entity_query other;
    other.organization = "uk";
    CHECK(dnt.query<account>(other).total == 0);
    entity_query search;
    search.text = "semenov";
    CHECK(dnt.query<abonent>(search).total == 0);
    CHECK(dnt.organization_of(entity_kind::meter, "5000001").empty());
    const auto f = load_fleet(dnt);
    CHECK(f.meters().size() == 4);
    // readings and events
    CHECK(dnt.reading_count() == 1);
    CHECK(dnt.reading_count("5000001") == 0);
    CHECK(dnt.last_values("5000001").empty());
    CHECK_FALSE(dnt.last_reading("5000001"));
    CHECK(dnt.readings("5000001", from_unix(0), from_unix(4'000'000'000)).empty());
    series_query all_series;
    series_chunk c;
    std::size_t chunks = 0;
    for (auto cur = dnt.scan(all_series); cur->next(c);) {
        CHECK(c.meter == "9000106");
        ++chunks;
    }
    CHECK(chunks == 1);
    series_query theirs;
    theirs.meters = {"5000001"};
    CHECK_FALSE(dnt.scan(theirs)->next(c));  // not every meter, as an empty list would mean
    CHECK(dnt.events({}, from_unix(0), from_unix(4'000'000'000)).empty());
    CHECK(dnt.events("5000001", from_unix(0), from_unix(4'000'000'000)).empty());
    // anomalies, their history and the change log
    REQUIRE(dnt.anomalies().size() == 1);
    CHECK(dnt.anomalies()[0].key == "k-dnt");
    CHECK(dnt.find_anomalies(anomaly_query{}).total == 1);
    CHECK(dnt.find_anomalies(aq([](anomaly_query& q) { q.organization = "uk"; })).total == 0);
    CHECK(dnt.anomaly_history("k-uk").empty());
    CHECK_FALSE(dnt.resolve_anomaly("k-uk", at("2025-01-04T00:00:00Z"), "intruder"));
    CHECK_FALSE(dnt.reopen_anomaly("k-uk", at("2025-01-04T00:00:00Z"), "intruder"));
    CHECK(b.s.anomaly_history("k-uk").size() == 1);
    for (const auto& ch : dnt.changes({})) CHECK(ch.organization == "dnt");
    change_query theirs_q;
    theirs_q.organization = "uk";
    CHECK(dnt.changes(theirs_q).empty());
    // meter models are a shared catalogue
    meter_model mm;
    mm.id = "neva";
    mm.name = "NEVA MT 114";
    b.s.put(mm);
    CHECK(dnt.find<meter_model>("neva"));
}

TEMPLATE_TEST_CASE("a tenant scope refuses writes that would land in another organisation",
                   "[queries][scope]", memory_backend, sqlite_backend, postgres_backend,
                   postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    scoped_store dnt(b.s, "dnt");
    CHECK_THROWS_WITH(dnt.put(abonent{"ab-9", "uk", abonent_kind::person, "X", "", "", std::nullopt}),
                      Catch::Contains("unknown organization 'uk'"));
    // an account under another organisation's abonent: that abonent is unknown here
    CHECK_THROWS_WITH(dnt.put(acc("B200", "ab-3", "", "", "")), Catch::Contains("unknown abonent 'ab-3'"));
    // taking over another organisation's key
    CHECK_THROWS_WITH(dnt.put(acc("B100", "ab-1", "", "", "")), Catch::Contains("held outside organization"));
    CHECK_THROWS_WITH(dnt.put(mtr("5000001", "tp-1")), Catch::Contains("held outside organization"));
    CHECK_THROWS_WITH(dnt.put(mtr("7000001", "")), Catch::Contains("has no point"));
    CHECK_THROWS_WITH(dnt.put(mtr("7000001", "tp-3")), Catch::Contains("unknown metering point 'tp-3'"));
    organization uk;
    uk.id = "uk";
    uk.name = "hijacked";
    CHECK_THROWS(dnt.put(uk));
    CHECK_THROWS_WITH(dnt.put_readings(one_reading("5000001", "2025-01-01T00:00:00Z", "1")),
                      Catch::Contains("unknown meter"));
    CHECK_THROWS_WITH(dnt.erase(entity_kind::account, "B100"), Catch::Contains("[kvant.storage.304]"));
    CHECK_THROWS(dnt.put_anomalies(std::vector<anomaly>{found(
        "x", "5000001", "B100", anomaly_type::no_link, "2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z")}));
    CHECK(b.s.template find<account>("B100")->abonent == "ab-3");  // nothing changed
    CHECK(b.s.template find<organization>("uk")->name == "УК Север");
    // its own writes go through, and are logged under its organisation
    dnt.put(mtr("7000001", "tp-1"));
    dnt.put_readings(one_reading("7000001", "2025-01-01T00:00:00Z", "1"));
    CHECK(b.s.reading_count("7000001") == 1);
    CHECK(b.s.template find<meter>("7000001"));
    CHECK_THROWS_WITH(scoped_store(b.s, "nobody"), Catch::Contains("[kvant.storage.304]"));
    // a meter model only another organisation's meter uses: the scope counts no meter of it, yet the
    // shared catalogue is not erased through a scope (it would leave 5000001 without its model)
    meter_model mm;
    mm.id = "merc-uk";
    mm.name = "Меркурий 230";
    b.s.put(mm);
    auto theirs = *b.s.template find<meter>("5000001");
    theirs.model = "merc-uk";
    b.s.put(theirs);
    CHECK_THROWS_WITH(dnt.erase(entity_kind::meter_model, "merc-uk"),
                      Catch::Contains("a scoped store cannot erase them"));
    CHECK(b.s.template find<meter_model>("merc-uk"));
}

// SQLite and memory_store order keys byte by byte (code point order for UTF-8); a PostgreSQL database
// created with a linguistic collation would put "alpha" before "Zeta" and "Ель" before "Ёлка" unless the
// store asks for byte order (COLLATE "C").
TEST_CASE("PostgreSQL: keys are listed in byte order whatever collation the database was created with",
          "[queries][postgres]") {
    KVANT_BACKEND_OR_SKIP(postgres_backend);
    struct icu_database {
        std::string name = "kvt_icu_" + std::to_string(::getpid());
        bool made = false;
        icu_database() {
            try {
                pg_exec(pg_uri(1), "CREATE DATABASE " + name +
                                       " TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' LOCALE_PROVIDER icu "
                                       "ICU_LOCALE 'en-US'");
                made = true;
            } catch (const std::exception& e) {
                WARN("SKIPPED: no ICU collation on the test server: " << e.what());
            }
        }
        ~icu_database() {
            if (made) pg_exec(pg_uri(1), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    } db;
    if (!db.made) return;
    // the database itself sorts linguistically: the test would pass without the store's byte order otherwise
    REQUIRE(pg_exec(pg_uri(1, db.name), "SELECT ('Zeta' < 'alpha')::text") == "false");
    postgres_store s(pg_uri(1, db.name));
    const std::vector<std::string> ids{"alpha", "Zeta", "Ель", "Ёлка", "a-b", "ab", "B"};
    for (const auto& id : ids) {
        s.put(org(id));
        abonent a;
        a.id = "ab " + id;
        a.organization = "alpha";
        a.name = id;
        s.put(a);
    }
    std::vector<std::string> bytes = ids;
    std::sort(bytes.begin(), bytes.end());  // std::string compares bytes (as unsigned char)
    std::vector<std::string> listed;
    for (const auto& o : s.all<organization>()) listed.push_back(o.id);
    CHECK(listed == bytes);
    CHECK(listed == std::vector<std::string>{"B", "Zeta", "a-b", "ab", "alpha", "Ёлка", "Ель"});
    std::vector<std::string> in_org;
    for (const auto& a : s.all_in<abonent>("alpha")) in_org.push_back(a.name);
    CHECK(in_org == bytes);
}

TEST_CASE("a version 3 database is migrated to 4 on a writing open and refused read-only",
          "[queries][sqlite]") {
    const auto file = temp_db();
    {
        sqlite_store s(file);
        populate(s);
    }
    // the downgrade goes through the SQLite API directly
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, (std::string(test::drop_schema_v4_tables) + "PRAGMA user_version=3").c_str(),
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    CHECK_THROWS_WITH(sqlite_store(file, sqlite_store::mode::read_only), Catch::Contains("kvant migrate"));
    {
        sqlite_store s(file, sqlite_store::mode::open);
        CHECK(s.changes({}).empty());
        s.put(mtr("7000001", "tp-1"));
        CHECK(s.changes({}).size() == 1);
        CHECK(s.check().empty());
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
}

TEMPLATE_TEST_CASE("a tenant scope: the entry log, sessions, relay changes and removal across it",
                   "[queries][scope]", memory_backend, sqlite_backend, postgres_backend,
                   postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    populate(b.s);
    // УК «Север»'s meter 5000001 has an entry, a session and a relay change, written without a scope
    entry_record theirs;
    theirs.entered = one_reading("5000001", "2025-01-01T00:00:00Z", "7").to_readings().front();
    theirs.entered.source = reading_source::manual;
    theirs.entered_by = "uk-admin";
    theirs.entered_at = at("2025-01-01T01:00:00Z");
    b.s.enter_reading(theirs);
    const comm_session s{"5000001",         at("2025-01-02T00:00:00Z"), at("2025-01-02T00:01:00Z"),
                         link_channel::gsm, session_result::ok,         ""};
    b.s.put_sessions(std::span(&s, 1));
    const relay_change off{"5000001",           at("2025-01-03T00:00:00Z"),
                           relay_position::off, relay_reason::command,
                           "uk-admin",          "долг"};
    b.s.put_relay_changes(std::span(&off, 1));
    const instant from = at("2000-01-01T00:00:00Z"), to = at("2090-01-01T00:00:00Z");

    scoped_store dnt(b.s, "dnt");
    CHECK(dnt.entries({}, from, to).empty());
    CHECK(dnt.entries("5000001", from, to).empty());
    CHECK(dnt.sessions({}, from, to).empty());
    CHECK(dnt.link_summaries("5000001").empty());
    CHECK(dnt.relay_at(to, "5000001").empty());
    CHECK(dnt.relay_history({}, from, to).empty());
    // writing across it: each is an unknown meter, and nothing changes
    entry_record mine = theirs;
    mine.entered.time = at("2025-01-05T00:00:00Z");
    mine.entered_by = "intruder";
    CHECK_THROWS_WITH(dnt.enter_reading(mine), Catch::Contains("unknown meter '5000001'"));
    CHECK_THROWS_WITH(dnt.log_entry(mine), Catch::Contains("5000001"));
    comm_session s2 = s;
    s2.start = s2.end = at("2025-01-06T00:00:00Z");
    CHECK_THROWS_WITH(dnt.put_sessions(std::span(&s2, 1)), Catch::Contains("5000001"));
    relay_change on = off;
    on.time = at("2025-01-06T00:00:00Z");
    on.position = relay_position::on;
    CHECK_THROWS_WITH(dnt.put_relay_changes(std::span(&on, 1)), Catch::Contains("5000001"));
    CHECK_THROWS_WITH(dnt.remove_from_service("5000001", parse_date("2025-02-01")),
                      Catch::Contains("[kvant.storage.304]"));
    CHECK(b.s.entries({}, from, to).size() == 1);
    CHECK(b.s.sessions({}, from, to).size() == 1);
    CHECK(b.s.relay_at(to, "5000001").front().position == relay_position::off);
    CHECK_FALSE(b.s.template find<meter>("5000001")->removed);
    CHECK(b.s.reading_count("5000001") == 1);
}
