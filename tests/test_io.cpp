// CSV: the reader, import of every table, errors that name file, line and field, atomicity (a failed import
// leaves the store exactly as before), idempotence, and export that reads back the same.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include <sqlite3.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kvant/io/csv.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/io/tariff_files.hpp"
#include "kvant/model/json.hpp"
#include "kvant/store/memory_store.hpp"
#include "kvant/store/sqlite_store.hpp"

using namespace kvant;

namespace {

decimal dec(const char* s) {
    return decimal::parse(s);
}
instant at(const char* s) {
    return parse_instant(s);
}
channel active(register_id r = register_id::total) {
    return channel::of(quantity::active_import, r);
}

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
Error import_error(store& s, table_kind kind, const std::string& text, const char* name,
                   const import_options& o = {}) {
    try {
        import_csv(s, kind, text, name, o);
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

TEST_CASE("every table imports, the same files twice change nothing") {
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
    CHECK(r2.stats.inserted == 4);  // values: total, t1, t2 of the first line, total of the second
    const auto t =
        s.readings("9000106", at("2020-07-30T00:00:00Z"), at("2020-08-01T00:00:00Z")).to_readings();
    REQUIRE(t.size() == 2);
    const auto& first = t[0].time < t[1].time ? t[0] : t[1];
    const auto& second = t[0].time < t[1].time ? t[1] : t[0];
    CHECK(first.time == at("2020-07-30T13:16:00Z"));
    CHECK(*first[active(register_id::t1)] == dec("7632.05"));
    CHECK(first.values.size() == 3);  // total, t1, t2: the empty cells are absent values
    CHECK_FALSE(first[active(register_id::t3)]);
    CHECK_FALSE(second[active(register_id::t1)]);
    CHECK(*second[active()] == dec("10090"));
    CHECK(s.reading_count("98990006") == 2);
    // the water meter's wide "value" is its volume (the main quantity of cold water)
    const auto w = s.last_reading("98990006");
    REQUIRE(w);
    REQUIRE(w->values.size() == 1);
    CHECK(w->values[0].ch == channel::of(quantity::volume));
    CHECK(w->values[0].value == dec("352.24"));
    // a timestamp without an offset needs one named
    import_options o;
    o.default_offset_minutes = 180;
    import_csv(s, table_kind::readings, "meter,timestamp,value\n98990006,2020-08-22 09:05,352.3\n", "r3.csv",
               o);
    CHECK(s.last_reading("98990006")->time == at("2020-08-22T06:05:00Z"));
}

TEST_CASE("bad input names file, line and field, and the store is exactly as before") {
    memory_store s;
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
    CHECK(
        std::string(e7.what()) ==
        "[kvant.validation.203] r.csv:3: field 'value': register value -1 is outside 0..999999999999.999999");
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
    // a wrong check digit refuses the import under the strict policy only (the lenient one is tested below)
    import_options strict;
    strict.policy = validation_policy::strict;
    auto e10 = import_error<validation_error>(s, table_kind::organizations, "id,name,inn\nx,X,7707083894\n",
                                              "o.csv", strict);
    CHECK(std::string(e10.what()) ==
          "[kvant.validation.200] o.csv:2: field 'inn': organization x: field 'inn': INN '7707083894' has a "
          "wrong "
          "check digit");
    // a malformed INN under either
    auto e10b =
        import_error<validation_error>(s, table_kind::organizations, "id,name,inn\nx,X,77070838\n", "o.csv");
    CHECK(e10b.where().field == "inn");
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
}

TEST_CASE("warnings do not stop an import, they come back with their line") {
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
    export_csv(a, table_kind::readings, r);  // the long layout by default: ordered by meter, channel, time
    CHECK(r.str() ==
          "meter,timestamp,channel,value,source,accepted\n"
          "9000106,2020-07-30T13:16:00Z,active_import,10084.08,manual,2020-07-30T13:20:00Z\n"
          "9000106,2020-07-30T13:16:00Z,active_import.t1,7632.05,manual,2020-07-30T13:20:00Z\n"
          "9000106,2020-07-30T13:16:00Z,active_import.t2,2452.03,manual,2020-07-30T13:20:00Z\n"
          "98990006,2020-08-20T06:05:00Z,volume,352.248,automatic,\n");
    std::ostringstream w;
    export_csv(a, table_kind::readings, w, {csv_layout::wide_format});
    CHECK(w.str() ==
          "meter,timestamp,total,t1,t2,t3,t4,source,accepted\n"
          "9000106,2020-07-30T13:16:00Z,10084.08,7632.05,2452.03,,,manual,2020-07-30T13:20:00Z\n"
          "98990006,2020-08-20T06:05:00Z,352.248,,,,,automatic,\n");
    memory_store c;  // the wide file reads back into the same store too
    for (auto k : {table_kind::organizations, table_kind::abonents, table_kind::accounts,
                   table_kind::metering_points, table_kind::meter_models, table_kind::meters})
        import_csv(
            c, k,
            [&] {
                std::ostringstream out;
                export_csv(a, k, out);
                return out.str();
            }(),
            "x.csv");
    import_csv(c, table_kind::readings, w.str(), "wide.csv");
    std::ostringstream r2;
    export_csv(c, table_kind::readings, r2);
    CHECK(r2.str() == r.str());
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
    // 004's meter card (installed before made) and the seed's own requisites (001 §3.5.1: ИНН 722406645712,
    // ОГРН 1234567891234, wrong check digits; a 12-digit INN beside a 13-digit OGRN), kept under the
    // default lenient policy
    REQUIRE(rep.warning_count == 4);
    std::multiset<std::string> seen;
    for (const auto& w : rep.warnings) seen.insert(w.what.entity + " " + w.what.key + " " + w.what.field);
    const auto org = s.all<organization>().at(0).id;
    CHECK(seen == std::multiset<std::string>{"meter 44103814060174 installed", "organization " + org + " inn",
                                             "organization " + org + " ogrn",
                                             "organization " + org + " ogrn"});
    // the reading that went down (001 §3.4.4)
    CHECK(s.last_reading("98990006", at("2020-08-20T06:05:00Z"))->values[0].value == dec("352.2480"));
    CHECK(s.last_reading("98990006")->values[0].value == dec("352.2400"));
    // the meter last seen on 26.06.2020 11:58 Moscow time
    CHECK(s.last_reading("98970005")->time == at("2020-06-26T08:58:00Z"));
    // every value of readings.csv is stored (one a non-empty register cell)
    const std::string text = read_file(dir / "readings.csv");
    const auto table = parse_readings_csv(text, "readings.csv");
    CHECK(table.size() == 12351);  // the non-empty total..t4 cells of its 7395 lines (counted with awk)
    CHECK(s.reading_count() == 12351);
}

// ---- issue 8: text valid at every boundary, bounded excerpts, one conflict rule, parse before the lock,
// export never drops rows. These use only behaviour visible before the fix (messages, codes as text) so that
// each could be run against the unfixed library.

namespace {
std::filesystem::path fresh_db(const char* name) {
    const auto path = std::filesystem::temp_directory_path() / name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
    return path;
}
}  // namespace

TEST_CASE("invalid UTF-8 in an event message is refused at import with file, line, field and byte") {
    memory_store s;  // (SQLite while its readings are rebuilt for schema 3: the snapshot exports them)
    populate(s);
    const std::string before = snapshot(s);
    const auto e = import_error<parse_error>(s, table_kind::events,
                                             "meter,timestamp,code,message\n"
                                             "98990006,2020-08-20T06:05:00Z,5,ok\n"
                                             "98990006,2020-08-21T06:05:00Z,6,bad\xC3\x28text\n",
                                             "e.csv");
    // 0xC3 opens a two-byte sequence; 0x28 '(' cannot continue it: the first invalid byte is byte 3
    CHECK(std::string(e.what()) ==
          "[kvant.parse.121] e.csv:3: field 'message': byte 3: invalid UTF-8 (byte 0xC3) in 'bad\\xC3(text'");
    CHECK(snapshot(s) == before);
    // and a later read of the store works (the anomaly detector reads events back through JSON)
    CHECK(s.events("98990006", at("2020-01-01T00:00:00Z"), at("2021-01-01T00:00:00Z")).empty());
}

TEST_CASE("invalid text in an entity field is a kvant error naming file, line, field and byte") {
    sqlite_store s(fresh_db("kvant-test-io-utf8-entity.db"));
    const auto e1 = import_error<parse_error>(s, table_kind::organizations, "id,name\nx,\xFF\n", "o.csv");
    CHECK(std::string(e1.what()) ==
          "[kvant.parse.121] o.csv:2: field 'name': byte 0: invalid UTF-8 (byte 0xFF) in '\\xFF'");
    // a surrogate (ED A0 80) in an address, after valid Cyrillic (2 bytes each)
    const auto e2 = import_error<parse_error>(s, table_kind::organizations,
                                              "id,name,legal_address\ny,Y,\"ул. \xED\xA0\x80\"\n", "o.csv");
    CHECK(e2.where().line == 2);
    CHECK(e2.where().field == "legal_address");
    CHECK(e2.where().offset == 6);  // у (2 bytes), л (2), '.', ' '
    CHECK(e2.code() == errc::invalid_text);
    // a NUL or an escape character in a text cell
    CHECK(
        import_error<parse_error>(s, table_kind::organizations, std::string("id,name\nz,a\0b\n", 14), "o.csv")
            .where()
            .offset == 1);
    CHECK(s.all<organization>().empty());
}

TEST_CASE("errors echo a bounded excerpt of the offending value") {
    memory_store s;
    populate(s);
    // a 4000-character decimal: under the text limit, so the decimal parser's own message is the one seen
    const std::string long_number(4000, '1');
    const auto e1 = import_error<parse_error>(
        s, table_kind::readings, "meter,timestamp,value\n98990006,2020-08-20T06:05:00Z," + long_number + "\n",
        "r.csv");
    CHECK(std::string(e1.what()).size() < 200);
    CHECK_THAT(e1.what(), Catch::Contains("(4000 bytes)"));
    // a 1 MB field
    const std::string huge(1 << 20, 'x');
    const auto e2 = import_error<parse_error>(s, table_kind::readings,
                                              "meter,timestamp,value\n98990006," + huge + ",1\n", "r.csv");
    CHECK(std::string(e2.what()).size() < 300);
    CHECK_THAT(e2.what(), Catch::Contains("(1048576 bytes)"));
    CHECK(e2.where().field == "timestamp");
}

TEST_CASE("one conflict rule for every table: a different repeat is an error naming both lines") {
    memory_store s;
    populate(s);
    const std::string before = snapshot(s);
    // entities: the last row no longer wins silently
    const auto e1 =
        import_error<validation_error>(s, table_kind::organizations, "id,name\nx,A\nx,B\n", "o.csv");
    CHECK(
        std::string(e1.what()) ==
        "[kvant.validation.202] o.csv:3: field 'name': organization 'x' is given twice with different values "
        "(first at o.csv:2)");
    const auto e2 = import_error<validation_error>(
        s, table_kind::meters,
        "serial,model,point\n98990010,betar,tp-1\n98990011,betar,tp-1\n98990010,betar,\n", "m.csv");
    CHECK(e2.where().line == 4);
    CHECK(e2.where().field == "point");
    CHECK_THAT(e2.what(), Catch::Contains("(first at m.csv:2)"));
    // readings: the same key out of order, with another value
    const auto e3 = import_error<validation_error>(s, table_kind::readings,
                                                   "meter,timestamp,value\n"
                                                   "98990006,2020-08-21T06:05:00Z,1\n"
                                                   "98990006,2020-08-20T06:05:00Z,2\n"
                                                   "98990006,2020-08-21T09:05:00+03:00,3\n",
                                                   "r.csv");
    CHECK(
        std::string(e3.what()) ==
        "[kvant.validation.202] r.csv:4: field 'value': reading of meter '98990006' at 2020-08-21T06:05:00Z "
        "is given twice with different values (first at r.csv:2)");
    // events: the same (meter, time, code) with another message
    const auto e4 = import_error<validation_error>(s, table_kind::events,
                                                   "meter,timestamp,code,message\n"
                                                   "98990006,2020-08-20T06:05:00Z,5,a\n"
                                                   "98990006,2020-08-20T06:05:00Z,5,b\n",
                                                   "e.csv");
    CHECK(e4.where().line == 3);
    CHECK(e4.where().field == "message");
    CHECK(e4.code() == errc::duplicate);
    CHECK(snapshot(s) == before);

    // identical repeats are one row written and one counted unchanged, in every table
    auto r1 = import_csv(s, table_kind::organizations, "id,name\ny,Y\ny,Y\n", "o.csv");
    CHECK(r1.rows == 2);
    CHECK(r1.stats.inserted == 1);
    CHECK(r1.stats.unchanged == 1);
    auto r2 =
        import_csv(s, table_kind::readings,
                   "meter,timestamp,value\n98990006,2020-08-21T06:05:00Z,1\n98990006,2020-08-20T06:05:00Z,"
                   "2\n98990006,2020-08-21T06:05:00Z,1\n",
                   "r.csv");
    CHECK(r2.stats.inserted == 2);
    CHECK(r2.stats.unchanged == 1);
    CHECK(s.reading_count("98990006") == 2);
    auto r3 = import_csv(
        s, table_kind::events,
        "meter,timestamp,code\n98990006,2020-08-20T06:05:00Z,5\n98990006,2020-08-20T06:05:00Z,5\n", "e.csv");
    CHECK(r3.stats.inserted == 1);
    CHECK(r3.stats.unchanged == 1);
}

TEST_CASE("an import parses before it takes the write lock: a bad file fails at once beside a writer") {
    const auto path = fresh_db("kvant-test-io-busy.db");
    {
        sqlite_store init(path);
        populate(init);
    }
    sqlite_store a(path, sqlite_store::mode::open);
    sqlite_store b(path, sqlite_store::mode::open, std::chrono::milliseconds{0});
    const std::string good_events = "meter,timestamp,code\n98990006,2020-08-21T06:05:00Z,5\n";
    {
        transaction tx(a);  // A holds the write lock
        organization w;
        w.id = "w";
        w.name = "Writer";
        a.put(w);
        // B's bad files are reported by the parser, not by the lock
        const auto e1 = import_error<parse_error>(b, table_kind::readings,
                                                  "meter,timestamp,value\n98990006,yesterday,1\n", "r.csv");
        CHECK(e1.code() == errc::invalid_timestamp);
        const auto e2 = import_error<validation_error>(
            b, table_kind::readings, "meter,timestamp,value\n98990099,2020-08-21T06:05:00Z,1\n", "r.csv");
        CHECK(e2.code() == errc::unknown_reference);
        // a good file does need the lock, and B waits no longer than its busy timeout (0 here); an events
        // file stands for it while SQLite readings are rebuilt for schema 3
        const auto busy = [&] {
            try {
                import_csv(b, table_kind::events, good_events, "e.csv");
            } catch (const storage_error& e) {
                return e.code();
            }
            return errc::storage;
        }();
        CHECK(busy == errc::storage_busy);
        tx.commit();
    }
    const auto rep = import_csv(b, table_kind::events, good_events, "e.csv");
    CHECK(rep.stats.inserted == 1);
    CHECK(b.find<organization>("w"));
}

TEST_CASE("export writes what a read gives back, and refuses what it cannot write instead of dropping it") {
    const auto path = fresh_db("kvant-test-io-export.db");
    {
        sqlite_store s(path);
        populate(s);
        import_csv(s, table_kind::events,
                   "meter,timestamp,code,message\n98990006,2020-08-20T06:05:00Z,5,ok\n", "e.csv");
    }
    // a database written by something else (or by an older version): an event message that is not UTF-8.
    // (Readings of a meter that does not exist, refused by export as "N of M stored readings belong to no
    // meter", need schema 3's tables to be written behind the store: left to the SQLite store's tests.)
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.string().c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "UPDATE meter_events SET message = CAST(X'61FF62' AS TEXT);", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    sqlite3_close(db);
    sqlite_store s(path, sqlite_store::mode::open);
    std::ostringstream out;
    // the stored message reads back repaired (U+FFFD for the invalid byte), so it exports and imports again;
    // kvant validate (sqlite_store::check) names the row
    export_csv(s, table_kind::events, out);
    CHECK(out.str().find("98990006,2020-08-20T06:05:00Z,5,other,,a\xEF\xBF\xBD"
                         "b") != std::string::npos);
    bool reported = false;
    for (const auto& i : s.check())
        reported = reported || (i.table == "meter_events" && i.column == "message");
    CHECK(reported);
}

TEST_CASE("meters parsed without a store follow the same conflict rule") {
    const auto ms = parse_meters_csv("serial,zone\n1,360\n2,UTC\n1,360\n", "m.csv");
    REQUIRE(ms.size() == 2);  // the identical repeat is one meter
    CHECK_THROWS_WITH(parse_meters_csv("serial,zone\n1,360\n2,UTC\n1,UTC\n", "m.csv"),
                      "[kvant.validation.202] m.csv:4: field 'zone': meter '1' is given twice with different "
                      "values (first at m.csv:2)");
}

TEST_CASE("rates CSV: prices in range, one rule for repeated keys, errors name line and field") {
    const auto rates = parse_rates_csv(
        "zone,from,price\npeak,2024-01-01,7.5\nnight,2024-01-01,3.10\n"
        "peak,2024-01-01,7.50\npeak,2024-07-01,8\n",
        "rates.csv");
    REQUIRE(rates.size() == 3);  // the identical repeat of line 2 on line 4 is one rate
    CHECK(rates[0].zone == "peak");
    CHECK(rates[0].price == decimal::parse("7.5"));
    CHECK(rates[2].from == calendar_date{date::year{2024} / 7 / 1});

    auto error_of = [](std::string_view text) {
        try {
            (void)parse_rates_csv(text, "rates.csv");
        } catch (const error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    // the same key with another price: an error naming both lines
    const auto dup =
        error_of("zone,from,price\npeak,2024-01-01,7.5\nnight,2024-01-01,3\npeak,2024-01-01,7.6\n");
    CHECK(dup.find("[kvant.validation.202]") == 0);
    CHECK(dup.find("rates.csv:4: field 'price'") != std::string::npos);
    CHECK(dup.find("given twice with different values (first at rates.csv:2)") != std::string::npos);
    CHECK(error_of("zone,from,price\ntotal,2100-01-01,5\n").find("rates.csv:2: field 'from'") !=
          std::string::npos);
    // prices outside 0..1000000 are refused at both edges; the edges themselves are accepted
    CHECK(error_of("zone,from,price\ntotal,2024-01-01,-0.000001\n").find("rates.csv:2: field 'price'") !=
          std::string::npos);
    CHECK(error_of("zone,from,price\ntotal,2024-01-01,1000000.000001\n").find("[kvant.validation.203]") == 0);
    CHECK(error_of("zone,from,price\ntotal,2024-01-01,0\ntotal,2025-01-01,1000000\n") == "no error");
    CHECK(error_of("zone,from,price\ntotal,2024-02-30,5\n").find("rates.csv:2: field 'from'") !=
          std::string::npos);
}

TEST_CASE("schedule files: JSON syntax errors name the byte, wrong shapes are kvant errors") {
    try {
        (void)parse_schedule_file("{\"name\": ", "s.json");
        FAIL("no error");
    } catch (const parse_error& e) {
        CHECK(e.code() == errc::json);
        CHECK(e.where().file == "s.json");
        CHECK(e.where().offset == 9);
    }
    CHECK_THROWS_AS(parse_schedule_file("[1,2,3]", "s.json"), parse_error);
    CHECK_THROWS_AS(parse_schedule_file("{\"seasons\": 5}", "s.json"), parse_error);
}

// ---- issue 9: channels in CSV and JSON, the two layouts, the streaming parser

namespace {

/// The demo fleet plus a heat meter (energy, volume, temperatures) and a four-tariff commercial electricity
/// meter (import, export, reactive).
void populate_channels(store& s) {
    populate(s);
    import_csv(s, table_kind::meter_models,
               "id,name,resource,tariff_registers,register_digits,verification_interval_years\n"
               "tv7,ТВ7,heat,1,8,4\nmerc,Меркурий 234,electricity,4,8,16\n",
               "models.csv");
    import_csv(s, table_kind::meters,
               "serial,model,point,installed\nE1,merc,tp-1,2019-01-01\nH1,tv7,tp-1,2019-01-01\n",
               "meters.csv");
}

const char* channels_long =
    "meter,timestamp,channel,value\n"
    "E1,2024-03-01T00:00:00Z,1.8.0,1500.5\n"
    "E1,2024-03-01T00:00:00Z,1-0:1.8.1*255,1000.25\n"
    "E1,2024-03-01T00:00:00Z,active_import.t2,300.25\n"
    "E1,2024-03-01T00:00:00Z,1.8.3,150\n"
    "E1,2024-03-01T00:00:00Z,1-0:1.8.4.255,50\n"
    "E1,2024-03-01T00:00:00Z,2.8.0,12\n"
    "E1,2024-03-01T00:00:00Z,reactive_import,300\n"
    "E1,2024-03-01T00:00:00Z,4.8.0,7.5\n"
    "H1,2024-03-01T00:00:00Z,heat_energy,12.345\n"
    "H1,2024-03-01T00:00:00Z,volume,456.789\n"
    "H1,2024-03-01T00:00:00Z,flow_temperature,70.5\n"
    "H1,2024-03-01T00:00:00Z,return_temperature,41.25\n"
    "H1,2024-03-01T00:00:00Z,external_temperature,-15.5\n"
    "H1,2024-03-02T00:00:00Z,heat_energy,12.9\n"
    "H1,2024-03-02T00:00:00Z,external_temperature,-0.000001\n";

/// Every value a store holds, as (meter, channel name, time, value) text, in the store's order.
std::vector<std::string> values_of(const store& s) {
    std::vector<std::string> out;
    series_chunk c;
    for (auto cur = s.scan({}); cur->next(c);)
        for (std::size_t i = 0; i < c.size(); ++i)
            out.push_back(c.meter + " " + to_string(c.ch) + " " + to_string(from_unix(c.time[i])) + " " +
                          to_string(decimal::from_raw(c.value[i])));
    return out;
}

std::string export_text(const store& s, csv_layout layout) {
    std::ostringstream out;
    export_csv(s, table_kind::readings, out, {layout});
    return out.str();
}

void check_same_table(const reading_table& a, const reading_table& b) {
    CHECK(a.meters() == b.meters());
    CHECK(a.channels() == b.channels());
    CHECK(a.meter_index() == b.meter_index());
    CHECK(a.channel_index() == b.channel_index());
    CHECK(a.times() == b.times());
    CHECK(a.values() == b.values());
    CHECK(a.sources() == b.sources());
    CHECK(a.accepted() == b.accepted());
}

std::filesystem::path write_temp(const char* name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

}  // namespace

TEST_CASE("a long readings file names channels by name or OBIS code") {
    std::vector<std::uint64_t> lines;
    bool wide = true;
    const auto t = parse_readings_csv(channels_long, "c.csv", {}, &lines, &wide);
    CHECK_FALSE(wide);
    REQUIRE(t.size() == 15);
    CHECK(lines == std::vector<std::uint64_t>{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    const std::vector<channel> expected{active(),
                                        active(register_id::t1),
                                        active(register_id::t2),
                                        active(register_id::t3),
                                        active(register_id::t4),
                                        channel::of(quantity::active_export),
                                        channel::of(quantity::reactive_import),
                                        channel::of(quantity::reactive_export),
                                        channel::of(quantity::heat_energy),
                                        channel::of(quantity::volume),
                                        channel::of(quantity::flow_temperature),
                                        channel::of(quantity::return_temperature),
                                        channel::of(quantity::external_temperature)};
    CHECK(t.channels() == expected);
    CHECK(t.values()[0] == dec("1500.5").raw());
    CHECK(t.values()[12] == dec("-15.5").raw());
    CHECK(t.values()[14] == -1);  // -0.000001 in millionths

    memory_store s;
    populate_channels(s);
    const auto rep = import_csv(s, table_kind::readings, channels_long, "c.csv");
    CHECK(rep.rows == 15);
    CHECK(rep.stats.inserted == 15);
    const auto e = s.last_reading("E1");
    REQUIRE(e);
    CHECK(e->values.size() == 8);
    CHECK(*(*e)[active(register_id::t4)] == dec("50"));
    CHECK(*(*e)[channel::of(quantity::reactive_export)] == dec("7.5"));
    const auto h = s.last_reading("H1", at("2024-03-01T12:00:00Z"));
    REQUIRE(h);
    CHECK(*(*h)[channel::of(quantity::external_temperature)] == dec("-15.5"));
    CHECK(*(*h)[channel::of(quantity::volume)] == dec("456.789"));
    // the same file again changes nothing
    CHECK(import_csv(s, table_kind::readings, channels_long, "c.csv").stats.unchanged == 15);
}

TEST_CASE("a wide file is each meter's main quantity: volume for water, heat energy for heat") {
    memory_store s;
    populate_channels(s);
    import_csv(s, table_kind::readings,
               "meter,timestamp,value\n"
               "98990006,2024-03-01T00:00:00Z,352.248\n"
               "H1,2024-03-01T00:00:00Z,12.5\n"
               "E1,2024-03-01T00:00:00Z,99\n",
               "w.csv");
    CHECK(values_of(s) == std::vector<std::string>{"98990006 volume 2024-03-01T00:00:00Z 352.248",
                                                   "E1 active_import 2024-03-01T00:00:00Z 99",
                                                   "H1 heat_energy 2024-03-01T00:00:00Z 12.5"});
    // the store-less parser leaves the mapping to the caller, who knows the resources
    bool wide = false;
    auto t = parse_readings_csv("meter,timestamp,total,t1\nH1,2024-03-01T00:00:00Z,5,4\n", "w.csv", {},
                                nullptr, &wide);
    CHECK(wide);
    CHECK(t.channels() == std::vector<channel>{active(), active(register_id::t1), active(register_id::t2),
                                               active(register_id::t3), active(register_id::t4)});
    const std::vector<resource> res{resource::heat};
    t.map_main(res);
    CHECK(t.channel_of(0) == channel::of(quantity::heat_energy));
    CHECK(t.channel_of(1) == channel::of(quantity::heat_energy, register_id::t1));
}

TEST_CASE("heat and electricity channels round-trip through CSV long, CSV wide and JSON") {
    memory_store a;
    populate_channels(a);
    import_csv(a, table_kind::readings, channels_long, "c.csv");
    const auto stored = values_of(a);
    REQUIRE(stored.size() == 15);

    SECTION("CSV long") {
        const std::string text = export_text(a, csv_layout::long_format);
        CHECK(text.find("H1,2024-03-01T00:00:00Z,external_temperature,-15.5,automatic,\n") !=
              std::string::npos);
        CHECK(text.find("E1,2024-03-01T00:00:00Z,active_export,12,automatic,\n") != std::string::npos);
        memory_store b;
        populate_channels(b);
        CHECK(import_csv(b, table_kind::readings, text, "long.csv").stats.inserted == 15);
        CHECK(values_of(b) == stored);
        CHECK(export_text(b, csv_layout::long_format) == text);
    }
    SECTION("CSV wide refuses what it cannot hold, naming the meter and the channel") {
        CHECK_THROWS_WITH(
            export_text(a, csv_layout::wide_format),
            "[kvant.storage.301] export of readings (wide layout): meter 'E1' has channel "
            "active_export, which the wide layout (total..t4 of active_import) cannot hold; export "
            "the long layout");
        // what it can hold: the main quantity's total..t4
        memory_store w;
        populate_channels(w);
        import_csv(w, table_kind::readings,
                   "meter,timestamp,channel,value\n"
                   "E1,2024-03-01T00:00:00Z,1.8.0,1500.5\nE1,2024-03-01T00:00:00Z,1.8.1,1000.25\n"
                   "E1,2024-03-01T00:00:00Z,1.8.4,50\nH1,2024-03-01T00:00:00Z,heat_energy,12.345\n"
                   "H1,2024-03-02T00:00:00Z,heat_energy,12.9\n",
                   "c.csv");
        const std::string text = export_text(w, csv_layout::wide_format);
        CHECK(text ==
              "meter,timestamp,total,t1,t2,t3,t4,source,accepted\n"
              "E1,2024-03-01T00:00:00Z,1500.5,1000.25,,,50,automatic,\n"
              "H1,2024-03-01T00:00:00Z,12.345,,,,,automatic,\n"
              "H1,2024-03-02T00:00:00Z,12.9,,,,,automatic,\n");
        memory_store b;
        populate_channels(b);
        import_csv(b, table_kind::readings, text, "wide.csv");
        CHECK(values_of(b) == values_of(w));
        // registers of one time with different sources cannot share a wide row
        memory_store m;
        populate_channels(m);
        import_csv(m, table_kind::readings,
                   "meter,timestamp,channel,value,source\n"
                   "E1,2024-03-01T00:00:00Z,1.8.0,10,manual\nE1,2024-03-01T00:00:00Z,1.8.1,6,automatic\n",
                   "s.csv");
        CHECK_THROWS_WITH(
            export_text(m, csv_layout::wide_format),
            "[kvant.storage.301] export of readings (wide layout): meter 'E1' at 2024-03-01T00:00:00Z: "
            "registers differ in source or acceptance time, which one row cannot hold; export the "
            "long layout");
        // the heat meter with volume: named
        import_csv(w, table_kind::readings,
                   "meter,timestamp,channel,value\nH1,2024-03-01T00:00:00Z,volume,4\n", "v.csv");
        CHECK_THROWS_WITH(
            export_text(w, csv_layout::wide_format),
            Catch::Contains("meter 'H1' has channel volume, which the wide layout (total..t4 of "
                            "heat_energy) cannot hold"));
    }
    SECTION("JSON") {
        for (const char* serial : {"E1", "H1"}) {
            const auto readings =
                a.readings(serial, at("2024-01-01T00:00:00Z"), at("2025-01-01T00:00:00Z")).to_readings();
            REQUIRE_FALSE(readings.empty());
            for (const auto& r : readings) {
                const std::string text = nlohmann::json(r).dump();
                const auto back = nlohmann::json::parse(text).get<reading>();
                CHECK(back == r);
            }
        }
        const auto h = a.last_reading("H1", at("2024-03-01T12:00:00Z"));
        REQUIRE(h);
        const auto j = nlohmann::json(*h);
        CHECK(j["values"]["external_temperature"] == "-15.5");
        CHECK(j["values"]["heat_energy"] == "12.345");
        // OBIS keys and the legacy wide keys read as the same channels
        const auto r = nlohmann::json::parse(R"({"meter": "E1", "time": "2024-03-01T00:00:00Z",
            "values": {"1.8.1": "1000.25", "2.8.0": "12", "1-0:3.8.0*255": "300"}, "total": "1500.5"})")
                           .get<reading>();
        CHECK(r.values.size() == 4);
        CHECK(*r[active()] == dec("1500.5"));
        CHECK(*r[active(register_id::t1)] == dec("1000.25"));
        CHECK(*r[channel::of(quantity::reactive_import)] == dec("300"));
        // values come in channel order whatever the key order; one channel named twice is an error
        CHECK(r.values[0].ch == active());
        CHECK(r.values[1].ch == active(register_id::t1));
        CHECK_THROWS_WITH(nlohmann::json::parse(R"({"meter": "E1", "time": "2024-03-01T00:00:00Z",
            "values": {"1.8.0": "1", "active_import": "1"}})")
                              .get<reading>(),
                          Catch::Contains("channel active_import is given twice (also as '1.8.0')"));
        CHECK_THROWS_AS(nlohmann::json::parse(R"({"meter": "E1", "time": "2024-03-01T00:00:00Z", "t1": "1",
            "values": {"1.8.1": "1"}})")
                            .get<reading>(),
                        parse_error);
    }
}

TEST_CASE("long readings files: bad channels, values out of range and repeats name line and field") {
    memory_store s;
    populate_channels(s);
    const std::string before = snapshot(s);
    const std::string good = "meter,timestamp,channel,value\nE1,2024-03-01T00:00:00Z,1.8.0,1\n";
    const auto e1 = import_error<parse_error>(s, table_kind::readings,
                                              good + "E1,2024-03-01T00:00:00Z,1.8.x,5\n", "c.csv");
    CHECK(e1.code() == errc::invalid_enum);
    CHECK(e1.where().line == 3);
    CHECK(e1.where().field == "channel");
    CHECK_THAT(e1.what(), Catch::Contains("1.8.x"));
    const auto e2 = import_error<validation_error>(s, table_kind::readings,
                                                   good + "E1,2024-03-01T00:00:00Z,2.8.0,-1\n", "c.csv");
    CHECK(std::string(e2.what()) ==
          "[kvant.validation.203] c.csv:3: field 'value': value of active_export -1 "
          "is outside 0..999999999999.999999");
    // a temperature may be negative, but not beyond the range
    const auto e3 = import_error<parse_error>(
        s, table_kind::readings, good + "H1,2024-03-01T00:00:00Z,flow_temperature,-1000000000000\n", "c.csv");
    CHECK(e3.code() == errc::invalid_number);  // 13 integer digits: outside the decimal's exact range
    const auto e4 =
        import_error<validation_error>(s, table_kind::readings,
                                       good +
                                           "H1,2024-03-01T00:00:00Z,flow_temperature,-999999999999.999999\n"
                                           "H1,2024-03-01T00:00:00Z,power,-999999999999.999999\n"
                                           "H1,2024-03-02T00:00:00Z,heat_energy,-0.5\n",
                                       "c.csv");
    CHECK(e4.where().line == 5);
    CHECK(e4.code() == errc::out_of_range);
    // the repeat rule is per (meter, channel, time): 1.8.0 and its full OBIS form are one channel
    const auto e5 = import_error<validation_error>(
        s, table_kind::readings,
        good + "E1,2024-03-01T00:00:00Z,2.8.0,1\nE1,2024-03-01T00:00:00Z,1-0:1.8.0*255,2\n", "c.csv");
    CHECK(std::string(e5.what()) ==
          "[kvant.validation.202] c.csv:4: field 'value': value of active_import of meter 'E1' at "
          "2024-03-01T00:00:00Z is given twice with different values (first at c.csv:2)");
    // a tariff the meter does not have (E1's model has 4) is the channel's fault, named by the file's column
    const auto e7 = import_error<validation_error>(s, table_kind::readings,
                                                   good + "E1,2024-03-01T00:00:00Z,1.8.5,5\n", "c.csv");
    CHECK(std::string(e7.what()) ==
          "[kvant.validation.200] c.csv:3: field 'channel': meter E1 has 4 tariff registers");
    const auto e8 = import_error<validation_error>(
        s, table_kind::readings, good + "E1,2024-03-01T00:00:00Z,active_import.max.t6,5\n", "c.csv");
    CHECK(e8.where().field == "channel");
    CHECK(import_csv(s, table_kind::readings, good + "E1,2024-03-01T00:00:00Z,active_import,1\n", "c.csv")
              .stats.inserted == 1);
    // missing cells and a header mixing the layouts
    CHECK(import_error<parse_error>(s, table_kind::readings, good + "E1,2024-03-02T00:00:00Z,,1\n", "c.csv")
              .where()
              .field == "channel");
    CHECK(
        import_error<parse_error>(s, table_kind::readings, good + "E1,2024-03-02T00:00:00Z,1.8.0,\n", "c.csv")
            .where()
            .field == "value");
    const auto e6 =
        import_error<parse_error>(s, table_kind::readings, "meter,timestamp,channel,total\n", "c.csv");
    CHECK(e6.code() == errc::csv_header);
    CHECK(e6.where().field == "total");
    const std::string after_good = snapshot(s);
    CHECK(after_good != before);
}

TEST_CASE("the streaming parser gives the in-memory table, across any buffer boundary") {
    const std::string text =
        "\xEF\xBB\xBFmeter,timestamp,channel,value,source,accepted\r\n"
        "E1,2024-03-01T00:00:00Z,1.8.0,1500.5,,\r\n"
        "\r\n"
        "\"E\"\"2\",2024-03-01T03:00:00+03:00,1-0:2.8.0*255,12,manual,2024-03-02T00:00:00Z\n"
        "\"H\n1\",2024-03-01 00:00,flow_temperature,-3.25,,\n"
        "E1,2024-03-01T00:30:00Z,active_import.t1,7,estimated,2024-03-01T01:00+01:00\n"
        "E1,2024-03-01T00:30:00Z,1.8.0,1501,,";  // no line end at the end
    import_options o;
    o.default_offset_minutes = 180;
    std::vector<std::uint64_t> lines;
    const auto mem = parse_readings_csv(text, "s.csv", o, &lines);
    REQUIRE(mem.size() == 5);
    CHECK(lines == std::vector<std::uint64_t>{2, 4, 5, 7, 8});
    CHECK(mem.meters() == std::vector<std::string>{"E1", "E\"2", "H\n1"});
    CHECK(mem.times()[2] == to_unix(at("2024-02-29T21:00:00Z")));
    CHECK(mem.accepted_at(3) == to_unix(at("2024-03-01T00:00:00Z")));
    CHECK(mem.source(1) == reading_source::manual);
    const auto path = write_temp("kvant-test-io-stream.csv", text);
    for (std::size_t buffer : {1, 2, 3, 5, 7, 16, 64, 1 << 20}) {
        INFO("buffer " << buffer);
        o.read_buffer_bytes = buffer;
        std::vector<import_progress> calls;
        o.progress = [&](const import_progress& p) { calls.push_back(p); };
        const auto file = read_readings_csv(path, o);
        check_same_table(file, mem);
        REQUIRE_FALSE(calls.empty());
        CHECK(calls.back().bytes_done == text.size());
        CHECK(calls.back().bytes_total == text.size());
        CHECK(calls.back().rows == 5);
        for (std::size_t k = 1; k < calls.size(); ++k) CHECK(calls[k].bytes_done >= calls[k - 1].bytes_done);
        if (buffer < 64) CHECK(calls.size() > 4);
    }
    // an error reads the same whatever the buffer: the line after a quoted line break, the byte offset
    const std::string bad =
        "meter,timestamp,value\n\"a\nb\",2024-03-01T00:00:00Z,1\nx,2024-03-01T00:00:00Z,1\"2\n";
    const auto where_of = [](auto&& f) {
        try {
            f();
        } catch (const parse_error& e) {
            return std::make_tuple(e.where().line, e.where().offset, std::string(e.reason()));
        }
        return std::make_tuple(std::uint64_t{0}, std::int64_t{-1}, std::string());
    };
    const auto expected = where_of([&] { parse_readings_csv(bad, "b.csv"); });
    CHECK(expected ==
          std::make_tuple(std::uint64_t{4}, std::int64_t{24},
                          std::string("a quote inside an unquoted field (quote the whole field)")));
    const auto bad_path = write_temp("kvant-test-io-bad.csv", bad);
    for (std::size_t buffer : {1, 3, 8, 1 << 20}) {
        import_options b;
        b.read_buffer_bytes = buffer;
        CHECK(where_of([&] { read_readings_csv(bad_path, b); }) == expected);
    }
    std::filesystem::remove(path);
    std::filesystem::remove(bad_path);
    CHECK_THROWS_AS(read_readings_csv(path), storage_error);
}

TEST_CASE("a readings file imports streaming, with progress, and a failed one changes nothing") {
    memory_store s;
    populate_channels(s);
    const auto path = write_temp("kvant-test-io-import.csv", channels_long);
    import_options o;
    o.read_buffer_bytes = 32;
    std::uint64_t last_rows = 0, last_bytes = 0;
    o.progress = [&](const import_progress& p) {
        last_rows = p.rows;
        last_bytes = p.bytes_done;
    };
    const auto rep = import_csv_file(s, table_kind::readings, path, o);
    CHECK(rep.stats.inserted == 15);
    CHECK(last_rows == 15);
    CHECK(last_bytes == std::string_view(channels_long).size());
    const std::string before = snapshot(s);
    const auto bad = write_temp(
        "kvant-test-io-import-bad.csv",
        std::string(channels_long) + "E1,2024-03-05T00:00:00Z,1.8.0,1\nE1,2024-03-06T00:00:00Z,1.8.0,x\n");
    CHECK_THROWS_WITH(import_csv_file(s, table_kind::readings, bad, o),
                      Catch::Contains("kvant-test-io-import-bad.csv:18: field 'value': 'x'"));
    CHECK(snapshot(s) == before);
    std::filesystem::remove(path);
    std::filesystem::remove(bad);
}

TEST_CASE("the parser's fast paths for timestamps and decimals agree with the general parsers") {
    const auto one = [](const std::string& ts, const std::string& value) {
        return parse_readings_csv(
            "meter,timestamp,channel,value\nm," + ts + ",external_temperature," + value + "\n", "f.csv");
    };
    for (const char* ts :
         {"2024-02-29T23:59:59Z", "1970-01-01T00:00:00Z", "2099-12-31T23:59:59Z", "2024-03-01T00:00:00+00:00",
          "2024-03-01 00:00:00Z", "2024-03-01T00:00Z", "2024-03-01T03:00:00.000+03:00"}) {
        INFO(ts);
        const auto t = one(ts, "1");
        CHECK(t.times()[0] == to_unix(parse_instant(ts)));
    }
    const auto time_error = [&](const std::string& ts) {
        try {
            one(ts, "1");
        } catch (const error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(time_error("2023-02-29T00:00:00Z") ==
          "[kvant.parse.102] f.csv:2: field 'timestamp': '2023-02-29T00:00:00Z': impossible date");
    CHECK(time_error("2024-03-01T24:00:00Z") ==
          "[kvant.parse.102] f.csv:2: field 'timestamp': '2024-03-01T24:00:00Z': " +
              std::string(describe(time_status::bad_time)));
    CHECK(time_error("1969-12-31T23:59:59Z") ==
          "[kvant.validation.203] f.csv:2: field 'timestamp': "
          "1969-12-31T23:59:59Z is outside "
          "1970-01-01T00:00:00Z..2099-12-31T23:59:59Z");
    CHECK(time_error("2100-01-01T00:00:00Z").find("is outside 1970-01-01T00:00:00Z..") != std::string::npos);
    CHECK(time_error("2024-03-0xT00:00:00Z").find("[kvant.parse.102]") == 0);
    for (const char* v : {"+1", "1.", ".5", "007", "1.5000000", "000000000000001", "-0",
                          "999999999999.999999", "-999999999999.999999", "12.345678"}) {
        INFO(v);
        CHECK(one("2024-03-01T00:00:00Z", v).values()[0] == decimal::parse(v).raw());
    }
    for (const char* v : {"1234567890123", "0.0000001", "1e3", "1_5", "-", "."}) {
        INFO(v);
        CHECK_THROWS_AS(one("2024-03-01T00:00:00Z", v), parse_error);
    }
}

TEST_CASE("the one-pass path of meter,timestamp,value files agrees with the general parser") {
    // A `meter,timestamp,value` file takes a one-pass path; with a fourth (empty) column the same rows take
    // the general one. Both must give the same table, lines and error, whatever the row.
    const auto outcome = [](const std::string& text, char delim, std::vector<std::uint64_t>* lines) {
        import_options o;
        o.delimiter = delim;
        try {
            const auto t = parse_readings_csv(text, "l.csv", o, lines);
            std::ostringstream s;
            for (std::size_t i = 0; i < t.size(); ++i)
                s << t.meter_of(i) << '|' << to_string(t.channel_of(i)) << '|' << t.times()[i] << '|'
                  << t.values()[i] << '\n';
            return s.str();
        } catch (const error& e) {
            return std::string(e.what());
        }
    };
    const std::string good = "M0000001,2024-03-01T00:00:00Z,1.5", last = "M0000001,2024-03-01T01:00:00Z,9";
    const char* rows[] = {"M0000001,2024-03-01T00:30:00Z,2",
                          "M00000011,2024-03-01T00:30:00Z,2",
                          "M000000,2024-03-01T00:30:00Z,2",
                          "M0000002,2024-03-01T00:00:00Z,-0.000001",
                          "M0000001,2024-03-01T00:30:00Z,999999999999.999999",
                          "M0000001,2024-03-01T00:30:00Z,1234567890123",
                          "M0000001,2024-03-01T00:30:00Z,1.5000000",
                          "M0000001,2024-03-01T00:30:00Z,1.1234567",
                          "M0000001,2024-03-01T00:30:00Z,007",
                          "M0000001,2024-03-01T00:30:00Z,+1",
                          "M0000001,2024-03-01T00:30:00Z,1.",
                          "M0000001,2024-03-01T00:30:00Z,.5",
                          "M0000001,2024-03-01T00:30:00Z,",
                          "M0000001,2024-03-01T00:30:00Z,1e3",
                          "M0000001,2024-03-01T00:30:00Z,-5",
                          "M0000001,2024-03-01T00:30:00Z,1.5\r",
                          "M0000001,2024-03-01T00:30:00Z,\"2\"",
                          "M0000001,2024-03-01T00:00:00Z,1.6",
                          "M0000001,2024-02-30T00:30:00Z,2",
                          "M0000001,2024-03-01T24:00:00Z,2",
                          "M0000001,1969-12-31T23:59:59Z,2",
                          "M0000001,2024-03-01T03:30:00+03:00,2",
                          "M0000001,2024-03-01T00:30:00,2",
                          "M0000001, 2024-03-01T00:30:00Z,2",
                          ",2024-03-01T00:30:00Z,2",
                          "\"M0000001\",2024-03-01T00:30:00Z,2",
                          "M0\"1,2024-03-01T00:30:00Z,2",
                          "M\t1,2024-03-01T00:30:00Z,2",
                          "M\x01"
                          "1,2024-03-01T00:30:00Z,2",
                          "M\x7f"
                          "1,2024-03-01T00:30:00Z,2",
                          "\xD0\x9C"
                          "1,2024-03-01T00:30:00Z,2",
                          "\xD0"
                          "1,2024-03-01T00:30:00Z,2",
                          "M 1,2024-03-01T00:30:00Z,2"};
    const std::string long_serial(70, 'S');
    std::vector<std::string> cases(std::begin(rows), std::end(rows));
    cases.push_back(long_serial + ",2024-03-01T00:30:00Z,2");
    cases.push_back(std::string(64, 'S') + ",2024-03-01T00:30:00Z,2");
    cases.push_back(std::string(5000, 'S') + ",2024-03-01T00:30:00Z,2");
    std::size_t ok = 0;
    for (char delim : {',', ';'}) {
        for (auto row : cases) {
            std::string first = good, third = last;
            if (delim != ',')
                for (auto* r : {&row, &first, &third}) std::replace(r->begin(), r->end(), ',', delim);
            const std::string d(1, delim);
            const auto with_source = [&](const std::string& r) {
                return r.ends_with('\r') ? r.substr(0, r.size() - 1) + d + "\r" : r + d;
            };
            const std::string lean =
                "meter" + d + "timestamp" + d + "value\n" + first + "\n" + row + "\n" + third + "\n";
            const std::string general = "meter" + d + "timestamp" + d + "value" + d + "source\n" +
                                        with_source(first) + "\n" + with_source(row) + "\n" +
                                        with_source(third) + "\n";
            INFO(lean);
            std::vector<std::uint64_t> lean_lines, general_lines;
            const std::string a = outcome(lean, delim, &lean_lines);
            CHECK(a == outcome(general, delim, &general_lines));
            CHECK(lean_lines == general_lines);
            ok += a.find("[kvant.") == std::string::npos;
        }
    }
    CHECK(ok > 20);  // both outcomes are exercised
    // values worked out by hand, for the path itself
    std::vector<std::uint64_t> lines;
    CHECK(outcome("meter,timestamp,value\nA,1970-01-02T00:00:01Z,12.5\n\nA,1970-01-02T00:00:02Z,3\n"
                  "B,2099-12-31T23:59:59Z,0.000007\n",
                  ',', &lines) ==
          "A|active_import|86401|12500000\nA|active_import|86402|3000000\nB|active_import|4102444799|7\n");
    CHECK(lines == std::vector<std::uint64_t>{2, 4, 5});
}

TEST_CASE("a parsed table knows whether its rows came grouped, as reading_table::grouped() computes it") {
    const auto rebuilt = [](const reading_table& t) {  // the same rows in a table that computes it afresh
        reading_table r;
        for (std::size_t i = 0; i < t.size(); ++i) r.push_row(t, i);
        return r;
    };
    const std::string h = "meter,timestamp,channel,value\n";
    const std::pair<std::string, bool> cases[] = {
        {h + "A,2024-01-01T00:00:00Z,1.8.0,1\nA,2024-01-01T01:00:00Z,1.8.0,2\nB,2024-01-01T00:00:00Z,1.8.0,"
             "1\n",
         true},
        {h + "A,2024-01-01T00:00:00Z,1.8.0,1\nB,2024-01-01T00:00:00Z,1.8.0,1\nA,2024-01-01T01:00:00Z,1.8.0,"
             "2\n",
         false},  // A's rows in two runs
        {h + "A,2024-01-01T00:00:00Z,1.8.0,1\nA,2024-01-01T00:00:00Z,1.8.0,1\n",
         false},  // an identical repeat
        {h + "A,2024-01-01T01:00:00Z,1.8.0,2\nA,2024-01-01T00:00:00Z,1.8.0,1\n", false},  // back in time
        {h + "A,2024-01-01T00:00:00Z,1.8.0,1\nA,2024-01-01T00:00:00Z,2.8.0,1\nA,2024-01-01T01:00:00Z,2.8.0,"
             "1\n",
         true},
        {"meter,timestamp,total,t1\nA,2024-01-01T00:00:00Z,2,1\nA,2024-01-01T01:00:00Z,3,2\n",
         false},  // registers interleaved
        {"meter,timestamp,value\nA,2024-01-01T00:00:00Z,2\nA,2024-01-01T01:00:00Z,3\nB,2024-01-01T00:00:00Z,"
         "2\n",
         true},
        {"meter,timestamp,value\nA,2024-01-01T00:00:00Z,2\nB,2024-01-01T00:00:00Z,2\nA,2024-01-01T01:00:00Z,"
         "3\n",
         false}};
    for (const auto& [text, grouped] : cases) {
        INFO(text);
        const auto t = parse_readings_csv(text, "g.csv");
        CHECK(t.grouped() == grouped);
        CHECK(rebuilt(t).grouped() == grouped);
    }
}

TEST_CASE("a large readings file is checked whole, then written in batches in one transaction") {
    memory_store held;
    populate_channels(held);
    const auto expected = import_csv(held, table_kind::readings, channels_long, "c.csv");
    const auto path = write_temp("kvant-test-io-batches.csv", channels_long);
    memory_store s;
    populate_channels(s);
    import_options o;
    o.import_batch_rows = 4;  // 15 values: four batches
    std::size_t checking = 0, writing = 0;
    std::uint64_t last_rows = 0;
    o.progress = [&](const import_progress& p) {
        ++(p.writing ? writing : checking);
        last_rows = p.rows;
    };
    const auto rep = import_csv_file(s, table_kind::readings, path, o);
    CHECK(rep.rows == 15);
    CHECK(rep.stats.inserted == expected.stats.inserted);
    CHECK(values_of(s) == values_of(held));
    CHECK(checking > 0);
    CHECK(writing > 0);      // read a second time to write
    CHECK(last_rows == 15);  // every row, not the last batch's

    // a conflict with a stored value in the last batch: named by its line, and nothing of the earlier
    // batches stays
    const std::string before = snapshot(s);
    const auto changed = write_temp("kvant-test-io-batches2.csv",
                                    "meter,timestamp,channel,value\n"
                                    "E1,2024-04-01T00:00:00Z,1.8.0,1600\nE1,2024-04-01T00:00:00Z,1.8.1,1100\n"
                                    "E1,2024-04-02T00:00:00Z,1.8.0,1700\nE1,2024-04-02T00:00:00Z,1.8.1,1200\n"
                                    "H1,2024-03-02T00:00:00Z,heat_energy,13\n");
    o.progress = nullptr;
    o.import_batch_rows = 2;
    try {
        import_csv_file(s, table_kind::readings, changed, o);
        FAIL("the conflicting import succeeded");
    } catch (const storage_error& e) {
        CHECK(e.code() == errc::storage_conflict);
        CHECK_THAT(e.what(), Catch::Contains("kvant-test-io-batches2.csv:6: reading of meter H1 at "
                                             "2024-03-02T00:00:00Z is stored already"));
    }
    CHECK(snapshot(s) == before);

    // series that go back in time across batches: held whole, so that a repeat in another batch is seen
    const auto back =
        write_temp("kvant-test-io-batches3.csv",
                   "meter,timestamp,channel,value\n"
                   "E1,2024-05-02T00:00:00Z,1.8.0,1900\nE1,2024-05-03T00:00:00Z,1.8.0,2000\n"
                   "E1,2024-05-01T00:00:00Z,1.8.0,1800\nE1,2024-05-02T00:00:00Z,1-0:1.8.0,1901\n");
    const auto e = [&] {
        try {
            import_csv_file(s, table_kind::readings, back, o);
        } catch (const validation_error& x) {
            return std::string(x.what());
        }
        return std::string("no error");
    }();
    CHECK_THAT(e, Catch::Contains("batches3.csv:5: field 'value': value of active_import of meter 'E1' at "
                                  "2024-05-02T00:00:00Z is given twice with different values (first at"));
    CHECK(snapshot(s) == before);
    const auto fine =
        write_temp("kvant-test-io-batches4.csv",
                   "meter,timestamp,channel,value\n"
                   "E1,2024-05-02T00:00:00Z,1.8.0,1900\nE1,2024-05-03T00:00:00Z,1.8.0,2000\n"
                   "E1,2024-05-01T00:00:00Z,1.8.0,1800\nE1,2024-05-02T00:00:00Z,1-0:1.8.0,1900\n");
    const auto r = import_csv_file(s, table_kind::readings, fine, o);
    CHECK(r.stats.inserted == 3);
    CHECK(r.stats.unchanged == 1);
    for (const auto& p : {path, changed, back, fine}) std::filesystem::remove(p);
}

TEST_CASE("an import into a new database leaves no file when it fails, and holds nothing whole") {
    const auto dir = std::filesystem::temp_directory_path() / "kvant-test-io-new-db";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const auto db = dir / "new.db";
    const auto file = [&](const char* name, const std::string& text) {
        std::ofstream(dir / name, std::ios::binary) << text;
        return dir / name;
    };
    const auto orgs_csv = file("organizations.csv", orgs);
    const auto bad_meters = file("meters.csv", "serial,model\n98990010,no-such-model\n");
    CHECK_THROWS_AS(import_csv_files_into_new_database(
                        db, {{table_kind::organizations, orgs_csv}, {table_kind::meters, bad_meters}}),
                    validation_error);
    // nothing at the name, and no temporary left beside it
    std::vector<std::string> left;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        left.push_back(e.path().filename().string());
    std::sort(left.begin(), left.end());
    CHECK(left == std::vector<std::string>{"meters.csv", "organizations.csv"});
    // a good import creates it whole
    const auto rep = import_csv_files_into_new_database(db, {{table_kind::organizations, orgs_csv}});
    CHECK(rep.stats.inserted == 1);
    {
        sqlite_store s(db, sqlite_store::mode::open);
        CHECK(s.find<organization>("dnt-demo"));
    }
    // an existing database is never replaced
    CHECK_THROWS_AS(import_csv_files_into_new_database(db, {{table_kind::organizations, orgs_csv}}),
                    storage_error);
    std::filesystem::remove_all(dir);
}
