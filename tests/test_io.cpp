// CSV: the reader, import of every table, errors that name file, line and field, atomicity (a failed import
// leaves the store exactly as before), idempotence, and export that reads back the same.
#include <algorithm>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include "support.hpp"

#include "kvant/io/csv.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/store/memory_store.hpp"
#include "kvant/store/sqlite_store.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

std::vector<std::vector<std::string>> read_all(std::string_view text, char delim = ',') {
    csv_reader rd(text, "t.csv", delim);
    std::vector<std::string_view> f;
    std::vector<std::vector<std::string>> out;
    while (rd.next(f)) out.emplace_back(f.begin(), f.end());
    return out;
}

const char* orgs = "id,name,zone,inn\ndnt-demo,\"ДНТ Демо \"\"Квант-Энерго\"\"\",Europe/Moscow,7707083893\n";
const char* abonents = "id,organization,name\nab-1,dnt-demo,Васильев Роман Михайлович\n";
const char* accounts = "number,abonent,building_type,apartment,area\nA15900009360,ab-1,apartment,10,54.3\n";
const char* points = "code,account,name\ntp-1,A15900009360,Основной\n";
const char* models =
    "id,name,resource,tariff_registers,register_digits,verification_interval_years\n"
    "neva-2t,NEVA MT 114,electricity,2,6,16\n"
    "betar,Бетар СВВ-15,cold_water,1,5,4\n";
const char* meters =
    "serial,model,point,installed,transformer_ratio,zone\n"
    "9000106,neva-2t,tp-1,2019-09-21,1,\n"
    "98990006,betar,tp-1,12.07.2018,,360\n";

void populate(store& s) {
    import_csv(s, table_kind::organizations, orgs, "organizations.csv");
    import_csv(s, table_kind::abonents, abonents, "abonents.csv");
    import_csv(s, table_kind::accounts, accounts, "accounts.csv");
    import_csv(s, table_kind::metering_points, points, "metering_points.csv");
    import_csv(s, table_kind::meter_models, models, "meter_models.csv");
    import_csv(s, table_kind::meters, meters, "meters.csv");
}

/// Everything a store holds, as text: to compare a store before and after a failed import.
std::string snapshot(const store& s) {
    std::ostringstream out;
    for (auto k :
         {table_kind::organizations, table_kind::abonents, table_kind::accounts, table_kind::metering_points,
          table_kind::meter_models, table_kind::meters, table_kind::readings, table_kind::events})
        export_csv(s, k, out);
    return out.str();
}

template <class Error>
Error import_error(store& s, table_kind kind, const std::string& text, const char* name) {
    try {
        import_csv(s, kind, text, name);
    } catch (const Error& e) {
        return e;
    }
    FAIL("the import did not fail");
    throw std::logic_error("unreachable");
}
}  // namespace

TEST_CASE("the CSV reader follows RFC 4180") {
    const auto rows = read_all(
        "\xEF\xBB\xBF"
        "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\n\n\"multi\nline\",,z");
    REQUIRE(rows.size() == 3);
    CHECK(rows[0] == std::vector<std::string>{"a", "b", "c"});
    CHECK(rows[1] == std::vector<std::string>{"x,1", "say \"hi\"", ""});
    CHECK(rows[2] == std::vector<std::string>{"multi\nline", "", "z"});
    CHECK(read_all("a;b\n1;2\n", ';')[1] == std::vector<std::string>{"1", "2"});
    // line numbers count the line breaks inside quotes
    csv_reader rd("h\n\"a\nb\"\nc\n", "t.csv");
    std::vector<std::string_view> f;
    rd.next(f);
    rd.next(f);
    CHECK(rd.line() == 2);
    rd.next(f);
    CHECK(rd.line() == 4);
}

TEST_CASE("malformed CSV is refused with the line and byte offset") {
    try {
        read_all("a,b\n1,\"open\n");
        FAIL("no exception");
    } catch (const parse_error& e) {
        CHECK(e.code() == errc::csv_syntax);
        CHECK(std::string(e.what()) == "[kvant.parse.110] t.csv:2: byte 2: unterminated quoted field");
    }
    CHECK_THROWS_WITH(read_all("a,b\n\"x\"y,1\n"),
                      "[kvant.parse.110] t.csv:2: byte 3: text after a closing quote");
    CHECK_THROWS_WITH(read_all("a,b\nx\"y,1\n"),
                      Catch::Contains("t.csv:2: byte 1: a quote inside an unquoted field"));
}

TEST_CASE("every table imports; the same files twice change nothing") {
    memory_store s;
    populate(s);
    CHECK(s.find<organization>("dnt-demo")->name == "ДНТ Демо \"Квант-Энерго\"");
    const auto m = s.find<meter>("98990006");
    REQUIRE(m);
    CHECK(m->measures == resource::cold_water);  // from the model, since the file gives none
    CHECK(m->installed == parse_date("2018-07-12"));
    CHECK(m->time_zone->name() == "+06:00");
    CHECK(s.find<account>("A15900009360")->area == dec("54.3"));
    const std::string before = snapshot(s);
    const auto again = import_csv(s, table_kind::meters, meters, "meters.csv");
    CHECK(again.rows == 2);
    CHECK(again.stats.unchanged == 2);
    CHECK(snapshot(s) == before);
}

TEST_CASE("readings import in both layouts, with offsets and empty cells") {
    memory_store s;
    populate(s);
    const auto r1 = import_csv(s, table_kind::readings,
                               "meter,timestamp,value\n98990006,2020-08-20T09:05:00+03:00,352.2480\n"
                               "98990006,2020-08-21T06:05:00Z,352.2400\n",
                               "r1.csv");
    CHECK(r1.stats.inserted == 2);
    const auto r2 = import_csv(s, table_kind::readings,
                               "meter,timestamp,total,t1,t2,t3,t4\n"
                               "9000106,2020-07-30T16:16:00+03:00,10084.08,7632.05,2452.03,,\n"
                               "9000106,2020-07-31T16:16:00+03:00,10090,,,,\n",
                               "r2.csv");
    CHECK(r2.stats.inserted == 2);
    const auto t = s.readings("9000106", at("2020-07-30T00:00:00Z"), at("2020-08-01T00:00:00Z"));
    REQUIRE(t.size() == 2);
    const auto first = t.row(0);
    CHECK(first.time == at("2020-07-30T13:16:00Z"));
    CHECK(*first[register_id::t1] == dec("7632.05"));
    CHECK_FALSE(first[register_id::t3]);
    CHECK_FALSE(t.row(1)[register_id::t1]);
    CHECK(s.reading_count("98990006") == 2);
    // a timestamp without an offset needs one named
    import_options o;
    o.default_offset_minutes = 180;
    import_csv(s, table_kind::readings, "meter,timestamp,value\n98990006,2020-08-22 09:05,352.3\n", "r3.csv",
               o);
    CHECK(s.last_reading("98990006")->time == at("2020-08-22T06:05:00Z"));
}

TEST_CASE("bad input names file, line and field, and the store is exactly as before") {
    sqlite_store s(std::filesystem::temp_directory_path() / "kvant-test-io-rollback.db");
    populate(s);
    import_csv(s, table_kind::readings, "meter,timestamp,value\n98990006,2020-08-20T06:05:00Z,352.248\n",
               "ok.csv");
    const std::string before = snapshot(s);
    const std::string good = "meter,timestamp,value\n98990006,2020-08-21T06:05:00Z,352.24\n";

    auto e1 = import_error<parse_error>(s, table_kind::readings,
                                        good + "98990006,2020-02-30T06:05:00Z,352.3\n", "r.csv");
    CHECK(e1.code() == errc::invalid_timestamp);
    CHECK(std::string(e1.what()) ==
          "[kvant.parse.102] r.csv:3: field 'timestamp': '2020-02-30T06:05:00Z': impossible date");
    auto e2 = import_error<parse_error>(s, table_kind::readings, good + "98990006,2020-08-22T06:05:00Z,35x\n",
                                        "r.csv");
    CHECK(e2.where().line == 3);
    CHECK(e2.where().field == "value");
    auto e3 =
        import_error<parse_error>(s, table_kind::readings, good + "98990006,2020-08-22T06:05:00Z\n", "r.csv");
    CHECK(std::string(e3.what()) == "[kvant.parse.110] r.csv:3: expected 3 fields as in the header, found 2");
    auto e4 = import_error<validation_error>(s, table_kind::readings,
                                             good + "98990007,2020-08-22T06:05:00Z,1\n", "r.csv");
    CHECK(e4.code() == errc::unknown_reference);
    CHECK(std::string(e4.what()) ==
          "[kvant.validation.201] r.csv:3: field 'meter': unknown meter '98990007'");
    auto e5 = import_error<storage_error>(s, table_kind::readings,
                                          good + "98990006,2020-08-20T09:05:00+03:00,352.2\n", "r.csv");
    CHECK(e5.code() == errc::storage_conflict);
    CHECK(std::string(e5.message()).rfind("r.csv:3: reading of meter 98990006 at 2020-08-20T06:05:00Z", 0) ==
          0);
    auto e6 = import_error<parse_error>(s, table_kind::readings, "meter,timestamp,valeu\n", "r.csv");
    CHECK(e6.code() == errc::csv_header);
    CHECK(e6.where().field == "valeu");
    auto e7 = import_error<validation_error>(s, table_kind::readings,
                                             good + "98990006,2020-08-23T06:05:00Z,-1\n", "r.csv");
    CHECK(std::string(e7.what()) ==
          "[kvant.validation.200] r.csv:3: field 'total': negative register value -1");
    auto e8 = import_error<parse_error>(
        s, table_kind::meters,
        "serial,model,installed\n98990010,betar,2018-07-12\n98990011,betar,2018-02-30\n", "m.csv");
    CHECK(std::string(e8.what()) ==
          "[kvant.parse.103] m.csv:3: field 'installed': '2018-02-30': impossible date");
    auto e9 = import_error<validation_error>(s, table_kind::meters,
                                             "serial,model\n98990010,betar\n98990011,no-model\n", "m.csv");
    CHECK(e9.code() == errc::unknown_reference);
    CHECK(e9.where().line == 3);
    CHECK(e9.where().field == "model");
    auto e10 = import_error<validation_error>(s, table_kind::organizations, "id,name,inn\nx,X,7707083894\n",
                                              "o.csv");
    CHECK(std::string(e10.what()) ==
          "[kvant.validation.200] o.csv:2: field 'inn': organization x: field 'inn': INN '7707083894' has a "
          "wrong "
          "check digit");
    auto e11 = import_error<parse_error>(s, table_kind::meters, "serial,role\n98990010,balance\n", "m.csv");
    CHECK(e11.code() == errc::invalid_enum);
    CHECK(e11.where().field == "role");
    CHECK(snapshot(s) == before);

    // several files in one transaction: a bad last file undoes the good first ones
    const auto dir = std::filesystem::temp_directory_path() / "kvant-test-io-files";
    std::filesystem::create_directories(dir);
    { std::ofstream(dir / "meters.csv") << "serial,model,point\n98990010,betar,tp-1\n"; }
    {
        std::ofstream(dir / "readings.csv")
            << "meter,timestamp,value\n98990010,2020-08-21T06:05:00Z,1\n98990010,yesterday,2\n";
    }
    CHECK_THROWS_WITH(import_csv_files(s, {{table_kind::readings, dir / "readings.csv"},
                                           {table_kind::meters, dir / "meters.csv"}}),
                      Catch::Contains("readings.csv:3: field 'timestamp': 'yesterday'"));
    CHECK(snapshot(s) == before);
    CHECK_THROWS_AS(import_csv_file(s, table_kind::meters, dir / "absent.csv"), storage_error);
    std::filesystem::remove_all(dir);
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(std::filesystem::temp_directory_path() /
                                ("kvant-test-io-rollback.db" + std::string(suffix)));
}

TEST_CASE("warnings do not stop an import; they come back with their line") {
    memory_store s;
    populate(s);
    const auto rep = import_csv(
        s, table_kind::meters,
        "serial,model,manufactured,installed\n44103814060174,neva-2t,01.02.2022,21.01.2020\n", "m.csv");
    REQUIRE(rep.warning_count == 1);
    CHECK(rep.warnings[0].to_string() ==
          "m.csv:2: field 'installed': warning: meter 44103814060174: field 'installed': installation date "
          "2020-01-21 is before the manufacture date 2022-02-01");
    const auto r = import_csv(s, table_kind::readings,
                              "meter,timestamp,value\n44103814060174,2019-12-01T00:00:00Z,5\n", "r.csv");
    REQUIRE(r.warning_count == 1);
    CHECK(r.warnings[0].where.line == 2);
    CHECK(r.warnings[0].what.message == "reading before the meter's installation on 2020-01-21");
    CHECK(s.reading_count("44103814060174") == 1);
}

TEST_CASE("export reads back into an equal store") {
    memory_store a;
    populate(a);
    import_csv(a, table_kind::readings,
               "meter,timestamp,total,t1,t2,source,accepted\n"
               "9000106,2020-07-30T13:16:00Z,10084.08,7632.05,2452.03,manual,2020-07-30T13:20:00Z\n"
               "98990006,2020-08-20T06:05:00Z,352.248,,,,\n",
               "r.csv");
    import_csv(
        a, table_kind::events,
        "meter,timestamp,code,kind,message\n9000106,2020-08-03T13:02:00+03:00,1,tamper,\"cover, opened\"\n",
        "e.csv");
    memory_store b;
    for (auto k :
         {table_kind::organizations, table_kind::abonents, table_kind::accounts, table_kind::metering_points,
          table_kind::meter_models, table_kind::meters, table_kind::readings, table_kind::events}) {
        std::ostringstream out;
        export_csv(a, k, out);
        import_csv(b, k, out.str(), std::string(to_string(k)) + ".csv");
    }
    CHECK(snapshot(b) == snapshot(a));
    std::ostringstream r;
    export_csv(a, table_kind::readings, r);
    CHECK(r.str() ==
          "meter,timestamp,total,t1,t2,t3,t4,source,accepted\n"
          "9000106,2020-07-30T13:16:00Z,10084.08,7632.05,2452.03,,,manual,2020-07-30T13:20:00Z\n"
          "98990006,2020-08-20T06:05:00Z,352.248,,,,,automatic,\n");
}

TEST_CASE("the bundled demo data import whole, with the seed's bad data reported") {
    const std::filesystem::path dir = KVANT_DEMO_DATA_DIR;
    memory_store s;
    std::vector<std::pair<table_kind, std::filesystem::path>> files;
    for (auto k :
         {table_kind::events, table_kind::readings, table_kind::meters, table_kind::meter_models,
          table_kind::metering_points, table_kind::accounts, table_kind::abonents, table_kind::organizations})
        files.emplace_back(k, dir / (std::string(to_string(k)) + ".csv"));
    const auto rep = import_csv_files(s, files);
    CHECK(s.all<abonent>().size() == 18);
    CHECK(s.all<meter>().size() == 55);
    std::size_t without_coordinates = 0;
    for (const auto& m : s.all<meter>()) without_coordinates += !m.latitude;
    CHECK(without_coordinates == 11);  // 001 §3.3.2.3: "11 из 55"
    REQUIRE(rep.warning_count == 1);
    CHECK(rep.warnings[0].what.key == "44103814060174");
    // the reading that went down (001 §3.4.4)
    CHECK(*s.last_reading("98990006", at("2020-08-20T06:05:00Z"))->values[0] == dec("352.2480"));
    CHECK(*s.last_reading("98990006")->values[0] == dec("352.2400"));
    // the meter last seen on 26.06.2020 11:58 Moscow time
    CHECK(s.last_reading("98970005")->time == at("2020-06-26T08:58:00Z"));
    // every data line of readings.csv is stored
    const std::string text = read_file(dir / "readings.csv");
    CHECK(s.reading_count() == static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 1);
}
