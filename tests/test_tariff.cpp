// Tariff schedules and splits, against values worked out by hand (hours per zone are counted on the clock).
#include <catch2/catch.hpp>

#include <map>
#include "support.hpp"

#include "kvant/algorithms/cost.hpp"
#include "kvant/algorithms/tariff.hpp"
#include "kvant/io/urdb.hpp"
#include "kvant/model/tariff_json.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {
/// A total-only series of meter "m" (or `serial`).
meter_series make_series(std::initializer_list<std::pair<const char*, const char*>> rows,
                         const char* serial = "m") {
    return totals(serial, rows);
}

consumption_options opts(period_kind k) {
    consumption_options o;
    o.periods = {k};
    return o;
}
/// zone -> value of the first period, as text
std::map<std::string, std::string> first_period(const zone_consumption& z) {
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i < z.zones.size(); ++i)
        out[z.zones[i]] = to_string(decimal::from_raw(z.value[i][0]));
    return out;
}
std::map<std::string, std::string> sum_periods(const zone_consumption& z) {
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i < z.zones.size(); ++i) {
        std::int64_t s = 0;
        for (auto v : z.value[i]) s += v;
        out[z.zones[i]] = to_string(decimal::from_raw(s));
    }
    return out;
}
using zones = std::map<std::string, std::string>;

/// Two zones, day 07–23: weekdays; a special all-night profile for holidays.
tariff_schedule two_zone_with(std::vector<special_day> specials) {
    auto s = two_zone_schedule();
    s.versions[0].days.push_back({"holiday", {{0, "night"}}});
    s.versions[0].special_days = std::move(specials);
    return s;
}
}  // namespace

TEST_CASE("presets follow order ФСТ 1473-э") {
    const tariff_calendar three(three_zone_schedule());
    CHECK(three.zones() == std::vector<std::string>{"peak", "semi-peak", "night", "day", "total"});
    const zone msk = zone::parse("Europe/Moscow");
    auto zone_name = [&](const char* t) { return three.zones()[three.zone_at(at(t), msk)]; };
    CHECK(zone_name("2020-06-01T06:59:59+03:00") == "night");
    CHECK(zone_name("2020-06-01T07:00:00+03:00") == "peak");
    CHECK(zone_name("2020-06-01T10:00:00+03:00") == "semi-peak");
    CHECK(zone_name("2020-06-01T17:00:00+03:00") == "peak");
    CHECK(zone_name("2020-06-01T21:00:00+03:00") == "semi-peak");
    CHECK(zone_name("2020-06-01T23:00:00+03:00") == "night");
    // the switches of one Moscow day
    const auto sw = three.switches(at("2020-06-01T00:00:00+03:00"), at("2020-06-02T00:00:00+03:00"), msk);
    const std::vector<zone_switch> expected{
        {to_unix(at("2020-06-01T00:00:00+03:00")), 2}, {to_unix(at("2020-06-01T07:00:00+03:00")), 0},
        {to_unix(at("2020-06-01T10:00:00+03:00")), 1}, {to_unix(at("2020-06-01T17:00:00+03:00")), 0},
        {to_unix(at("2020-06-01T21:00:00+03:00")), 1}, {to_unix(at("2020-06-01T23:00:00+03:00")), 2}};
    CHECK(sw == expected);
    CHECK(tariff_calendar(single_rate_schedule()).zones() == std::vector<std::string>{"total"});
    CHECK(tariff_calendar(two_zone_schedule()).zones() == std::vector<std::string>{"day", "night", "total"});
}

TEST_CASE("a reading interval straddling a switch is cut there") {
    // 06:00 to 08:00 UTC, 12 units: 06-07 night, 07-08 day
    const tariff_calendar two(two_zone_schedule());
    auto z = split_by_schedule(make_series({{"2020-06-01T06:00:00Z", "0"}, {"2020-06-01T08:00:00Z", "12"}}),
                               zone::utc(), two, {}, opts(period_kind::day));
    CHECK(first_period(z) == zones{{"day", "6"}, {"night", "6"}, {"total", "12"}});
    // three zones in Moscow: 06:00-11:00 MSK, 10 an hour: night 1 h, peak 3 h, semi-peak 1 h
    const tariff_calendar three(three_zone_schedule());
    z = split_by_schedule(make_series({{"2020-06-01T03:00:00Z", "0"}, {"2020-06-01T08:00:00Z", "50"}}),
                          zone::parse("Europe/Moscow"), three, {}, opts(period_kind::day));
    CHECK(first_period(z) ==
          zones{{"night", "10"}, {"peak", "30"}, {"semi-peak", "10"}, {"day", "40"}, {"total", "50"}});
}

TEST_CASE("on a day of clock change, a local schedule and one in a fixed zone differ") {
    // Berlin, 28.03.2021, clocks 02:00 CET -> 03:00 CEST. From 00:00Z to 12:00Z, one unit an hour.
    const auto s = make_series({{"2021-03-28T00:00:00Z", "0"}, {"2021-03-28T12:00:00Z", "12"}});
    const zone berlin = zone::parse("Europe/Berlin");
    // local: 00:00Z is 01:00 CET (night); day begins at 07:00 CEST = 05:00Z -> night 5 h, day 7 h
    auto z = split_by_schedule(s, berlin, tariff_calendar(two_zone_schedule()), {}, opts(period_kind::day));
    CHECK(first_period(z) == zones{{"day", "7"}, {"night", "5"}, {"total", "12"}});
    // Moscow time basis: day begins at 07:00 MSK = 04:00Z -> night 4 h, day 8 h
    auto moscow = two_zone_schedule();
    moscow.time_basis = zone::parse("Europe/Moscow");
    z = split_by_schedule(s, berlin, tariff_calendar(moscow), {}, opts(period_kind::day));
    CHECK(first_period(z) == zones{{"day", "8"}, {"night", "4"}, {"total", "12"}});
    // the 25-hour day 31.10.2021 in Berlin, local schedule: 00:00-07:00 is 8 hours (02:00-03:00 twice)
    const auto autumn = make_series({{"2021-10-30T22:00:00Z", "0"}, {"2021-10-31T23:00:00Z", "25"}});
    z = split_by_schedule(autumn, berlin, tariff_calendar(two_zone_schedule()), {}, opts(period_kind::day));
    CHECK(first_period(z) == zones{{"day", "16"}, {"night", "9"}, {"total", "25"}});
}

TEST_CASE("a holiday overrides the week") {
    // 31.12.2019 12:00Z to 01.01.2020 12:00Z, one an hour: 31.12 day 12-23 (11), night 23-24 (1); 01.01 all
    // night (12)
    const auto s = make_series({{"2019-12-31T12:00:00Z", "0"}, {"2020-01-01T12:00:00Z", "24"}});
    const tariff_calendar dated(two_zone_with({{2020, 1, 1, "holiday"}}));
    CHECK(sum_periods(split_by_schedule(s, zone::utc(), dated, {}, opts(period_kind::day))) ==
          zones{{"day", "11"}, {"night", "13"}, {"total", "24"}});
    const tariff_calendar every_year(two_zone_with({{std::nullopt, 1, 1, "holiday"}}));
    CHECK(sum_periods(split_by_schedule(s, zone::utc(), every_year, {}, opts(period_kind::day))) ==
          zones{{"day", "11"}, {"night", "13"}, {"total", "24"}});
    const tariff_calendar other_year(two_zone_with({{2021, 1, 1, "holiday"}}));
    CHECK(sum_periods(split_by_schedule(s, zone::utc(), other_year, {}, opts(period_kind::day))) ==
          zones{{"day", "16"}, {"night", "8"}, {"total", "24"}});
}

TEST_CASE("seasons and versions change the program on their dates") {
    // summer from 1 April: the day starts at 08:00. 31.03 06:00Z to 01.04 09:00Z, one an hour (27 h):
    // 31.03 night 1 + day 16 + night 1; 01.04 night 8 + day 1 -> day 17, night 10
    auto s = two_zone_schedule();
    s.versions[0].days.push_back({"summer", {{0, "night"}, {8 * 60, "day"}, {23 * 60, "night"}}});
    week_profile summer{"summer", {}};
    summer.days.fill("summer");
    s.versions[0].weeks.push_back(summer);
    s.versions[0].seasons = {{"winter", 1, 1, "all"}, {"summer", 4, 1, "summer"}, {"autumn", 10, 1, "all"}};
    const auto r = make_series({{"2021-03-31T06:00:00Z", "0"}, {"2021-04-01T09:00:00Z", "27"}});
    CHECK(sum_periods(split_by_schedule(r, zone::utc(), tariff_calendar(s), {}, opts(period_kind::day))) ==
          zones{{"day", "17"}, {"night", "10"}, {"total", "27"}});
    // before the first season start of a year, the last season runs on: a schedule whose only season starts
    // on 1 April still has one on 1 January
    auto late = two_zone_schedule();
    late.versions[0].seasons = {{"from-april", 4, 1, "all"}};
    CHECK(tariff_calendar(late).zone_at(at("2021-01-01T12:00:00Z"), zone::utc()) == 0);

    // a new version from 1 June 2021 starts the day at 06:00. 31.05 05:00Z to 01.06 08:00Z (27 h):
    // 31.05 night 2 + day 16 + night 1; 01.06 night 6 + day 2 -> day 18, night 9
    auto v = two_zone_schedule();
    schedule_version v2 = v.versions[0];
    v2.effective = date::year{2021} / 6 / 1;
    v2.days[0].changes = {{0, "night"}, {6 * 60, "day"}, {23 * 60, "night"}};
    v.versions.push_back(v2);
    const auto r2 = make_series({{"2021-05-31T05:00:00Z", "0"}, {"2021-06-01T08:00:00Z", "27"}});
    CHECK(sum_periods(split_by_schedule(r2, zone::utc(), tariff_calendar(v), {}, opts(period_kind::day))) ==
          zones{{"day", "18"}, {"night", "9"}, {"total", "27"}});
}

TEST_CASE("zones add up exactly to the period total, the total equals plain consumption") {
    meter_series s("m");
    std::int64_t t = to_unix(at("2021-03-01T00:00:00Z")), v = 0;
    std::uint64_t x = 99;
    while (t < to_unix(at("2021-11-30T00:00:00Z"))) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        std::array<std::int64_t, register_count> vals;
        vals.fill(decimal::missing_raw);
        vals[0] = v;
        s.push(t, vals);
        t += 300 + static_cast<std::int64_t>((x >> 33) % 20000);
        v += static_cast<std::int64_t>((x >> 17) % 3'333'333);
    }
    const zone berlin = zone::parse("Europe/Berlin");
    const tariff_calendar three(three_zone_schedule());
    for (auto kind : {period_kind::day, period_kind::month}) {
        const auto z = split_by_schedule(s, berlin, three, {}, opts(kind));
        const auto plain = consumption(s, berlin, {}, opts(kind));
        REQUIRE(z.periods.size() == plain.periods.size());
        for (std::size_t k = 0; k < z.periods.size(); ++k) {
            CHECK(z.value[0][k] + z.value[1][k] + z.value[2][k] ==
                  z.value[4][k]);                                   // peak + semi-peak + night = total
            CHECK(z.value[0][k] + z.value[1][k] == z.value[3][k]);  // day = peak + semi-peak
            CHECK(z.value[4][k] == plain.registers[0].value[k]);
            CHECK(z.complete[k] == plain.registers[0].complete[k]);
        }
    }
}

TEST_CASE("a meter's own tariff registers against the schedule, and 001's tariff-sum mismatch") {
    // 001 Figure 14: T1 48880.10 + T2 49.25 = 48929.35, but the total reads 48903.35
    meter_series s("m");
    const auto none = decimal::missing_raw;
    s.push(to_unix(at("2020-08-01T00:00:00Z")), {raw("0"), raw("0"), raw("0"), none, none});
    s.push(to_unix(at("2020-08-21T00:00:00Z")), {raw("48903.35"), raw("48880.10"), raw("49.25"), none, none});
    const auto bad = register_sum_mismatches(s, 2);
    REQUIRE(bad.size() == 1);
    CHECK(decimal::from_raw(bad[0].sum) == dec("48929.35"));
    CHECK(decimal::from_raw(bad[0].total) == dec("48903.35"));
    CHECK(register_sum_mismatches(s, 2, raw("26")).empty());  // within a tolerance of 26.00

    // register split: T1 is day, T2 night (two-zone programming); the total comes from the total register
    const tariff_calendar two(two_zone_schedule());
    const auto by_reg = split_by_registers(consumption(s, zone::utc(), {}, opts(period_kind::month)), two);
    CHECK(first_period(by_reg) == zones{{"day", "48880.1"}, {"night", "49.25"}, {"total", "48903.35"}});
    // the schedule's split of the same total: 20 days, 16 of 24 hours are day -> 2/3 of 48903.35
    const auto by_sched = split_by_schedule(s, zone::utc(), two, {}, opts(period_kind::month));
    CHECK(first_period(by_sched) ==
          zones{{"day", "32602.233333"}, {"night", "16301.116667"}, {"total", "48903.35"}});
    const auto diff = compare_splits(by_reg, by_sched);
    REQUIRE(diff.size() == 3);
    CHECK(diff[0].zone == "day");
    CHECK(diff[0].by_registers - diff[0].by_schedule == raw("16277.866667"));
    CHECK(diff[2].by_registers == diff[2].by_schedule);
}

TEST_CASE("a schedule with faults is refused, naming each") {
    auto s = two_zone_schedule();
    s.versions[0].days[0].changes = {{0, "night"}, {23 * 60, "day"}, {7 * 60, "dusk"}};
    s.versions[0].weeks[0].days[6] = "sunday";
    try {
        tariff_calendar c(s);
        FAIL("no exception");
    } catch (const config_error& e) {
        const std::string m = e.what();
        CHECK(m.find("switch times must increase") != std::string::npos);
        CHECK(m.find("undeclared zone 'dusk'") != std::string::npos);
        CHECK(m.find("unknown day profile 'sunday'") != std::string::npos);
    }
}

TEST_CASE("money: exact products, rounded once to kopecks half away from zero") {
    CHECK(to_string(amount(dec("250"), dec("5.53"))) == "1382.50");
    CHECK(to_string(amount(dec("0.125"), dec("1"))) == "0.13");
    CHECK(to_string(amount(dec("-0.125"), dec("1"))) == "-0.13");
    CHECK(to_string(amount(dec("1.005"), dec("1"))) == "1.01");  // binary floating point would give 1.00
    CHECK(to_string(amount(dec("33.333333"), dec("4.56"))) == "152.00");  // 151.99999848
    CHECK(to_string(amount(dec("0.004999"), dec("1"))) == "0.00");
    // 999999999.999999 * 1000.000001 = 1000000000999.999999999999 (Python decimal, exact) -> 1000000001000.00
    CHECK(to_string(amount(dec("999999999.999999"), dec("1000.000001"))) == "1000000001000.00");
    // an amount past ±(2^63 − 1) kopecks is a kvant error with the overflow code (it was std::overflow_error)
    CHECK_THROWS_AS(amount(dec("999999999999"), dec("999999999999")), arithmetic_error);
    try {
        (void)amount(dec("999999999999"), dec("999999999999"));
    } catch (const error& e) {
        CHECK(e.code() == errc::overflow);
    }
    // 92233720368.547758 × 1000000 = 92233720368547758 roubles = 9223372036854775800 kopecks: in range
    CHECK(amount(dec("92233720368.547758"), dec("1000000")).kopecks() == 9223372036854775800);
    // 92233720368.547759 × 1000000 = 9223372036854775900 kopecks > 2^63 − 1 = 9223372036854775807
    CHECK_THROWS_AS(amount(dec("92233720368.547759"), dec("1000000")), arithmetic_error);
    // sums of money: 2^63 − 1 kopecks is the largest; one more kopeck is an error, never a negative total
    const money top = money::from_kopecks(9223372036854775807);
    CHECK_THROWS_AS(top + money::from_kopecks(1), arithmetic_error);
    CHECK_THROWS_AS(money::from_kopecks(-9223372036854775807) - money::from_kopecks(1), arithmetic_error);
    money acc = top;
    CHECK_THROWS_AS(acc += money::from_kopecks(1), arithmetic_error);
    CHECK((top + money::from_kopecks(-1)).kopecks() == 9223372036854775806);
    CHECK(money::from_kopecks(5) + money::from_kopecks(-7) == money::from_kopecks(-2));
    CHECK(to_string(money::from_kopecks(-5)) == "-0.05");
}

TEST_CASE("a rate change in the middle of a month splits the bill") {
    // 10 a day through August (UTC); 5.00 until 15.08, 6.00 from 16.08: 15 days * 10 * 5 + 16 days * 10 * 6
    const auto s = make_series({{"2020-08-01T00:00:00Z", "0"}, {"2020-09-01T00:00:00Z", "310"}});
    const std::vector<rate> rates{{"total", date::year{2020} / 1 / 1, dec("5.00")},
                                  {"total", date::year{2020} / 8 / 16, dec("6.00")}};
    const auto bill =
        cost(s, zone::utc(), tariff_calendar(single_rate_schedule()), rates, {}, opts(period_kind::month));
    REQUIRE(bill.lines.size() == 2);
    CHECK(decimal::from_raw(bill.lines[0].quantity) == dec("150"));
    CHECK(to_string(bill.lines[0].amount) == "750.00");
    CHECK(bill.lines[1].rate_from == date::year{2020} / 8 / 16);
    CHECK(decimal::from_raw(bill.lines[1].quantity) == dec("160"));
    CHECK(to_string(bill.lines[1].amount) == "960.00");
    CHECK(to_string(bill.total[0]) == "1710.00");
    CHECK(bill.complete[0]);
    // the rate date is local: in Moscow the new rate starts at 15.08 21:00Z, 3 hours earlier -> 1.25 more
    // at 6.00
    const auto msk = cost(s, zone::parse("Europe/Moscow"), tariff_calendar(single_rate_schedule()), rates, {},
                          opts(period_kind::month));
    std::int64_t at_six = 0;
    for (const auto& l : msk.lines)
        if (l.price == dec("6.00")) at_six += l.quantity;
    CHECK(decimal::from_raw(at_six) == dec("161.25"));
}

TEST_CASE("a three-zone split billed under a two-zone tariff, through the zone group") {
    // 06:00-11:00 Moscow, 10 an hour: night 10, peak 30, semi-peak 10; day (peak + semi-peak) 40 at 5.00,
    // night 10 at 2.50
    const auto s = make_series({{"2020-06-01T03:00:00Z", "0"}, {"2020-06-01T08:00:00Z", "50"}});
    const std::vector<rate> rates{{"day", date::year{2020} / 1 / 1, dec("5.00")},
                                  {"night", date::year{2020} / 1 / 1, dec("2.50")}};
    const auto bill = cost(s, zone::parse("Europe/Moscow"), tariff_calendar(three_zone_schedule()), rates, {},
                           opts(period_kind::day));
    REQUIRE(bill.lines.size() == 2);
    CHECK(bill.lines[0].zone == "day");
    CHECK(to_string(bill.lines[0].amount) == "200.00");
    CHECK(bill.lines[1].zone == "night");
    CHECK(to_string(bill.lines[1].amount) == "25.00");
    CHECK(to_string(bill.total[0]) == "225.00");
    // a zone with no rate, and a rate that starts after the consumption, are refused by name
    const std::vector<rate> only_day{{"day", date::year{2020} / 1 / 1, dec("5.00")}};
    CHECK_THROWS_WITH(
        cost(s, zone::utc(), tariff_calendar(three_zone_schedule()), only_day, {}, opts(period_kind::day)),
        Catch::Contains("no rate for tariff zone 'night'"));
    const std::vector<rate> late{{"total", date::year{2021} / 1 / 1, dec("5.00")}};
    CHECK_THROWS_WITH(
        cost(s, zone::utc(), tariff_calendar(single_rate_schedule()), late, {}, opts(period_kind::day)),
        Catch::Contains("no rate for 'total' in force on 2020-06-01"));
}

TEST_CASE("schedules round-trip through JSON, any schedule can be defined in it") {
    for (const auto& s : {single_rate_schedule(), two_zone_schedule(), three_zone_schedule()})
        CHECK(nlohmann::json(s).get<tariff_schedule>() == s);
    const char* text = R"({"id": "msk-weekend", "zones": ["day", "night"], "time_basis": "Europe/Moscow",
        "versions": [{"effective": "2020-01-01",
          "seasons": [{"name": "year", "start": "01-01", "week": "w"}],
          "weeks": [{"id": "w", "days": ["wd", "wd", "wd", "wd", "wd", "we", "we"]}],
          "days": [{"id": "wd", "changes": [{"at": "00:00", "zone": "night"}, {"at": "07:00", "zone": "day"},
                                            {"at": "23:00", "zone": "night"}]},
                   {"id": "we", "changes": [{"at": "00:00", "zone": "night"}]}],
          "special_days": [{"date": "--05-09", "day": "we"}, {"date": "2020-06-12", "day": "we"}]}]})";
    const auto s = nlohmann::json::parse(text).get<tariff_schedule>();
    CHECK(nlohmann::json(s).get<tariff_schedule>() == s);
    const tariff_calendar c(s);
    const zone any = zone::utc();  // the time basis is Moscow whatever the meter's zone
    CHECK(c.zones()[c.zone_at(at("2020-05-08T12:00:00+03:00"), any)] == "day");  // a Friday
    CHECK(c.zones()[c.zone_at(at("2022-05-09T12:00:00+03:00"), any)] ==
          "night");  // Victory Day, a Monday in 2022
    CHECK(c.zones()[c.zone_at(at("2022-05-10T12:00:00+03:00"), any)] == "day");    // the Tuesday after
    CHECK(c.zones()[c.zone_at(at("2020-06-12T12:00:00+03:00"), any)] == "night");  // dated, 2020 only
    CHECK(c.zones()[c.zone_at(at("2021-06-11T12:00:00+03:00"), any)] == "day");
    CHECK(c.zones()[c.zone_at(at("2020-05-10T12:00:00+03:00"), any)] == "night");  // Sunday
    auto bad = nlohmann::json::parse(text);
    bad["versions"][0]["days"][0]["changes"][1]["at"] = "7:00";
    try {
        (void)bad.get<tariff_schedule>();
        FAIL("no exception");
    } catch (const parse_error& e) {
        CHECK(e.where().field == "at");
        CHECK(e.reason() == "change: '7:00' is not a time of day HH:MM");
    }
}

TEST_CASE("OpenEI URDB weekday/weekend 12x24 schedules import as seasons of week profiles") {
    nlohmann::json item;
    std::vector<int> weekday(24, 0), weekend(24, 0);
    for (int h = 7; h < 23; ++h) weekday[static_cast<std::size_t>(h)] = 1;
    item["name"] = "TOU";
    item["energyweekdayschedule"] = std::vector<std::vector<int>>(12, weekday);
    item["energyweekendschedule"] = std::vector<std::vector<int>>(12, weekend);
    item["energyratestructure"] =
        nlohmann::json::parse(R"([[{"rate": 0.1}], [{"rate": 0.25}, {"rate": 0.3, "max": 500}]])");
    const auto imp = import_urdb(nlohmann::json{{"items", {item}}}.dump());
    CHECK(imp.schedule.zones == std::vector<std::string>{"p0", "p1"});
    CHECK(imp.schedule.versions[0].seasons.size() == 12);
    REQUIRE(imp.rates.size() == 2);
    CHECK(imp.rates[0].second == dec("0.1"));
    CHECK(imp.rates[1].second == dec("0.25"));
    CHECK(imp.had_tiers);
    const tariff_calendar c(imp.schedule);
    CHECK(c.zones()[c.zone_at(at("2021-06-04T08:00:00Z"), zone::utc())] == "p1");  // a Friday
    CHECK(c.zones()[c.zone_at(at("2021-06-05T08:00:00Z"), zone::utc())] == "p0");  // a Saturday
    CHECK(c.zones()[c.zone_at(at("2021-06-04T23:30:00Z"), zone::utc())] == "p0");
    item["energyweekdayschedule"][3][5] = "x";
    CHECK_THROWS_WITH(import_urdb(item.dump()), Catch::Contains("field 'energyweekdayschedule[3][5]'"));
    CHECK_THROWS_AS(import_urdb("{not json"), parse_error);
    // a period number beyond what 12 x 24 cells can hold is refused, not turned into ~2^31 empty zones
    item["energyweekdayschedule"][3][5] = 288;
    CHECK_THROWS_WITH(import_urdb(item.dump()), Catch::Contains("expected a period number 0..287"));
    item["energyweekdayschedule"][3][5] = 2147483647;
    CHECK_THROWS_WITH(import_urdb(item.dump()), Catch::Contains("field 'energyweekdayschedule[3][5]'"));
    item["energyweekdayschedule"][3][5] = 287;
    CHECK(import_urdb(item.dump()).schedule.zones.size() == 288);
}

TEST_CASE("bills add up per group, individual and building meters apart") {
    meter flat, house;
    flat.serial = "f";
    house.serial = "b";
    house.role = meter_role::building;
    const fleet f = one_point_fleet({flat, house});
    const std::vector<rate> rates{{"total", date::year{2020} / 1 / 1, dec("4.90")}};
    const tariff_calendar single(single_rate_schedule());
    const std::vector<meter_cost> bills{
        cost(make_series({{"2020-08-01T00:00:00Z", "0"}, {"2020-09-01T00:00:00Z", "100"}}, "f"), zone::utc(),
             single, rates, {}, opts(period_kind::month)),
        cost(make_series({{"2020-08-01T00:00:00Z", "0"}, {"2020-09-01T00:00:00Z", "1000"}}, "b"), zone::utc(),
             single, rates, {}, opts(period_kind::month))};
    const auto per_org = aggregate_cost(f, bills, group_level::organization);
    REQUIRE(per_org.size() == 2);
    CHECK(per_org[0].role == meter_role::individual);
    CHECK(to_string(per_org[0].total) == "490.00");
    CHECK(per_org[1].role == meter_role::building);
    CHECK(to_string(per_org[1].total) == "4900.00");
}
