// The reports layer: report_table's typed columns and CSV, and each report on small fleets worked out by
// hand; a store and a table in memory give the same tables, and so do 1 and 4 threads.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include "support.hpp"

#include "kvant/reports/reports.hpp"
#include "kvant/store/memory_store.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

std::string csv(const report_table& t) {
    std::ostringstream os;
    t.write_csv(os);
    return os.str();
}

/// A table of the readings of `series`, in the given order of rows (not grouped when `interleave`).
reading_table table_of(const std::vector<meter_series>& series, bool interleave = false) {
    reading_table t;
    std::vector<std::tuple<std::string, channel, std::int64_t, std::int64_t>> rows;
    for (const auto& s : series)
        for (const auto& c : s.channels())
            for (std::size_t i = 0; i < c.size(); ++i)
                rows.emplace_back(s.serial(), c.ch(), c.times()[i], c.values()[i]);
    if (interleave)
        std::stable_sort(rows.begin(), rows.end(),
                         [](const auto& a, const auto& b) { return std::get<2>(a) < std::get<2>(b); });
    for (const auto& [serial, ch, time, value] : rows)
        t.push(t.meter_slot(serial), t.channel_slot(ch), time, value);
    return t;
}

meter electricity_meter(const char* serial, std::optional<zone> z = std::nullopt) {
    meter m;
    m.serial = serial;
    m.point = "tp";
    m.time_zone = z;
    return m;
}

/// The store a fleet of one point holds (organisation "org", abonent "ab", account "A1", point "tp").
void put_fleet(store& s, const fleet& f) {
    for (const auto& o : f.organizations()) s.put(o);
    for (const auto& a : f.abonents()) s.put(a);
    for (const auto& a : f.accounts()) s.put(a);
    for (const auto& p : f.points()) s.put(p);
    for (const auto& m : f.models()) s.put(m);
    for (const auto& m : f.meters()) s.put(m);
}

}  // namespace

// ---------------------------------------------------------------- report_table

TEST_CASE("report_table: typed setters, nulls and the CSV every front end reads") {
    report_table t({{"name", column_type::text},
                    {"n", column_type::integer},
                    {"value", column_type::number},
                    {"amount", column_type::currency},
                    {"ok", column_type::boolean},
                    {"at", column_type::timestamp},
                    {"period", column_type::local_period}});
    t.set_text(0, "a,b")
        .set_integer(1, 42)
        .set_number(2, dec("1.5"))
        .set_currency(3, money::from_kopecks(12345))
        .set_bool(4, true)
        .set_timestamp(5, at("2024-03-01T00:00:00Z"))
        .set_period(6, at("2024-02-29T21:00:00Z"), "2024-03")
        .end_row();
    t.set_period(6, at("2024-03-31T21:00:00Z"), "2024-04")
        .set_text(0, "say \"hi\"")
        .end_row();  // the rest null
    REQUIRE(t.rows() == 2);
    REQUIRE(t.columns() == 7);
    CHECK(t.at(2).values == std::vector<std::int64_t>{1'500'000, report_table::null_value});
    CHECK(t.at(3).values[0] == 12345);
    CHECK(t.at(5).values[0] == 1709251200);
    CHECK(t.at(6).values == std::vector<std::int64_t>{1709240400, 1711918800});
    CHECK(t.at(6).text == std::vector<std::string>{"2024-03", "2024-04"});
    CHECK(t.find("amount") == &t.at(3));
    CHECK(t.find("nothing") == nullptr);
    CHECK(scale_of(column_type::number) == 6);
    CHECK(scale_of(column_type::currency) == 2);
    CHECK(scale_of(column_type::boolean) == 0);
    CHECK(csv(t) ==
          "name,n,value,amount,ok,at,period\n"
          "\"a,b\",42,1.5,123.45,1,2024-03-01T00:00:00Z,2024-03\n"
          "\"say \"\"hi\"\"\",,,,,,2024-04\n");
}

TEST_CASE("report_table: a setter of the wrong type or a cell set twice is refused") {
    report_table t({{"n", column_type::integer}, {"s", column_type::text}});
    CHECK_THROWS_AS(t.set_text(0, "x"), std::logic_error);
    CHECK_THROWS_AS(t.set_number(0, dec("1")), std::logic_error);
    CHECK_THROWS_AS(t.set_integer(5, 1), std::out_of_range);
    t.set_integer(0, 1);
    CHECK_THROWS_AS(t.set_integer(0, 2), std::logic_error);
    t.end_row();
    CHECK(t.rows() == 1);
    CHECK(t.at(0).values == std::vector<std::int64_t>{1});
    CHECK(t.at(1).text == std::vector<std::string>{""});
    CHECK(csv(t) == "n,s\n1,\n");
}

// ---------------------------------------------------------------- consumption

TEST_CASE("consumption_report: a month per meter, by hand, and per account") {
    // m1 in UTC: 100 on 1 Jan, 250.5 on 1 Feb, 300 on 1 Mar: January 150.5, February 49.5
    const auto s1 = totals("m1", {{"2024-01-01T00:00:00Z", "100"},
                                  {"2024-02-01T00:00:00Z", "250.5"},
                                  {"2024-03-01T00:00:00Z", "300"}});
    // m2 on the same account: 10 in January
    const auto s2 = totals("m2", {{"2024-01-01T00:00:00Z", "0"}, {"2024-02-01T00:00:00Z", "10"}});
    auto table = std::make_shared<const reading_table>(table_of({s1, s2}));
    auto src = table_source(table, one_point_fleet({electricity_meter("m1"), electricity_meter("m2")}));
    period_report_options o;
    o.complete_only = true;
    const auto t = consumption_report(*src, o);
    CHECK(csv(t) ==
          "meter,period,register,value,complete\n"
          "m1,2024-01,total,150.5,1\n"
          "m1,2024-02,total,49.5,1\n"
          "m2,2024-01,total,10,1\n");
    CHECK(t.at(1).type == column_type::local_period);
    CHECK(t.at(1).values[0] == 1704067200);  // 2024-01-01T00:00:00Z
    CHECK(t.at(3).values[0] == 150'500'000);

    auto src2 = table_source(table, one_point_fleet({electricity_meter("m1"), electricity_meter("m2")}));
    o.group = group_level::account;
    CHECK(csv(consumption_report(*src2, o)) ==
          "group,resource,role,period,register,value,complete,meters\n"
          "A1,electricity,individual,2024-01,total,160.5,1,2\n"
          "A1,electricity,individual,2024-02,total,49.5,1,1\n");
}

// ---------------------------------------------------------------- split and cost

namespace {
/// One unit an hour over Tuesday 5 March 2024, Moscow time (no clock change in Russia since 2014).
meter_series moscow_day(const char* serial = "m1") {
    return totals(serial, {{"2024-03-05T00:00:00+03:00", "1000"}, {"2024-03-06T00:00:00+03:00", "1024"}});
}
}  // namespace

TEST_CASE("split_report: a three-zone day in Moscow time, by hand") {
    // ФСТ 1473-э three zones: peak 07-10 and 17-21 (7 h), semi-peak 10-17 and 21-23 (9 h), night 23-07 (8 h)
    auto src = table_source(std::make_shared<const reading_table>(table_of({moscow_day()})),
                            one_point_fleet({electricity_meter("m1", zone::parse("Europe/Moscow"))}));
    period_report_options o;
    o.by = period_kind::day;
    o.complete_only = true;
    const auto t = split_report(*src, three_zone_schedule(), o);
    CHECK(csv(t) ==
          "meter,period,zone,value,complete\n"
          "m1,2024-03-05,peak,7,1\n"
          "m1,2024-03-05,semi-peak,9,1\n"
          "m1,2024-03-05,night,8,1\n"
          "m1,2024-03-05,day,16,1\n"
          "m1,2024-03-05,total,24,1\n");
    CHECK(t.at(1).values[0] == to_unix(at("2024-03-04T21:00:00Z")));  // the local midnight
    CHECK(split_source_text.parse("auto") == split_source::automatic);
}

TEST_CASE(
    "split_report per group: the zones of an account's meters summed, by hand, estimates stay per meter") {
    // m1 one unit an hour, m2 (same account) two units an hour over the same Moscow day (1000 -> 1048):
    // peak 7 + 14 = 21, semi-peak 9 + 18 = 27, night 8 + 16 = 24, day 16 + 32 = 48, total 24 + 48 = 72
    const auto m2 =
        totals("m2", {{"2024-03-05T00:00:00+03:00", "1000"}, {"2024-03-06T00:00:00+03:00", "1048"}});
    const zone moscow = zone::parse("Europe/Moscow");
    const auto fleet_of = [&] {
        return one_point_fleet({electricity_meter("m1", moscow), electricity_meter("m2", moscow)});
    };
    const auto table = std::make_shared<const reading_table>(table_of({moscow_day(), m2}));
    period_report_options o;
    o.by = period_kind::day;
    o.complete_only = true;
    o.group = group_level::account;
    auto src = table_source(table, fleet_of());
    const auto t = split_report(*src, three_zone_schedule(), o);
    CHECK(csv(t) ==
          "group,role,period,zone,value,complete,meters\n"
          "A1,individual,2024-03-05,peak,21,1,2\n"
          "A1,individual,2024-03-05,semi-peak,27,1,2\n"
          "A1,individual,2024-03-05,night,24,1,2\n"
          "A1,individual,2024-03-05,day,48,1,2\n"
          "A1,individual,2024-03-05,total,72,1,2\n");
    CHECK(t.at(2).values[0] == to_unix(at("2024-03-04T21:00:00Z")));

    estimate_report_options e;
    e.at = at("2024-03-10T00:00:00Z");
    e.group = group_level::account;
    auto src2 = table_source(table, fleet_of());
    CHECK_THROWS_WITH(estimate_report(*src2, e), Catch::Contains("an estimate is per meter"));
}

TEST_CASE("cost_report: a line's amount is quantity × price, by hand") {
    auto src = table_source(std::make_shared<const reading_table>(table_of({moscow_day()})),
                            one_point_fleet({electricity_meter("m1", zone::parse("Europe/Moscow"))}));
    cost_report_options o;
    o.by = period_kind::day;
    o.complete_only = true;
    o.schedule = three_zone_schedule();
    const auto from = calendar_date{date::year{2024}, date::month{1}, date::day{1}};
    o.rates = {{"peak", from, dec("10.5")}, {"semi-peak", from, dec("5")}, {"night", from, dec("2.25")}};
    const auto t = cost_report(*src, o);
    // 7 × 10.5 = 73.5; 9 × 5 = 45; 8 × 2.25 = 18
    CHECK(csv(t) ==
          "meter,period,zone,rate_from,quantity,price,amount,complete\n"
          "m1,2024-03-05,peak,2024-01-01,7,10.5,73.50,1\n"
          "m1,2024-03-05,semi-peak,2024-01-01,9,5,45.00,1\n"
          "m1,2024-03-05,night,2024-01-01,8,2.25,18.00,1\n");
    CHECK(t.at(6).type == column_type::currency);
    CHECK(t.at(6).values == std::vector<std::int64_t>{7350, 4500, 1800});

    // per account: the day's bill in one line
    auto src2 = table_source(std::make_shared<const reading_table>(table_of({moscow_day()})),
                             one_point_fleet({electricity_meter("m1", zone::parse("Europe/Moscow"))}));
    o.group = group_level::account;
    CHECK(csv(cost_report(*src2, o)) ==
          "group,role,period,amount,complete,meters\n"
          "A1,individual,2024-03-05,136.50,1,1\n");
    // without a store, a schedule and rates are required
    auto src3 = table_source(std::make_shared<const reading_table>(), fleet{});
    CHECK_THROWS_AS(cost_report(*src3, cost_report_options{}), config_error);
}

// ---------------------------------------------------------------- a store and a table give the same tables

TEST_CASE("a store_source and a table_source of the same readings give equal reports, 1 and 4 threads too") {
    // 150 meters (more than one group of 64), half of them in Moscow, readings every 6 hours for 40 days
    std::vector<meter> meters;
    std::vector<meter_series> series;
    for (int i = 0; i < 150; ++i) {
        const std::string serial = "s" + std::to_string(1000 + i);
        meters.push_back(electricity_meter(
            serial.c_str(), i % 2 ? std::optional<zone>(zone::parse("Europe/Moscow")) : std::nullopt));
        meter_series s(serial);
        std::int64_t v = 0;
        for (int k = 0; k < 160; ++k) {
            s.push(channel{}, to_unix(at("2024-01-01T00:00:00Z")) + k * 6 * 3600, v);
            v += (i + 1) * 1000 + (k % 7) * 123;
        }
        series.push_back(std::move(s));
    }
    const fleet f = one_point_fleet(meters, zone::parse("Europe/Moscow"));
    memory_store db;
    put_fleet(db, f);
    db.put_readings(table_of(series));
    const auto shared = std::make_shared<const reading_table>(table_of(series, true));  // not grouped
    REQUIRE_FALSE(shared->grouped());

    period_report_options o;
    o.by = period_kind::day;
    auto by_store = [&](unsigned threads) {
        auto src = store_source(db);
        auto p = o;
        p.run.threads = threads;
        return csv(split_report(*src, three_zone_schedule(), p)) +
               csv(consumption_report(*store_source(db), p));
    };
    auto by_table = [&](unsigned threads) {
        auto p = o;
        p.run.threads = threads;
        auto src = table_source(shared, one_point_fleet(meters, zone::parse("Europe/Moscow")));
        auto src2 = table_source(shared, one_point_fleet(meters, zone::parse("Europe/Moscow")));
        return csv(split_report(*src, three_zone_schedule(), p)) + csv(consumption_report(*src2, p));
    };
    const std::string one = by_store(1);
    CHECK(one.size() > 100'000);
    CHECK(by_store(4) == one);
    CHECK(by_table(1) == one);
    CHECK(by_table(4) == one);
    // the table given was not changed (a sorted copy was made)
    CHECK_FALSE(shared->grouped());

    // progress: after each group, and once at the end with done == total
    std::vector<std::pair<std::size_t, std::size_t>> calls;
    auto src = store_source(db);
    o.run.threads = 1;
    o.run.progress = [&](std::size_t d, std::size_t n) { calls.emplace_back(d, n); };
    consumption_report(*src, o);
    REQUIRE(calls.size() == 4);  // 64, 128, 150, and the end
    CHECK(calls.front() == std::pair<std::size_t, std::size_t>{64, 150});
    CHECK(calls.back() == std::pair<std::size_t, std::size_t>{150, 150});

    // --resource: only cold water meters (none here)
    source_options water;
    water.only = resource::cold_water;
    auto none = store_source(db, water);
    CHECK(none->total() == 0);
    CHECK(consumption_report(*none, {}).rows() == 0);
}

// ---------------------------------------------------------------- estimate

TEST_CASE("estimate_report: the ПП 354 ladder, actual, average, then the normative, by hand") {
    // a cold water meter, 30 m³ a month in January..March; billed up to 15 August
    meter m = electricity_meter("w1");
    m.measures = resource::cold_water;
    const auto s = totals("w1",
                          {{"2024-01-01T00:00:00Z", "0"},
                           {"2024-02-01T00:00:00Z", "30"},
                           {"2024-03-01T00:00:00Z", "60"},
                           {"2024-04-01T00:00:00Z", "90"}},
                          channel::main(resource::cold_water));
    estimate_report_options o;
    o.by = period_kind::month;
    o.at = at("2024-08-15T00:00:00Z");
    o.normative = dec("5");
    auto src = table_source(std::make_shared<const reading_table>(table_of({s})), one_point_fleet({m}));
    const auto t = estimate_report(*src, o);
    // п. 59: the average of the 3 months there are, for at most 3 periods (April..June); then the normative
    CHECK(csv(t) ==
          "meter,period,basis,value,failed\n"
          "w1,2024-01,actual,30,0\n"
          "w1,2024-02,actual,30,0\n"
          "w1,2024-03,actual,30,0\n"
          "w1,2024-04,average,30,0\n"
          "w1,2024-05,average,30,0\n"
          "w1,2024-06,average,30,0\n"
          "w1,2024-07,normative,5,0\n"
          "w1,2024-08,normative,5,0\n");
    CHECK(t.at(1).values[7] == to_unix(at("2024-08-01T00:00:00Z")));  // a period with no reading at all

    // the account's own normative wins over the one for every account
    o.normatives.emplace();
    (*o.normatives)[{"A1", resource::cold_water}] = dec("7.25");
    auto src2 = table_source(std::make_shared<const reading_table>(table_of({s})), one_point_fleet({m}));
    const auto t2 = estimate_report(*src2, o);
    REQUIRE(t2.rows() == 8);
    CHECK(t2.cell_text(3, 7) == "7.25");
}

TEST_CASE("interval_estimate_report: a missing half-hour interpolated, by hand") {
    // half-hourly 0, 1, (missing), 3: the point at 01:00 is interpolated as 2
    const auto s = totals(
        "m1", {{"2024-01-01T00:00:00Z", "0"}, {"2024-01-01T00:30:00Z", "1"}, {"2024-01-01T01:30:00Z", "3"}});
    auto src = table_source(std::make_shared<const reading_table>(table_of({s})), fleet{});
    vee_policy p;
    p.step = std::chrono::minutes{30};
    const auto t = interval_estimate_report(*src, at("2024-01-01T01:30:00Z"), p);
    REQUIRE(t.find("quality") != nullptr);
    std::size_t filled = 0;
    for (std::size_t r = 0; r < t.rows(); ++r)
        if (t.cell_text(1, r) == "2024-01-01T01:00:00Z") {
            ++filled;
            CHECK(t.cell_text(2, r) == "2");
            CHECK(t.cell_text(3, r) != "actual");
        }
    CHECK(filled == 1);
    CHECK(t.at(1).type == column_type::timestamp);
}

// ---------------------------------------------------------------- verification and anomalies (a store)

TEST_CASE("verification_report: the dates and state of the meters in service, by hand") {
    memory_store db;
    meter_model mm = model_with(16);
    meter a = electricity_meter("a");  // verified 10 March 2020: next 10 March 2036, valid on 1 June 2024
    a.model = "x";
    a.last_verification = calendar_date{date::year{2020}, date::month{3}, date::day{10}};
    meter b = electricity_meter("b");  // verified 1 July 2008: expired 1 July 2024, due within 30 days
    b.model = "x";
    b.last_verification = calendar_date{date::year{2008}, date::month{7}, date::day{1}};
    meter c = electricity_meter("c");  // removed before: not in service
    c.removed = calendar_date{date::year{2024}, date::month{1}, date::day{1}};
    put_fleet(db, one_point_fleet({a, b, c}, std::nullopt, {mm}));
    const auto t = verification_report(db, at("2024-06-15T00:00:00Z"));
    REQUIRE(t.rows() == 2);
    CHECK(t.cell_text(0, 0) == "a");
    CHECK(t.cell_text(2, 0) == "2020-03-10");
    CHECK(t.cell_text(3, 0) == "2036-03-10");
    CHECK(t.cell_text(5, 0) == "valid");
    CHECK(t.cell_text(0, 1) == "b");
    CHECK(t.cell_text(3, 1) == "2024-07-01");
    CHECK(t.cell_text(5, 1) == "due_soon");
    CHECK(t.at(6).values == std::vector<std::int64_t>{0, 0});
    CHECK(t.at(0).name == "meter");
    CHECK(t.at(7).name == "service_life_end");
}

TEST_CASE("anomalies_report: stored anomalies, a resolution's time and author, null when open") {
    memory_store db;
    put_one_point(db, {"m1", "m2"});
    anomaly x;
    x.key = "k1";
    x.type = anomaly_type::reading_decrease;
    x.meter = "m1";
    x.from = at("2024-01-01T00:00:00Z");
    x.to = at("2024-01-02T00:00:00Z");
    anomaly y = x;
    y.key = "k2";
    y.meter = "m2";
    db.put_anomalies(std::vector<anomaly>{x, y});
    REQUIRE(db.resolve_anomaly("k2", at("2024-02-01T12:00:00Z"), "Иванов", "проверено"));
    const auto t = anomalies_report(db);
    REQUIRE(t.rows() == 2);
    CHECK(t.cell_text(0, 0) == "k1");
    CHECK(t.cell_text(5, 0) == "2024-01-01T00:00:00Z");
    CHECK(t.cell_text(7, 0) == "open");
    CHECK(t.at(8).values[0] == report_table::null_value);
    CHECK(t.cell_text(7, 1) == "resolved");
    CHECK(t.at(8).values[1] == to_unix(at("2024-02-01T12:00:00Z")));
    CHECK(t.cell_text(9, 1) == "Иванов");
    CHECK(csv(t).substr(0, csv(t).find('\n')) ==
          "key,type,severity,meter,account,from,to,status,resolved_at,resolved_by,message_ru,message_en");
    anomaly_query q;
    q.meter = "m2";
    CHECK(anomalies_report(db, q).rows() == 1);
    q = {};
    q.organization = "nowhere";
    CHECK_THROWS_AS(anomalies_report(db, q), storage_error);
}

TEST_CASE("csv_source: a wide file's values are each meter's main quantity, --resource selects by it") {
    const auto dir = std::filesystem::temp_directory_path() / "kvant-test-reports-csv";
    std::filesystem::create_directories(dir);
    auto write = [&](const char* name, const char* text) {
        std::ofstream(dir / name, std::ios::binary) << text;
        return dir / name;
    };
    // w1 measures cold water (m³), e1 electricity; timestamps without an offset are Moscow time (+03:00)
    const auto readings = write("r.csv",
                                "meter,timestamp,value\n"
                                "w1,2024-01-01T00:00:00,10\n"
                                "e1,2024-01-01T00:00:00,100\n"
                                "w1,2024-02-01T00:00:00,13.5\n"
                                "e1,2024-02-01T00:00:00,250\n");
    const auto meters =
        write("m.csv", "serial,resource,zone\nw1,cold_water,Europe/Moscow\ne1,electricity,\n");
    import_options io;
    io.default_offset_minutes = 180;
    period_report_options o;
    o.complete_only = true;
    auto src = csv_source(readings, meters, io);
    REQUIRE(src->total() == 2);
    // w1: January in Moscow, 3.5 m³ of its main quantity (the register label of water); e1: January in UTC
    // runs from 21:00 on 31 Dec, so its readings do not bracket a whole month there
    const auto t = consumption_report(*src, o);
    REQUIRE(t.rows() == 1);
    CHECK(t.cell_text(0, 0) == "w1");
    CHECK(t.cell_text(1, 0) == "2024-01");
    CHECK(t.cell_text(3, 0) == "3.5");
    CHECK(t.at(1).values[0] == to_unix(at("2023-12-31T21:00:00Z")));
    source_options water;
    water.only = resource::cold_water;
    auto only = csv_source(readings, meters, io, water);
    CHECK(only->total() == 1);
    // a meters file with an error: named by file, line and field
    const auto bad = write("bad.csv", "serial,zone\nw1,Mars/Olympus\n");
    try {
        csv_source(readings, bad, io);
        FAIL("no error");
    } catch (const error& e) {
        CHECK(std::string(e.what()).find("bad.csv") != std::string::npos);
    }
    std::filesystem::remove_all(dir);
}
