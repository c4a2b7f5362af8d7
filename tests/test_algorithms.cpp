// The consumption engine and monitoring algorithms, against values worked out by hand. Each case says how.
#include <catch2/catch.hpp>

#include <thread>
#include "support.hpp"

#include "kvant/algorithms/aggregate.hpp"
#include "kvant/algorithms/collection.hpp"
#include "kvant/algorithms/consumption.hpp"
#include "kvant/algorithms/link_status.hpp"
#include "kvant/algorithms/register_value.hpp"

using namespace kvant;
using namespace kvant::test;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

std::vector<std::string> values(const meter_consumption& mc, register_id r = register_id::total) {
    std::vector<std::string> out;
    for (auto v : mc.find(r)->value) out.push_back(to_string(decimal::from_raw(v)));
    return out;
}
std::vector<int> complete(const meter_consumption& mc, register_id r = register_id::total) {
    return {mc.find(r)->complete.begin(), mc.find(r)->complete.end()};
}
consumption_options opts(period_spec p) {
    consumption_options o;
    o.periods = p;
    return o;
}
const consumption_options by_day = opts({period_kind::day});
const consumption_options by_month = opts({period_kind::month});
}  // namespace

TEST_CASE("a delta is spread uniformly across a month boundary, in the meter's local time") {
    const auto s = totals("m", {{"2020-07-31T12:00:00Z", "100"}, {"2020-08-01T12:00:00Z", "124"}});
    // UTC: 12 of the 24 hours fall in July -> 24 * 12/24 = 12 each side
    auto mc = consumption(s, zone::utc(), {}, by_month);
    REQUIRE(mc.periods.size() == 2);
    CHECK(values(mc) == std::vector<std::string>{"12", "12"});
    CHECK(complete(mc) == std::vector<int>{0, 0});  // no reading brackets either month
    // Moscow (+03:00): August starts at 07-31T21:00Z, so July gets 9 hours -> 9, August 15
    mc = consumption(s, zone::parse("Europe/Moscow"), {}, by_month);
    CHECK(values(mc) == std::vector<std::string>{"9", "15"});
    CHECK(mc.periods[1].start_date == date::year{2020} / 8 / 1);
}

TEST_CASE("the parts of a delta are rounded so that they add up exactly") {
    // 10 over three whole days: exact thirds are 3.333333..; cumulative rounding gives
    // round(10/3) = 3.333333, round(20/3) - 3.333333 = 6.666667 - 3.333333 = 3.333334, 10 - 6.666667
    // = 3.333333
    const auto s = totals("m", {{"2020-01-01T00:00:00Z", "0"}, {"2020-01-04T00:00:00Z", "10"}});
    const auto mc = consumption(s, zone::utc(), {}, by_day);
    CHECK(values(mc) == std::vector<std::string>{"3.333333", "3.333334", "3.333333"});
    CHECK(complete(mc) == std::vector<int>{1, 1, 1});
}

TEST_CASE("local days of 23 and 25 hours receive 23 and 25 hours' share") {
    const zone berlin = zone::parse("Europe/Berlin");
    // from local 28.03.2021 00:00 (CET, 23:00Z) to 30.03.2021 00:00 (CEST, 22:00Z): 47 hours, 47 kWh
    auto mc = consumption(totals("m", {{"2021-03-27T23:00:00Z", "0"}, {"2021-03-29T22:00:00Z", "47"}}),
                          berlin, {}, by_day);
    CHECK(values(mc) == std::vector<std::string>{"23", "24"});
    CHECK(complete(mc) == std::vector<int>{1, 1});
    // from local 31.10.2021 00:00 (CEST, 22:00Z) to 02.11.2021 00:00 (CET, 23:00Z): 49 hours
    mc = consumption(totals("m", {{"2021-10-30T22:00:00Z", "0"}, {"2021-11-01T23:00:00Z", "49"}}), berlin, {},
                     by_day);
    CHECK(values(mc) == std::vector<std::string>{"25", "24"});
}

TEST_CASE("a register that rolls over counts the wrapped delta, a decrease counts nothing and is reported") {
    const auto s = totals(
        "m",
        {{"2020-06-01T00:00:00Z", "99990"}, {"2020-06-02T00:00:00Z", "5"}, {"2020-06-03T00:00:00Z", "7.5"}});
    register_params five;
    five.register_digits = 5;
    // 100000 - 99990 + 5 = 15, then 2.5
    auto mc = consumption(s, zone::utc(), five, by_day);
    CHECK(values(mc) == std::vector<std::string>{"15", "2.5"});
    REQUIRE(mc.notes.size() == 1);
    CHECK(mc.notes[0].status == step_status::rollover);
    CHECK(mc.notes[0].counted == raw("15"));
    // the same data with unknown digits: a decrease, not counted
    mc = consumption(s, zone::utc(), {}, by_day);
    CHECK(values(mc) == std::vector<std::string>{"0", "2.5"});
    REQUIRE(mc.notes.size() == 1);
    CHECK(mc.notes[0].status == step_status::decrease);
    CHECK(mc.notes[0].counted == 0);
    // 001 §3.4.4: 352.2480 -> 352.2400 on a 5-digit register: the wrap would be 99999.992, no rollover
    const auto seed = totals("98990006", {{"2020-08-19T06:05:00Z", "352.2450"},
                                          {"2020-08-20T06:05:00Z", "352.2480"},
                                          {"2020-08-21T06:05:00Z", "352.2400"},
                                          {"2020-08-22T06:05:00Z", "352.3000"}});
    mc = consumption(seed, zone::utc(), five, by_day);
    // days 19..22 (the last reading at 06:05 opens the 22nd): 18/24 of 0.003, then 6/24 of it + 0, 0 + 18/24
    // of 0.06 ...
    REQUIRE(mc.notes.size() == 1);
    CHECK(mc.notes[0].status == step_status::decrease);
    CHECK(decimal::from_raw(mc.notes[0].v0) == dec("352.248"));
    CHECK(decimal::from_raw(mc.notes[0].v1) == dec("352.24"));
    std::int64_t sum = 0;
    for (auto v : mc.find(register_id::total)->value) sum += v;
    CHECK(sum == raw("0.003") + raw("0.06"));  // the decrease is dropped; what follows counts from 352.24
}

TEST_CASE("the daily delta of one local day, the 25-hour one included") {
    // one unit an hour from 30.10 22:00Z (31.10 00:00 CEST) to 02.11 23:00Z: 31.10 has 25 hours in Berlin
    const auto s = totals("m", {{"2021-10-30T22:00:00Z", "0"}, {"2021-11-02T23:00:00Z", "73"}});
    const zone berlin = zone::parse("Europe/Berlin");
    const auto d = daily_delta(s, berlin, date::year{2021} / 10 / 31, {});
    REQUIRE(d.periods.size() == 1);
    CHECK(values(d) == std::vector<std::string>{"25"});
    CHECK(complete(d) == std::vector<int>{1});
    CHECK(values(daily_delta(s, berlin, date::year{2021} / 11 / 1, {})) == std::vector<std::string>{"24"});
    CHECK(
        daily_delta(s, berlin, date::year{2021} / 11 / 5, {}).periods.empty());  // no readings reach that day
}

TEST_CASE("a gap of several days is bridged: its delta is spread over it") {
    const auto s = totals(
        "m", {{"2020-03-01T00:00:00Z", "0"}, {"2020-03-02T00:00:00Z", "3"}, {"2020-03-06T00:00:00Z", "43"}});
    const auto mc = consumption(s, zone::utc(), {}, by_day);
    CHECK(values(mc) == std::vector<std::string>{"3", "10", "10", "10", "10"});
    CHECK(complete(mc) == std::vector<int>{1, 1, 1, 1, 1});
}

TEST_CASE("the transformer ratio multiplies consumption, not readings") {
    const auto s = totals("m", {{"2020-06-01T00:00:00Z", "100"}, {"2020-06-02T00:00:00Z", "102.5"}});
    register_params p;
    p.transformer_ratio = dec("20");
    CHECK(values(consumption(s, zone::utc(), p, by_day)) == std::vector<std::string>{"50"});
    p.transformer_ratio = dec("0.5");  // a fractional ratio: 1.25 exactly
    CHECK(values(consumption(s, zone::utc(), p, by_day)) == std::vector<std::string>{"1.25"});
}

TEST_CASE("billing periods start on the organisation's day") {
    // one unit a day from 20.07 to 30.08 (UTC), billing from the 25th:
    // [25.06, 25.07) gets 5 (20..25 July), [25.07, 25.08) 31, [25.08, 25.09) 5 (25..30 August)
    meter_series s("m");
    for (int d = 0; d <= 41; ++d) {
        std::array<std::int64_t, register_count> v;
        v.fill(decimal::missing_raw);
        v[0] = decimal::from_integer(d).raw();
        s.push(to_unix(at("2020-07-20T00:00:00Z")) + d * 86400, v);
    }
    const auto mc = consumption(s, zone::utc(), {}, opts({period_kind::billing, 25}));
    REQUIRE(mc.periods.size() == 3);
    CHECK(mc.periods[0].start_date == date::year{2020} / 6 / 25);
    CHECK(values(mc) == std::vector<std::string>{"5", "31", "5"});
    CHECK(complete(mc) == std::vector<int>{0, 1, 0});
}

TEST_CASE("tariff registers are spread each from its own register") {
    meter_series s("9000106");
    s.push(to_unix(at("2020-07-01T00:00:00Z")),
           {raw("100"), raw("70"), raw("30"), decimal::missing_raw, decimal::missing_raw});
    s.push(to_unix(at("2020-07-02T00:00:00Z")),
           {raw("110"), raw("77"), decimal::missing_raw, decimal::missing_raw, decimal::missing_raw});
    s.push(to_unix(at("2020-07-03T00:00:00Z")),
           {raw("120"), raw("84"), raw("36"), decimal::missing_raw, decimal::missing_raw});
    const auto mc = consumption(s, zone::utc(), {}, by_day);
    REQUIRE(mc.registers.size() == 3);
    CHECK(values(mc, register_id::total) == std::vector<std::string>{"10", "10"});
    CHECK(values(mc, register_id::t1) == std::vector<std::string>{"7", "7"});
    CHECK(values(mc, register_id::t2) ==
          std::vector<std::string>{"3", "3"});  // its missing middle reading is bridged
    CHECK_FALSE(mc.find(register_id::t3));
}

TEST_CASE("conservation: the periods of a meter add up exactly to its total delta") {
    // irregular times across both DST changes of 2021 in Berlin, odd values; days, months, billing periods
    meter_series s("m");
    std::int64_t t = to_unix(at("2021-01-01T00:00:00Z")), v = 0;
    std::uint64_t x = 12345;
    while (t < to_unix(at("2021-12-31T00:00:00Z"))) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        std::array<std::int64_t, register_count> vals;
        vals.fill(decimal::missing_raw);
        vals[0] = v;
        s.push(t, vals);
        t += 600 + static_cast<std::int64_t>((x >> 33) % 200000);  // 10 minutes to ~2.3 days
        v += static_cast<std::int64_t>((x >> 17) % 9'999'999);     // up to ~10 units, any millionth
    }
    const auto times = s.view(channel{}).time;
    const std::int64_t total = s.view(channel{}).value.back() - s.view(channel{}).value.front();
    for (const period_spec p : {period_spec{period_kind::day}, period_spec{period_kind::month},
                                period_spec{period_kind::billing, 31}, period_spec{period_kind::year}}) {
        register_params ratio;
        ratio.transformer_ratio = dec("3");
        const auto mc = consumption(s, zone::parse("Europe/Berlin"), ratio, opts(p));
        std::int64_t sum = 0;
        for (auto val : mc.find(register_id::total)->value) sum += val;
        CHECK(sum == 3 * total);
        CHECK(mc.periods.front().begin <= from_unix(times.front()));
        CHECK(mc.periods.back().end >= from_unix(times.back()));
    }
}

TEST_CASE("a meter replaced mid-month leaves its metering point's month complete") {
    meter old_m, new_m;
    old_m.serial = "9000100";
    old_m.removed = parse_date("2020-09-15");
    new_m.serial = "9000106";
    new_m.installed = parse_date("2020-09-15");
    const fleet f = one_point_fleet({old_m, new_m});
    const auto old_s =
        totals("9000100", {{"2020-09-01T00:00:00Z", "1000"}, {"2020-09-15T10:00:00Z", "1015"}});
    const auto new_s = totals("9000106", {{"2020-09-15T11:00:00Z", "0"}, {"2020-10-01T00:00:00Z", "16"}});
    const std::vector<meter_consumption> per_meter{consumption(old_s, zone::utc(), {}, by_month),
                                                   consumption(new_s, zone::utc(), {}, by_month)};
    CHECK(complete(per_meter[0]) == std::vector<int>{0});  // each meter alone covers part of September
    CHECK(complete(per_meter[1]) == std::vector<int>{0});
    for (const auto level :
         {group_level::point, group_level::account, group_level::abonent, group_level::organization}) {
        const auto rows = aggregate(f, per_meter, level);
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].period_start == date::year{2020} / 9 / 1);
        CHECK(decimal::from_raw(rows[0].value) == dec("31"));  // 15 on the old meter + 16 on the new one
        CHECK(rows[0].complete);
        CHECK(rows[0].meters == 2);
    }
    CHECK(aggregate(f, per_meter, group_level::meter).size() == 2);
}

TEST_CASE("a meter of another resource on the same point does not complete a month") {
    meter e, w;
    e.serial = "e";
    w.serial = "w";
    w.measures = resource::cold_water;
    const fleet f = one_point_fleet({e, w});
    // the electricity meter falls silent on 26.06; the water meter goes on
    const std::vector<meter_consumption> per_meter{
        consumption(totals("e", {{"2020-06-01T00:00:00Z", "0"}, {"2020-06-26T08:58:00Z", "100"}}),
                    zone::utc(), {}, by_month),
        consumption(totals("w", {{"2020-06-01T00:00:00Z", "0"}, {"2020-07-01T00:00:00Z", "3"}}), zone::utc(),
                    {}, by_month)};
    const auto rows = aggregate(f, per_meter, group_level::account);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].measures == resource::electricity);
    CHECK_FALSE(rows[0].complete);
    CHECK(rows[1].measures == resource::cold_water);
    CHECK(rows[1].complete);
}

TEST_CASE("individual and building meters are summed apart, per tariff, as 001 Figure 14") {
    organization o;
    o.id = "org";
    o.name = "ДНТ";
    account flat, house;
    flat.number = "A1";
    flat.abonent = "ab";
    house.number = "A2";
    house.abonent = "ab";
    meter two_t, one_t, balance;
    two_t.serial = "e2";
    two_t.point = "p1";
    one_t.serial = "e1";
    one_t.point = "p2";
    balance.serial = "b";
    balance.point = "p3";
    balance.role = meter_role::building;
    const fleet f({o}, {abonent{"ab", "org", abonent_kind::person, "X", "", "", std::nullopt}}, {flat, house},
                  {metering_point{"p1", "A1", "", "", "", ""}, metering_point{"p2", "A2", "", "", "", ""},
                   metering_point{"p3", "A2", "", "", "", ""}},
                  {}, {two_t, one_t, balance});
    meter_series s2("e2");
    s2.push(to_unix(at("2020-08-01T00:00:00Z")),
            {raw("0"), raw("0"), raw("0"), decimal::missing_raw, decimal::missing_raw});
    s2.push(to_unix(at("2020-09-01T00:00:00Z")),
            {raw("221.23"), raw("172.48"), raw("48.75"), decimal::missing_raw, decimal::missing_raw});
    const std::vector<meter_consumption> per_meter{
        consumption(s2, zone::utc(), {}, by_month),
        consumption(totals("e1", {{"2020-08-01T00:00:00Z", "10"}, {"2020-09-01T00:00:00Z", "116"}}),
                    zone::utc(), {}, by_month),
        consumption(totals("b", {{"2020-08-01T00:00:00Z", "0"}, {"2020-09-01T00:00:00Z", "2287"}}),
                    zone::utc(), {}, by_month)};
    const auto rows = aggregate(f, per_meter, group_level::organization);
    REQUIRE(rows.size() == 4);
    // individual: total 221.23 + 106 = 327.23; T1 172.48 and T2 48.75 from the two-tariff meter only
    CHECK(rows[0].role == meter_role::individual);
    CHECK(rows[0].ch == channel{});
    CHECK(decimal::from_raw(rows[0].value) == dec("327.23"));
    CHECK(rows[0].meters == 2);
    CHECK(decimal::from_raw(rows[1].value) == dec("172.48"));
    CHECK(decimal::from_raw(rows[2].value) == dec("48.75"));
    CHECK(rows[3].role == meter_role::building);
    CHECK(decimal::from_raw(rows[3].value) == dec("2287"));
    CHECK(rows[3].complete);
}

TEST_CASE("link status buckets, edges inclusive (001 §3.3.2.3)") {
    const instant now = at("2020-08-21T09:05:00Z");
    CHECK(link_status(now - minutes{30}, now) == link_bucket::within_30min);
    CHECK(link_status(now - minutes{30} - seconds{1}, now) == link_bucket::within_2h);
    CHECK(link_status(now - hours{2}, now) == link_bucket::within_2h);
    CHECK(link_status(now - hours{2} - seconds{1}, now) == link_bucket::within_1d);
    CHECK(link_status(now - hours{24}, now) == link_bucket::within_1d);
    CHECK(link_status(now - hours{24} - seconds{1}, now) == link_bucket::within_2d);
    CHECK(link_status(now - hours{48}, now) == link_bucket::within_2d);
    CHECK(link_status(now - hours{48} - seconds{1}, now) == link_bucket::within_1w);
    CHECK(link_status(now - hours{24 * 7}, now) == link_bucket::within_1w);
    CHECK(link_status(now - hours{24 * 7} - seconds{1}, now) == link_bucket::within_2w);
    CHECK(link_status(now - hours{24 * 14}, now) == link_bucket::within_2w);
    CHECK(link_status(now - hours{24 * 14} - seconds{1}, now) == link_bucket::no_link);
    CHECK(link_status(std::nullopt, now) == link_bucket::no_link);
    CHECK(link_status(now + minutes{5}, now) == link_bucket::within_30min);
    CHECK(link_status(now, now, true) == link_bucket::disconnected);
    std::vector<meter> ms(3);
    ms[0].latitude = dec("47.2");
    ms[0].longitude = dec("39.7");
    ms[1].latitude = dec("47.2");
    CHECK(count_without_coordinates(ms) == 2);
}

TEST_CASE("data collection rate: meters under control with a reading for the start of today (004 §3.1)") {
    const zone msk = zone::parse("Europe/Moscow");
    const instant now = at("2020-08-21T09:05:00+03:00");
    meter a, b, c, removed, future;
    a.serial = "a";  // the daily snapshot at local midnight: 2020-08-20T21:00Z
    b.serial = "b";  // a reading this morning
    c.serial = "c";  // last seen yesterday at 23:59 local
    removed.serial = "r";
    removed.removed = parse_date("2020-08-01");
    future.serial = "f";
    future.installed = parse_date("2020-08-22");
    const std::vector<std::int64_t> ta{to_unix(at("2020-08-20T21:00:00Z"))},
        tb{to_unix(at("2020-08-21T09:00:00+03:00"))}, tc{to_unix(at("2020-08-20T23:59:00+03:00"))};
    const std::vector<collection_input> in{
        {&a, msk, ta}, {&b, msk, tb}, {&c, msk, tc}, {&removed, msk, ta}, {&future, msk, ta}};
    auto r = collection_rate(in, now);
    CHECK(r.under_control == 3);
    CHECK(r.collected == 2);
    CHECK(r.share == dec("0.666667"));  // 2/3 rounded to six places
    CHECK(r.missing == std::vector<std::string>{"c"});
    collection_policy lenient;
    lenient.tolerance_before = minutes{5};
    CHECK(collection_rate(in, now, lenient).collected == 3);
    CHECK(collection_rate({}, now).share == dec("0"));
}

TEST_CASE("the register between readings, and the expected reading for manual entry (001 §3.3.4)") {
    const auto s = totals("m", {{"2020-08-01T00:00:00Z", "100"}, {"2020-08-11T00:00:00Z", "120"}});
    const auto rs = s.view(channel{});
    CHECK(value_at(rs, to_unix(at("2020-08-06T00:00:00Z"))) == raw("110"));
    CHECK(value_at(rs, to_unix(at("2020-08-01T00:00:00Z"))) == raw("100"));
    CHECK_FALSE(value_at(rs, to_unix(at("2020-08-12T00:00:00Z"))));
    // 2 a day over the window; 2.5 days after the last reading -> 120 + 5
    CHECK(expected_reading(rs, to_unix(at("2020-08-13T12:00:00Z")), {}) == raw("125"));
    // at the time of the last reading (the seed shows "Предполагаемое: 87678.00" beside the 87678.00 read
    // then)
    CHECK(expected_reading(rs, to_unix(at("2020-08-11T00:00:00Z")), {}) == raw("120"));
    // a 7-day window sees only the last reading: no average, the expectation is the last value
    expectation_policy week;
    week.history = hours{24 * 7};
    CHECK(expected_reading(rs, to_unix(at("2020-08-13T12:00:00Z")), {}, week) == raw("120"));
    // a 3-digit register wraps: 998 + 2 a day * 2 days = 1002 -> 2
    register_params three;
    three.register_digits = 3;
    const auto w = totals("w", {{"2020-08-01T00:00:00Z", "978"}, {"2020-08-11T00:00:00Z", "998"}});
    CHECK(expected_reading(w.view(channel{}), to_unix(at("2020-08-13T00:00:00Z")), three) == raw("2"));
}

TEST_CASE("series from a table: grouped rows are shared, others sorted, absent channels have no series") {
    auto t = std::make_shared<reading_table>();
    reading r;
    r.meter = "b";
    for (const char* ts : {"2020-08-01T00:00:00Z", "2020-08-02T00:00:00Z"}) {
        r.time = at(ts);
        r.set(channel{}.with_tariff(register_id::total), dec("1"));
        t->push(r);
    }
    r.meter = "a";
    r.time = at("2020-08-01T00:00:00Z");
    t->push(r);
    auto grouped = meter_series::from_table(std::shared_ptr<const reading_table>(t));
    REQUIRE(grouped.size() == 2);
    CHECK(grouped[0].serial() == "b");
    CHECK(grouped[0].view(channel{}).time.data() == t->times().data());  // no copy
    CHECK(grouped[1].size() == 1);
    CHECK(grouped[0].find(channel{}.with_tariff(register_id::t1)) == nullptr);
    CHECK_FALSE(grouped[0].has(channel{}.with_tariff(register_id::t1)));
    // a copy still shares; a push on it copies first and leaves the original alone
    meter_series copy = grouped[0];
    copy.push(to_unix(at("2020-08-03T00:00:00Z")),
              {raw("2"), raw("1"), decimal::missing_raw, decimal::missing_raw, decimal::missing_raw});
    CHECK(copy.size() == 4);  // 3 totals and one t1
    CHECK(grouped[0].size() == 2);
    CHECK(copy.view(channel{}).size() == 3);
    CHECK(copy.view(channel{}.with_tariff(register_id::t1)).size() == 1);  // only the reading that has it
    CHECK(grouped[0].view(channel{}).time.data() == t->times().data());    // the original still shares
    // out of order: sorted copies
    r.meter = "b";
    r.time = at("2020-07-31T00:00:00Z");
    t->push(r);
    const auto sorted = meter_series::from_table(static_cast<const reading_table&>(*t));
    CHECK(sorted[0].view(channel{}).time[0] == to_unix(at("2020-07-31T00:00:00Z")));
    CHECK(sorted[0].size() == 3);
}

TEST_CASE("a run of readings inside one period with a decrease in it is split exactly") {
    // hourly readings through one day, the register drops once: 0,1,2,3,2.5,3.5 -> 3 + 1 counted, 0.5 dropped
    const auto s = totals("m", {{"2020-08-01T01:00:00Z", "0"},
                                {"2020-08-01T02:00:00Z", "1"},
                                {"2020-08-01T03:00:00Z", "2"},
                                {"2020-08-01T04:00:00Z", "3"},
                                {"2020-08-01T05:00:00Z", "2.5"},
                                {"2020-08-01T06:00:00Z", "3.5"}});
    register_params p;
    p.transformer_ratio = dec("10");
    const auto mc = consumption(s, zone::utc(), p, by_day);
    CHECK(values(mc) == std::vector<std::string>{"40"});
    REQUIRE(mc.notes.size() == 1);
    CHECK(mc.notes[0].t0 == to_unix(at("2020-08-01T04:00:00Z")));
}

TEST_CASE("a series refuses two different readings at one time") {
    reading_table t;
    reading r;
    r.meter = "m";
    r.time = at("2020-08-01T00:00:00Z");
    r.set(channel{}.with_tariff(register_id::total), dec("1"));
    t.push(r);
    t.push(r);  // the same twice: kept once
    CHECK(meter_series::from_table(t)[0].size() == 1);
    r.set(channel{}.with_tariff(register_id::total), dec("2"));
    t.push(r);
    CHECK_THROWS_AS(meter_series::from_table(t), validation_error);
}

TEST_CASE("one series, many threads: the same results as one thread") {
    meter_series s("m");
    for (int i = 0; i < 5000; ++i) {
        std::array<std::int64_t, register_count> v;
        v.fill(decimal::missing_raw);
        v[0] = i * 1'000'000LL;
        if (i % 3) v[1] = i * 700'000LL;  // a register with gaps: its compacted view is built lazily
        s.push(to_unix(at("2020-01-01T00:00:00Z")) + i * 1800, v);
    }
    const meter_series shared = s;  // a copy, so that its scan cache starts empty
    const auto expected = consumption(s, zone::parse("Europe/Moscow"), {}, by_day);
    std::vector<meter_consumption> got(4);
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < got.size(); ++k)
        threads.emplace_back(
            [&, k] { got[k] = consumption(shared, zone::parse("Europe/Moscow"), {}, by_day); });
    for (auto& t : threads) t.join();
    for (const auto& g : got) {
        REQUIRE(g.registers.size() == 2);
        CHECK(g.registers[0].value == expected.registers[0].value);
        CHECK(g.registers[1].value == expected.registers[1].value);
    }
}
