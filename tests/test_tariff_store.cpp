// Stored tariffs: schedules assigned to an organisation, a building or a meter, rates per scope and date, and
// normatives per organisation, resource and kind of dwelling; their resolution for a meter on a date, and the
// store calls on both backends. Values worked out by hand in the comments.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include "store_backends.hpp"
#include "support.hpp"

#include <sstream>

#include "kvant/algorithms/tariff_resolution.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/model/tariff_json.hpp"
#include "kvant/store/memory_store.hpp"
#include "kvant/store/scoped_store.hpp"
#include "kvant/store/sqlite_store.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

calendar_date d(const char* s) {
    return parse_date(s);
}

std::filesystem::path temp_db() {
    static std::mt19937_64 rng{std::random_device{}()};
    return std::filesystem::temp_directory_path() / ("kvant-test-tariffs-" + std::to_string(rng()) + ".db");
}
void remove_db(const std::filesystem::path& p) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
}

/// Organisation dnt-demo; account A1 in building b-1 with 3 residents, a point with a gas stove, meter
/// 9000106; account A2 in building b-2 without a residents count, an electric stove, meter 9000107.
void populate(store& s) {
    organization o;
    o.id = "dnt-demo";
    o.name = "ДНТ Демо";
    s.put(o);
    s.put(
        abonent{"ab-1", "dnt-demo", abonent_kind::person, "Васильев Роман Михайлович", "", "", std::nullopt});
    account a1;
    a1.number = "A1";
    a1.abonent = "ab-1";
    a1.building = "b-1";
    a1.residents = 3;
    s.put(a1);
    account a2 = a1;
    a2.number = "A2";
    a2.building = "b-2";
    a2.residents.reset();
    s.put(a2);
    s.put(metering_point{"tp-1", "A1", "Основной", "Дом", "В доме", "Газовая плита"});
    s.put(metering_point{"tp-2", "A2", "Основной", "Дом", "В доме", "Электроплита"});
    meter m1;
    m1.serial = "9000106";
    m1.point = "tp-1";
    s.put(m1);
    meter m2 = m1;
    m2.serial = "9000107";
    m2.point = "tp-2";
    s.put(m2);
}

tariff_book schedules_book() {
    tariff_book b;
    b.schedules = {single_rate_schedule(), two_zone_schedule(), three_zone_schedule()};
    b.assignments = {
        {tariff_scope::organization, "dnt-demo", resource::electricity, d("2020-01-01"), "single"},
        {tariff_scope::building, "b-1", resource::electricity, d("2021-01-01"), "two-zone"},
        {tariff_scope::meter, "9000106", resource::electricity, d("2022-06-01"), "three-zone"},
        {tariff_scope::organization, "dnt-demo", resource::electricity, d("2023-01-01"), "two-zone"},
    };
    return b;
}

/// Hand-made subjects (no store): as subject_of() gives them for populate()'s fleet.
tariff_subject m106() {
    return {"9000106", "dnt-demo", "b-1", "Газовая плита", 3, resource::electricity};
}
tariff_subject m107() {
    return {"9000107", "dnt-demo", "b-2", "Электроплита", std::nullopt, resource::electricity};
}

std::string schedule_on(const tariff_book& b, const tariff_subject& s, const char* day) {
    const auto* a = assignment_at(b, s, d(day));
    return a ? a->schedule : "(none)";
}

}  // namespace

TEST_CASE("the most specific scope wins: meter over building over organisation, the latest version in it") {
    const auto b = schedules_book();
    CHECK(schedule_on(b, m106(), "2019-12-31") == "(none)");      // before any assignment
    CHECK(schedule_on(b, m106(), "2020-06-01") == "single");      // the organisation's only
    CHECK(schedule_on(b, m106(), "2021-03-01") == "two-zone");    // building b-1 from 2021
    CHECK(schedule_on(b, m106(), "2022-05-31") == "two-zone");    // the day before the meter's own
    CHECK(schedule_on(b, m106(), "2022-06-01") == "three-zone");  // the meter's own, on its date
    CHECK(schedule_on(b, m106(), "2023-06-01") == "three-zone");  // a newer organisation version loses
    CHECK(schedule_on(b, m107(), "2021-03-01") == "single");      // building b-2 has none
    CHECK(schedule_on(b, m107(), "2023-01-01") == "two-zone");    // the organisation's newer version
    CHECK(schedule_on(b, m107(), "2022-12-31") == "single");
}

TEST_CASE(
    "a rate change on the 16th splits the month's bill, a meter's own price list replaces the "
    "organisation's") {
    tariff_book b;
    b.schedules = {single_rate_schedule()};
    b.assignments = {
        {tariff_scope::organization, "dnt-demo", resource::electricity, d("2020-01-01"), "single"}};
    b.rates = {
        {"single", tariff_scope::organization, "dnt-demo", "total", d("2020-01-01"), dec("5.00"),
         "АО Энергосбыт"},
        {"single", tariff_scope::organization, "dnt-demo", "total", d("2020-08-16"), dec("6.00"),
         "АО Энергосбыт"},
        {"single", tariff_scope::meter, "9000107", "total", d("2020-08-10"), dec("4.00"), "АО Энергосбыт"},
    };
    // 9000106: the organisation's two versions as they are
    const auto t106 = rate_timeline(b, m106(), "single");
    REQUIRE(t106.size() == 2);
    CHECK(t106[0].from == d("2020-01-01"));
    CHECK(t106[0].price == dec("5.00"));
    CHECK(t106[1].from == d("2020-08-16"));
    CHECK(t106[1].price == dec("6.00"));
    // 9000107: 5.00 until its own list starts on 10.08 at 4.00; the organisation's 6.00 never applies to it
    const auto t107 = rate_timeline(b, m107(), "single");
    REQUIRE(t107.size() == 2);
    CHECK(t107[1].from == d("2020-08-10"));
    CHECK(t107[1].price == dec("4.00"));

    // 10 a day through August (UTC): 15 days × 10 × 5.00 + 16 days × 10 × 6.00 = 750 + 960 = 1710.00
    consumption_options o;
    o.periods = {period_kind::month};
    const tariff_calendar cal(single_rate_schedule());
    const auto s106 = totals("9000106", {{"2020-08-01T00:00:00Z", "0"}, {"2020-09-01T00:00:00Z", "310"}});
    const auto bill = cost(s106, zone::utc(), cal, t106, {}, o);
    REQUIRE(bill.lines.size() == 2);
    CHECK(to_string(bill.lines[0].amount) == "750.00");
    CHECK(to_string(bill.lines[1].amount) == "960.00");
    CHECK(to_string(bill.total[0]) == "1710.00");
    // 9000107: 9 days × 10 × 5.00 + 22 days × 10 × 4.00 = 450 + 880 = 1330.00
    const auto s107 = totals("9000107", {{"2020-08-01T00:00:00Z", "0"}, {"2020-09-01T00:00:00Z", "310"}});
    CHECK(to_string(cost(s107, zone::utc(), cal, t107, {}, o).total[0]) == "1330.00");

    // the terms of August for 9000106: cut on the 16th, where the price changes
    const auto terms = resolve_terms(b, m106(), d("2020-08-01"), d("2020-09-01"));
    REQUIRE(terms.size() == 2);
    CHECK(terms[0].from == d("2020-08-01"));
    CHECK(terms[0].to == d("2020-08-16"));
    CHECK(terms[0].schedule == "single");
    REQUIRE(terms[0].rates.size() == 1);
    CHECK(terms[0].rates[0]->price == dec("5.00"));
    CHECK(terms[1].from == d("2020-08-16"));
    CHECK(terms[1].to == d("2020-09-01"));
    CHECK(terms[1].rates[0]->price == dec("6.00"));
    CHECK(terms[1].rates[0]->supplier == "АО Энергосбыт");
}

TEST_CASE("a meter's own single price replaces its organisation's day and night prices from its date") {
    tariff_book b;
    b.schedules = {two_zone_schedule()};
    b.rates = {
        {"two-zone", tariff_scope::organization, "dnt-demo", "day", d("2020-01-01"), dec("6.00"), ""},
        {"two-zone", tariff_scope::organization, "dnt-demo", "night", d("2020-01-01"), dec("3.00"), ""},
        {"two-zone", tariff_scope::meter, "9000106", "total", d("2020-08-11"), dec("4.00"), ""},
    };
    const auto t = rate_timeline(b, m106(), "two-zone");
    // from 2020-01-01: day 6, night 3 (no total yet); from 2020-08-11 every name at 4
    REQUIRE(t.size() == 5);
    CHECK((t[0].zone == "day" && t[0].price == dec("6.00") && t[0].from == d("2020-01-01")));
    CHECK((t[1].zone == "night" && t[1].price == dec("3.00")));
    for (std::size_t i = 2; i < 5; ++i) CHECK((t[i].from == d("2020-08-11") && t[i].price == dec("4.00")));
    // 10 a day through August (UTC), 16 h day (07-23) and 8 h night: 10 days at 6 and 3, 21 days at 4
    // (10 × 10 × 16/24 × 6 = 400.00; 10 × 10 × 8/24 × 3 = 100.00; 21 × 10 × 4 = 840.00) = 1340.00
    consumption_options o;
    o.periods = {period_kind::month};
    const auto s106 = totals("9000106", {{"2020-08-01T00:00:00Z", "0"}, {"2020-09-01T00:00:00Z", "310"}});
    const auto bill = cost(s106, zone::utc(), tariff_calendar(two_zone_schedule()), t, {}, o);
    CHECK(to_string(bill.total[0]) == "1340.00");
}

TEST_CASE(
    "an assignment prices only the meters of its resource: a water meter never gets electricity prices") {
    auto b = schedules_book();  // every assignment for electricity
    const tariff_subject water{"9000108", "dnt-demo", "b-1", "", 3, resource::cold_water};
    // the organisation's, the building's and the meter's electricity schedules are not the water meter's
    CHECK(schedule_on(b, water, "2020-06-01") == "(none)");
    CHECK(schedule_on(b, water, "2023-06-01") == "(none)");
    auto terms = resolve_terms(b, water, d("2020-01-01"), d("2024-01-01"));
    REQUIRE(terms.size() == 1);  // no cut on the electricity assignments' dates
    CHECK(terms[0].schedule.empty());
    // the organisation's water schedule from 01.06.2021, same scope and target as its electricity ones
    b.assignments.push_back(
        {tariff_scope::organization, "dnt-demo", resource::cold_water, d("2021-06-01"), "water"});
    CHECK(schedule_on(b, water, "2021-05-31") == "(none)");
    CHECK(schedule_on(b, water, "2021-06-01") == "water");
    CHECK(schedule_on(b, water, "2023-06-01") == "water");  // the electricity version of 2023 is not its
    terms = resolve_terms(b, water, d("2020-01-01"), d("2024-01-01"));
    REQUIRE(terms.size() == 2);
    CHECK(terms[1].from == d("2021-06-01"));
    CHECK(terms[1].schedule == "water");
    // the electricity meters are as before: the water assignment is not theirs
    CHECK(schedule_on(b, m107(), "2021-07-01") == "single");
    CHECK(schedule_on(b, m107(), "2023-06-01") == "two-zone");
    CHECK(schedule_on(b, m106(), "2021-07-01") == "two-zone");
}

TEST_CASE("a meter moved to another schedule: each period under the schedule and rates then in force") {
    // two-zone for the organisation (day 6.00, night 3.00); the meter's own three-zone from 01.07.2020,
    // priced by its own total 5.00 from that date only
    tariff_book b;
    b.schedules = {two_zone_schedule(), three_zone_schedule()};
    b.assignments = {
        {tariff_scope::organization, "dnt-demo", resource::electricity, d("2020-01-01"), "two-zone"},
        {tariff_scope::meter, "9000106", resource::electricity, d("2020-07-01"), "three-zone"},
    };
    b.rates = {
        {"two-zone", tariff_scope::organization, "dnt-demo", "day", d("2020-01-01"), dec("6.00"), ""},
        {"two-zone", tariff_scope::organization, "dnt-demo", "night", d("2020-01-01"), dec("3.00"), ""},
        {"three-zone", tariff_scope::meter, "9000106", "total", d("2020-07-01"), dec("5.00"), "x"},
    };
    const auto terms = resolve_terms(b, m106(), d("2020-05-01"), d("2020-09-01"));
    REQUIRE(terms.size() == 2);
    CHECK(terms[0].to == d("2020-07-01"));
    CHECK(terms[0].schedule == "two-zone");
    REQUIRE(terms[0].rates.size() == 2);  // the organisation's day and night: the meter's list starts later
    CHECK((terms[0].rates[0]->zone == "day" && terms[0].rates[0]->price == dec("6.00")));
    CHECK((terms[0].rates[1]->zone == "night" && terms[0].rates[1]->price == dec("3.00")));
    CHECK(terms[1].schedule == "three-zone");
    REQUIRE(terms[1].rates.size() == 1);
    CHECK(terms[1].rates[0]->price == dec("5.00"));
    // 10 a day from 01.05 to 01.09 (123 days, UTC), billed as kvant cost --db does: each run of periods
    // under its schedule. May, two-zone: 31 × 10 × 16/24 × 6 = 1240.00 + 31 × 10 × 8/24 × 3 = 310.00
    const auto s106 = totals("9000106", {{"2020-05-01T00:00:00Z", "0"}, {"2020-09-01T00:00:00Z", "1230"}});
    consumption_options may_june;
    may_june.periods = {period_kind::month};
    may_june.from = parse_instant("2020-05-01T00:00:00Z");
    may_june.to = parse_instant("2020-07-01T00:00:00Z");
    const auto two = cost(s106, zone::utc(), tariff_calendar(two_zone_schedule()),
                          rate_timeline(b, m106(), "two-zone"), {}, may_june);
    REQUIRE(two.periods.size() == 2);
    CHECK(to_string(two.total[0]) == "1550.00");
    // July and August, three-zone at total 5.00: 31 × 10 × 5 = 1550.00 each
    consumption_options jul_aug = may_june;
    jul_aug.from = parse_instant("2020-07-01T00:00:00Z");
    jul_aug.to = parse_instant("2020-09-01T00:00:00Z");
    const auto t3 = rate_timeline(b, m106(), "three-zone");
    const auto three = cost(s106, zone::utc(), tariff_calendar(three_zone_schedule()), t3, {}, jul_aug);
    REQUIRE(three.periods.size() == 2);
    CHECK(three.periods[0].start_date == d("2020-07-01"));
    CHECK(to_string(three.total[0]) == "1550.00");
    CHECK(to_string(three.total[1]) == "1550.00");
    // the three-zone rates over all four months fail on May (what the CLI did before billing each run alone)
    consumption_options all = may_june;
    all.to = parse_instant("2020-09-01T00:00:00Z");
    CHECK_THROWS_AS(cost(s106, zone::utc(), tariff_calendar(three_zone_schedule()), t3, {}, all),
                    config_error);
}

TEST_CASE("a normative per person is times the residents, the dwelling's kind first, versions by date") {
    tariff_book b;
    b.normatives = {
        {"dnt-demo", resource::electricity, "Газовая плита", d("2020-01-01"), dec("100"),
         normative_basis::per_person},
        {"dnt-demo", resource::electricity, "Газовая плита", d("2021-07-01"), dec("110"),
         normative_basis::per_person},
        {"dnt-demo", resource::electricity, "", d("2020-01-01"), dec("250"), normative_basis::per_account},
        {"dnt-demo", resource::cold_water, "", d("2020-01-01"), dec("4.5"), normative_basis::per_person},
    };
    // 9000106: gas stove, 3 residents: 100 × 3 = 300 until 30.06.2021, 110 × 3 = 330 from 01.07.2021
    CHECK(normative_at(b, m106(), d("2021-06-30")).value == dec("300"));
    CHECK(normative_at(b, m106(), d("2021-07-01")).value == dec("330"));
    CHECK(normative_at(b, m106(), d("2019-12-31")).row == nullptr);
    // 9000107: an electric stove has no row of its own: the organisation's any-dwelling 250 per account
    const auto n107 = normative_at(b, m107(), d("2021-07-01"));
    REQUIRE(n107.row);
    CHECK(n107.row->basis == normative_basis::per_account);
    CHECK(n107.value == dec("250"));
    // per person without a residents count: the row, but no value (estimation reports basis none)
    auto water = m107();
    water.measures = resource::cold_water;
    CHECK(normative_at(b, water, d("2021-07-01")).row);
    CHECK_FALSE(normative_at(b, water, d("2021-07-01")).value);
    water.residents = 2;  // 4.5 × 2 = 9
    CHECK(normative_at(b, water, d("2021-07-01")).value == dec("9"));
    // the terms of 2021 for 9000106 are cut on 01.07, where the normative changes; no schedule assigned
    const auto terms = resolve_terms(b, m106(), d("2021-01-01"), d("2022-01-01"));
    REQUIRE(terms.size() == 2);
    CHECK(terms[0].schedule.empty());
    CHECK(terms[0].normative == dec("300"));
    CHECK(terms[1].from == d("2021-07-01"));
    CHECK(terms[1].normative == dec("330"));
}

TEMPLATE_TEST_CASE("stored tariffs: put, find, list, remove, and what is refused", "[store]", memory_backend,
                   sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType bk;
    store& s = bk.s;
    populate(s);
    s.put(single_rate_schedule());
    s.put(two_zone_schedule());
    const tariff_assignment org_single{tariff_scope::organization, "dnt-demo", resource::electricity,
                                       d("2020-01-01"), "single"};
    const tariff_assignment b1_two{tariff_scope::building, "b-1", resource::electricity, d("2021-01-01"),
                                   "two-zone"};
    s.put(org_single);
    s.put(b1_two);
    const tariff_rate day{"two-zone", tariff_scope::building, "b-1", "day", d("2021-01-01"), dec("6.47"),
                          "АО ЭС"};
    const tariff_rate night{"two-zone", tariff_scope::building, "b-1", "night", d("2021-01-01"), dec("3.42"),
                            ""};
    s.put(day);
    s.put(night);
    const normative gas{"dnt-demo", resource::electricity,      "Газовая плита", d("2020-01-01"),
                        dec("100"), normative_basis::per_person};
    s.put(gas);

    CHECK(s.template find<tariff_schedule>("two-zone") == two_zone_schedule());
    CHECK(s.template find<tariff_assignment>(key_of(b1_two)) == b1_two);
    CHECK(s.template find<tariff_rate>(key_of(day)) == day);
    CHECK(s.template find<normative>(key_of(gas)) == gas);
    CHECK(s.template all<tariff_schedule>().size() == 2);
    CHECK(s.template all<tariff_rate>().size() == 2);
    // the same version again changes nothing (an import repeated)
    s.put(day);
    CHECK(s.template all<tariff_rate>().size() == 2);

    // resolution over what the store holds: meter 9000106 is in building b-1
    const fleet f = load_fleet(s);
    const tariff_book book = load_tariffs(s);
    const auto subj = subject_of(f, *f.find_meter("9000106"));
    CHECK(subj.building == "b-1");
    CHECK(subj.residents == 3);
    CHECK(subj.amenities == "Газовая плита");
    CHECK(assignment_at(book, subj, d("2021-02-01"))->schedule == "two-zone");
    CHECK(rates_at(book, subj, "two-zone", d("2021-02-01")).size() == 2);
    CHECK(normative_at(book, subj, d("2021-02-01")).value == dec("300"));

    auto refused = [&](auto&& put, errc code, const std::string& field, const std::string& text) {
        try {
            put();
            FAIL("no exception");
        } catch (const validation_error& e) {
            CHECK(e.code() == code);
            if (!field.empty()) CHECK(e.where().field == field);
            CHECK_THAT(e.reason(), Catch::Contains(text));
        }
    };
    refused(
        [&] {
            s.put(tariff_assignment{tariff_scope::meter, "9000106", resource::electricity, d("2022-01-01"),
                                    "nope"});
        },
        errc::unknown_reference, "schedule", "unknown tariff schedule 'nope'");
    refused(
        [&] {
            s.put(tariff_assignment{tariff_scope::meter, "9999999", resource::electricity, d("2022-01-01"),
                                    "single"});
        },
        errc::unknown_reference, "target", "unknown meter '9999999'");
    refused(
        [&] {
            s.put(tariff_assignment{tariff_scope::building, "b-9", resource::electricity, d("2022-01-01"),
                                    "single"});
        },
        errc::unknown_reference, "target", "building (no account is in it) 'b-9'");
    refused(
        [&] {
            s.put(tariff_rate{"two-zone", tariff_scope::organization, "dnt-demo", "nigth", d("2021-01-01"),
                              dec("3"), ""});
        },
        errc::unknown_reference, "zone", "'nigth'");
    refused(
        [&] {
            s.put(tariff_rate{"two-zone", tariff_scope::organization, "dnt-demo", "day", d("2021-01-01"),
                              dec("-1"), ""});
        },
        errc::validation, "", "price");
    refused(
        [&] {
            s.put(normative{"other-org", resource::electricity, "", d("2020-01-01"), dec("1"),
                            normative_basis::per_account});
        },
        errc::unknown_reference, "organization", "unknown organization 'other-org'");
    // a version stored with another price is refused, naming both; removed, the correction goes in
    tariff_rate corrected = day;
    corrected.price = dec("6.57");
    refused([&] { s.put(corrected); }, errc::duplicate, "", "\"6.47\"");
    CHECK(s.template find<tariff_rate>(key_of(day))->price == dec("6.47"));
    CHECK(s.remove(day));
    CHECK_FALSE(s.remove(day));
    s.put(corrected);
    CHECK(s.template find<tariff_rate>(key_of(day))->price == dec("6.57"));
    // a schedule still assigned or priced is not removed
    refused([&] { s.remove_schedule("two-zone"); }, errc::validation, "", "is assigned");
    CHECK(s.remove(b1_two));
    refused([&] { s.remove_schedule("two-zone"); }, errc::validation, "", "is priced");
    CHECK(s.remove(corrected));
    CHECK(s.remove(night));
    CHECK(s.remove_schedule("two-zone"));
    CHECK_FALSE(s.template find<tariff_schedule>("two-zone"));
    CHECK(s.remove(gas));
    CHECK(s.template all<normative>().empty());

    // a meter a tariff row names is not erased behind its back
    s.put(
        tariff_assignment{tariff_scope::meter, "9000107", resource::electricity, d("2022-01-01"), "single"});
    try {
        s.erase(entity_kind::meter, "9000107");
        FAIL("no exception");
    } catch (const storage_error& e) {
        CHECK(e.code() == errc::storage_conflict);
        CHECK_THAT(std::string(e.message()),
                   Catch::Contains("stored tariff rows refer to it (1 tariff assignment)"));
    }
    CHECK(s.remove(
        tariff_assignment{tariff_scope::meter, "9000107", resource::electricity, d("2022-01-01"), ""}));
    CHECK(s.erase(entity_kind::meter, "9000107").size() == 1);

    // a failed batch changes nothing
    try {
        transaction tx(s);
        s.put(tariff_assignment{tariff_scope::meter, "9000106", resource::electricity, d("2024-01-01"),
                                "single"});
        s.put(tariff_assignment{tariff_scope::meter, "9000106", resource::electricity, d("2024-02-01"),
                                "nope"});
        tx.commit();
        FAIL("no exception");
    } catch (const validation_error&) {
    }
    CHECK(s.template all<tariff_assignment>().size() == 1);  // org_single only
}

TEST_CASE("a schema 3 database gets the tariff tables on a writing open, a read-only open is refused") {
    const auto file = temp_db();
    {
        sqlite_store s(file);
        populate(s);
    }
    // make it a version 3 database, as an older libkvant left it
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
    // every table schema 4 added (support.hpp), not only the tariffs': the upgrade creates them all
    REQUIRE(sqlite3_exec(db, (std::string(drop_schema_v4_tables) + "PRAGMA user_version=3").c_str(), nullptr,
                         nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    try {
        sqlite_store ro(file, sqlite_store::mode::read_only);
        FAIL("no exception");
    } catch (const storage_error& e) {
        CHECK(e.code() == errc::storage_schema);
        CHECK_THAT(std::string(e.message()),
                   Catch::Contains("has schema version 3") && Catch::Contains("kvant migrate"));
    }
    {
        sqlite_store s(file, sqlite_store::mode::open);
        CHECK(s.template find<meter>("9000106"));
        s.put(single_rate_schedule());
        s.put(tariff_assignment{tariff_scope::organization, "dnt-demo", resource::electricity,
                                d("2020-01-01"), "single"});
        CHECK(s.check().empty());
    }
    sqlite_store ro(file, sqlite_store::mode::read_only);
    CHECK(ro.template all<tariff_assignment>().size() == 1);
    remove_db(file);
}

TEST_CASE("a stored rate edited to a negative price is storage_corrupt naming table and row, not a bill") {
    const auto file = temp_db();
    {
        sqlite_store s(file);
        populate(s);
        s.put(single_rate_schedule());
        s.put(tariff_rate{"single", tariff_scope::organization, "dnt-demo", "total", d("2020-01-01"),
                          dec("5"), ""});
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.string().c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "UPDATE tariff_rates SET doc=replace(doc, '\"5\"', '\"-5\"')", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    sqlite3_close(db);
    sqlite_store s(file, sqlite_store::mode::read_only);
    try {
        (void)s.template all<tariff_rate>();
        FAIL("no exception");
    } catch (const storage_error& e) {
        CHECK(e.code() == errc::storage_corrupt);
        CHECK_THAT(std::string(e.message()), Catch::Contains("stored tariff_rates row 'single") &&
                                                 Catch::Contains("column 'doc'") && Catch::Contains("price"));
    }
    // check() (kvant validate) names the row rather than failing
    const auto found = s.check();
    REQUIRE(found.size() == 1);
    CHECK(found[0].table == "tariff_rates");
    CHECK(found[0].key == "'single/organization/dnt-demo/total/2020-01-01'");
    CHECK(found[0].column == "doc");
    CHECK_THAT(found[0].what, Catch::Contains("field 'price': -5 is outside 0..1000000"));
    remove_db(file);
}

TEST_CASE(
    "tariff CSV import: a key twice with other values names both lines, a failed import changes nothing") {
    memory_store s;
    populate(s);
    import_csv(s, table_kind::tariff_schedules, nlohmann::json(std::vector{single_rate_schedule()}).dump(),
               "schedules.json");
    const std::string rates =
        "schedule,scope,target,zone,from,price,supplier\n"
        "single,organization,dnt-demo,total,2020-01-01,5.00,АО ЭС\n"
        "single,organization,dnt-demo,total,2020-01-01,5.00,АО ЭС\n"  // the same again: one rate
        "single,building,b-1,total,2021-01-01,4.50,\n";
    const auto rep = import_csv(s, table_kind::tariff_rates, rates, "rates.csv");
    CHECK(rep.rows == 3);
    CHECK(rep.stats.inserted == 2);
    CHECK(rep.stats.unchanged == 1);
    // imported again: nothing new
    CHECK(import_csv(s, table_kind::tariff_rates, rates, "rates.csv").stats.inserted == 0);
    try {
        import_csv(s, table_kind::tariff_rates,
                   "schedule,scope,target,zone,from,price\n"
                   "single,meter,9000106,total,2022-01-01,7\n"
                   "single,meter,9000106,total,2022-01-01,8\n",
                   "more.csv");
        FAIL("no exception");
    } catch (const validation_error& e) {
        CHECK(e.code() == errc::duplicate);
        CHECK(e.where().file == "more.csv");
        CHECK(e.where().line == 3);
        CHECK_THAT(e.reason(), Catch::Contains("more.csv:2"));
    }
    // the second row refers to a meter that does not exist: the first row is not kept either
    try {
        import_csv(s, table_kind::tariff_assignments,
                   "scope,target,resource,from,schedule\nmeter,9000106,electricity,2022-01-01,single\n"
                   "meter,nope,electricity,2022-01-01,single\n",
                   "assign.csv");
        FAIL("no exception");
    } catch (const validation_error& e) {
        CHECK(e.code() == errc::unknown_reference);
        CHECK(e.where().line == 3);
        CHECK(e.where().field == "target");
    }
    CHECK(s.all<tariff_assignment>().empty());
    CHECK(s.all<tariff_rate>().size() == 2);
    // export writes what import reads
    std::ostringstream out;
    export_csv(s, table_kind::tariff_rates, out);
    CHECK(out.str() ==
          "schedule,scope,target,zone,from,price,supplier\n"
          "single,building,b-1,total,2021-01-01,4.5,\n"
          "single,organization,dnt-demo,total,2020-01-01,5,АО ЭС\n");
}

TEMPLATE_TEST_CASE("one scope, target and date for two resources: two assignments, each for its own meters",
                   "[store]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType bk;
    store& s = bk.s;
    populate(s);
    s.put(metering_point{"tp-3", "A1", "Вода", "Дом", "В доме", ""});
    meter w;
    w.serial = "9000108";
    w.point = "tp-3";
    w.measures = resource::cold_water;
    s.put(w);
    s.put(single_rate_schedule());
    s.put(two_zone_schedule());
    const tariff_assignment el{tariff_scope::organization, "dnt-demo", resource::electricity, d("2020-01-01"),
                               "two-zone"};
    const tariff_assignment wa{tariff_scope::organization, "dnt-demo", resource::cold_water, d("2020-01-01"),
                               "single"};
    s.put(el);
    s.put(wa);
    CHECK(key_of(el) != key_of(wa));
    CHECK(s.template all<tariff_assignment>().size() == 2);
    CHECK(s.template find<tariff_assignment>(key_of(wa)) == wa);
    CHECK(s.template find<tariff_assignment>(key_of(el)) == el);
    const fleet f = load_fleet(s);
    const auto water = subject_of(f, *f.find_meter("9000108"));
    const auto power = subject_of(f, *f.find_meter("9000106"));
    CHECK(water.measures == resource::cold_water);
    CHECK(assignment_at(load_tariffs(s), water, d("2020-06-01"))->schedule == "single");
    CHECK(assignment_at(load_tariffs(s), power, d("2020-06-01"))->schedule == "two-zone");
    // without its own, the water meter has none: the electricity one is not borrowed
    CHECK(s.remove(wa));
    CHECK(assignment_at(load_tariffs(s), water, d("2020-06-01")) == nullptr);
    CHECK(assignment_at(load_tariffs(s), power, d("2020-06-01"))->schedule == "two-zone");
}

TEMPLATE_TEST_CASE("a store scoped to one organisation sees and writes only its own tariff rows", "[store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType bk;
    store& s = bk.s;
    populate(s);
    organization other;
    other.id = "other";
    other.name = "Другая";
    s.put(other);
    s.put(single_rate_schedule());
    s.put(tariff_assignment{tariff_scope::organization, "dnt-demo", resource::electricity, d("2020-01-01"),
                            "single"});
    s.put(tariff_assignment{tariff_scope::organization, "other", resource::electricity, d("2020-01-01"),
                            "single"});
    s.put(normative{"other", resource::electricity, "", d("2020-01-01"), dec("90"),
                    normative_basis::per_account});
    scoped_store mine(s, "dnt-demo");
    REQUIRE(mine.all<tariff_assignment>().size() == 1);
    CHECK(mine.all<tariff_assignment>()[0].target == "dnt-demo");
    CHECK(mine.all<normative>().empty());
    CHECK(mine.all<tariff_schedule>().size() == 1);  // schedules are shared
    // another organisation's rows cannot be read, written or removed through the scope
    CHECK_FALSE(mine.find<tariff_assignment>(key_of(
        tariff_assignment{tariff_scope::organization, "other", resource::electricity, d("2020-01-01"), ""})));
    CHECK_THROWS_AS(mine.put(tariff_assignment{tariff_scope::organization, "other", resource::electricity,
                                               d("2021-01-01"), "single"}),
                    validation_error);
    CHECK_FALSE(mine.remove(
        tariff_assignment{tariff_scope::organization, "other", resource::electricity, d("2020-01-01"), ""}));
    CHECK_THROWS_AS(mine.remove_schedule("single"), validation_error);
    CHECK(s.all<tariff_assignment>().size() == 2);
    // its own building and meter are in scope
    mine.put(
        tariff_assignment{tariff_scope::building, "b-1", resource::electricity, d("2021-01-01"), "single"});
    mine.put(
        tariff_assignment{tariff_scope::meter, "9000106", resource::electricity, d("2022-01-01"), "single"});
    CHECK(mine.all<tariff_assignment>().size() == 3);
}

TEMPLATE_TEST_CASE("a scope cannot write or remove the tariff rows of a building another organisation shares",
                   "[store][scope]", memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    // Building keys are free text: the other organisation has account B1 in "b-1" too, so a building rate of
    // "b-1" bills its account as well. The scope reads it (it bills its own A1) but cannot change it.
    TestType b;
    store& s = b.s;
    populate(s);
    organization other;
    other.id = "other";
    other.name = "Другая";
    s.put(other);
    s.put(abonent{"ab-9", "other", abonent_kind::person, "Петров Пётр", "", "", std::nullopt});
    account theirs;
    theirs.number = "B1";
    theirs.abonent = "ab-9";
    theirs.building = "b-1";
    s.put(theirs);
    s.put(single_rate_schedule());
    const tariff_rate shared{"single", tariff_scope::building, "b-1", "total", d("2020-01-01"), dec("5"), ""};
    s.put(shared);
    s.put(tariff_assignment{tariff_scope::building, "b-1", resource::electricity, d("2020-01-01"), "single"});
    scoped_store mine(s, "dnt-demo");
    CHECK(mine.all<tariff_rate>().size() == 1);  // read: it bills A1
    CHECK_THROWS_WITH(mine.remove(shared), Catch::Contains("shared with another organization"));
    CHECK_THROWS_WITH(mine.remove(tariff_assignment{tariff_scope::building, "b-1", resource::electricity,
                                                    d("2020-01-01"), "single"}),
                      Catch::Contains("shared with another organization"));
    CHECK_THROWS_AS(mine.put(tariff_rate{"single", tariff_scope::building, "b-1", "total", d("2021-01-01"),
                                         dec("50"), ""}),
                    validation_error);
    CHECK(s.all<tariff_rate>().size() == 1);
    CHECK(s.all<tariff_assignment>().size() == 1);
    // a building wholly its own is still written through the scope
    mine.put(tariff_rate{"single", tariff_scope::building, "b-2", "total", d("2021-01-01"), dec("4"), ""});
    CHECK(
        mine.remove(tariff_rate{"single", tariff_scope::building, "b-2", "total", d("2021-01-01"), {}, ""}));
}
