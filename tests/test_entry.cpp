// Manual entry (001 §3.3.4) and messages: expected readings and verdicts worked out by hand, the seed's
// wording exact; the message catalogue in both languages.
#include <catch2/catch.hpp>

#include "kvant/algorithms/manual_entry.hpp"
#include "kvant/model/json.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {
const zone msk = zone::fixed(180);

meter water(const char* serial) {
    meter m;
    m.serial = serial;
    m.measures = resource::cold_water;
    return m;
}
meter power(const char* serial, std::optional<int> digits = std::nullopt) {
    meter m;
    m.serial = serial;
    m.measures = resource::electricity;
    m.register_digits = digits;
    return m;
}
reading entry(const meter& m, const char* when,
              std::initializer_list<std::pair<register_id, const char*>> values) {
    reading r;
    r.meter = m.serial;
    r.time = at(when);
    r.source = reading_source::manual;
    for (const auto& [t, v] : values) r.set(channel::main(m.measures, t), decimal::parse(v));
    return r;
}
// 98990006 (cold water): 343.2480 on 22.07, 352.2480 on 21.08 09:05: 9.0000 m³ in 30 days, 0.3000 a day
meter_series water_history() {
    return totals("98990006",
                  {{"2020-07-22T09:05:00+03:00", "343.2480"}, {"2020-08-21T09:05:00+03:00", "352.2480"}},
                  channel::main(resource::cold_water));
}
entry_verdict check(const meter& m, const meter_series& s, const reading& r,
                    entry_confirmation c = entry_confirmation::none, int tariffs = 0) {
    return check_entry(m, s, register_params_of(m, nullptr), tariffs, msk, r, c);
}
std::string ru(const entry_verdict& v, std::size_t i = 0) {
    return render(v.findings.at(i).text, language::ru);
}
}  // namespace

TEST_CASE("manual entry: the expected reading per register, last reading plus the daily average") {
    // 98970001 of Figure 22, four tariffs: total 4000.00 → 4030.00 over 30 days (1.00 a day), T1 and T2
    // 3000.00 → 3015.00 and 1000.00 → 1015.00 (0.50 a day each); 13 days after the last reading the total
    // is expected at 4043.00, the figure's «Предполагаемое: 4043.00»
    const meter m = power("98970001");
    meter_series s("98970001");
    const channel total = channel::main(resource::electricity);
    const auto t0 = to_unix(at("2020-07-09T09:05:00+03:00")), t1 = to_unix(at("2020-08-08T09:05:00+03:00"));
    s.push(total, t0, decimal::parse("4000").raw());
    s.push(total, t1, decimal::parse("4030").raw());
    s.push(total.with_tariff(register_id::t1), t0, decimal::parse("3000").raw());
    s.push(total.with_tariff(register_id::t1), t1, decimal::parse("3015").raw());
    s.push(total.with_tariff(register_id::t2), t0, decimal::parse("1000").raw());
    s.push(total.with_tariff(register_id::t2), t1, decimal::parse("1015").raw());
    const auto e = expected_readings(s, register_params_of(m, nullptr), 4, at("2020-08-21T09:05:00+03:00"));
    REQUIRE(e.size() == 3);  // T3, T4 have no readings: no expectation
    CHECK(e[0].ch == total);
    CHECK(to_fixed(e[0].value, 2) == "4043.00");
    CHECK(e[0].last_value == decimal::parse("4030"));
    CHECK(e[0].last_time == at("2020-08-08T09:05:00+03:00"));
    CHECK(e[0].daily == decimal::parse("1"));
    CHECK(e[1].ch.tariff == register_id::t1);
    CHECK(e[1].value == decimal::parse("3021.5"));
    CHECK(e[1].daily == decimal::parse("0.5"));
    CHECK(e[2].value == decimal::parse("1021.5"));
    // no history: nothing expected
    CHECK(expected_readings(meter_series("x"), register_params_of(m, nullptr), 4, at("2020-08-21T09:05:00Z"))
              .empty());
}

TEST_CASE("manual entry: lower than the last reading is refused in the seed's words") {
    const meter m = water("98990006");
    const auto v =
        check(m, water_history(), entry(m, "2020-08-22T09:05:00+03:00", {{register_id::total, "352.24"}}));
    CHECK(v.outcome == entry_outcome::refused);
    CHECK_FALSE(v.stored());
    REQUIRE(v.findings.size() == 1);
    CHECK(v.findings[0].check == entry_check::lower);
    CHECK(ru(v) == "Прибор учета 98990006: Предыдущие показания: 352.2480, текущие показания: 352.2400");
    CHECK(render(v.findings[0].text, language::en) ==
          "Meter 98990006: previous reading 352.2480, current reading 352.2400");
    // the expected reading one day on: 352.2480 + 0.3000
    REQUIRE(v.expected.size() == 1);
    CHECK(v.expected[0].value == decimal::parse("352.548"));
    // confirmed as a meter replacement: accepted
    const auto r =
        check(m, water_history(), entry(m, "2020-08-22T09:05:00+03:00", {{register_id::total, "0.0120"}}),
              entry_confirmation::replacement);
    CHECK(r.outcome == entry_outcome::accepted);
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].check == entry_check::confirmed_replacement);
    CHECK(ru(r) ==
          "Прибор учета 98990006: Предыдущие показания: 352.2480, текущие показания: 0.0120; "
          "подтверждена замена прибора учета");
}

TEST_CASE("manual entry: a rollover is accepted only when the register's digits make it plausible") {
    // five digits: capacity 100000.00; 99990.00 → 12.00 wraps by 100000 − 99990 + 12 = 22.00 ≤ 10000.00
    const meter m = power("98970005", 5);
    const auto s =
        totals("98970005", {{"2020-08-01T00:00:00+03:00", "99900"}, {"2020-08-20T00:00:00+03:00", "99990"}},
               channel::main(resource::electricity));
    const auto ok = check(m, s, entry(m, "2020-08-21T00:00:00+03:00", {{register_id::total, "12"}}),
                          entry_confirmation::rollover);
    CHECK(ok.outcome == entry_outcome::accepted);
    REQUIRE(ok.findings.size() == 1);
    CHECK(ok.findings[0].check == entry_check::confirmed_rollover);
    CHECK(ru(ok) == "Прибор учета 98970005: переход счётчика через ноль: 99990.00 → 12.00, расход 22.00");
    // 99990.00 → 50000.00 would be 100000 − 99990 + 50000 = 50010.00: more than a tenth of the capacity, no
    // rollover
    const auto bad = check(m, s, entry(m, "2020-08-21T00:00:00+03:00", {{register_id::total, "50000"}}),
                           entry_confirmation::rollover);
    CHECK(bad.outcome == entry_outcome::refused);
    CHECK(bad.findings[0].check == entry_check::rollover_implausible);
    CHECK(ru(bad) ==
          "Прибор учета 98970005: переход через ноль невозможен: 99990.00 → 50000.00 при 5 разрядах, "
          "расход 50010.00 больше допустимого 10000.00");
    // without the register's digits a rollover cannot be checked: refused
    const meter nodigits = power("98970005");
    const auto unknown =
        check(nodigits, s, entry(nodigits, "2020-08-21T00:00:00+03:00", {{register_id::total, "12"}}),
              entry_confirmation::rollover);
    CHECK(unknown.outcome == entry_outcome::refused);
    CHECK(unknown.findings[0].check == entry_check::rollover_no_digits);
}

TEST_CASE("manual entry: implausibly high is a warning above 5 × the expected consumption") {
    const meter m = water("98990006");
    // one day after the last reading: 0.3000 expected, the limit 1.5000
    const auto at_limit =
        check(m, water_history(), entry(m, "2020-08-22T09:05:00+03:00", {{register_id::total, "353.748"}}));
    CHECK(at_limit.outcome == entry_outcome::accepted);
    CHECK(at_limit.findings[0].check == entry_check::accepted);
    CHECK(ru(at_limit) == "Прибор учета 98990006: показания 353.7480 приняты");
    const auto over =
        check(m, water_history(), entry(m, "2020-08-22T09:05:00+03:00", {{register_id::total, "353.749"}}));
    CHECK(over.outcome == entry_outcome::warning);
    CHECK(over.stored());
    CHECK(over.findings[0].check == entry_check::implausibly_high);
    CHECK(ru(over) ==
          "Прибор учета 98990006: показание 353.7490 неправдоподобно велико: расход 1.5010 при "
          "ожидаемом 0.3000 за 1.00 дн.");
    // half a day after: still a full day's expectation (0.3000), so 1.5000 more is no warning
    CHECK(check(m, water_history(), entry(m, "2020-08-21T21:05:00+03:00", {{register_id::total, "353.748"}}))
              .outcome == entry_outcome::accepted);
    // ten days after: 3.0000 expected, the limit 15.0000
    CHECK(check(m, water_history(), entry(m, "2020-08-31T09:05:00+03:00", {{register_id::total, "367.248"}}))
              .outcome == entry_outcome::accepted);
    CHECK(check(m, water_history(), entry(m, "2020-08-31T09:05:00+03:00", {{register_id::total, "367.249"}}))
              .outcome == entry_outcome::warning);
}

TEST_CASE("manual entry: time, tariff sum, missing total and no history, each a named verdict") {
    const meter m = water("98990006");
    const auto before =
        check(m, water_history(), entry(m, "2020-08-20T09:05:00+03:00", {{register_id::total, "353"}}));
    CHECK(before.outcome == entry_outcome::refused);
    CHECK(before.findings[0].check == entry_check::before_last);
    CHECK(ru(before) ==
          "Прибор учета 98990006: время показания 20.08.2020 09:05 раньше последнего показания 21.08.2020 "
          "09:05");
    const auto same =
        check(m, water_history(), entry(m, "2020-08-21T09:05:00+03:00", {{register_id::total, "353"}}));
    CHECK(same.findings[0].check == entry_check::same_time);
    CHECK(ru(same) == "Прибор учета 98990006: показание на 21.08.2020 09:05 уже есть");
    const auto none = check(m, water_history(), entry(m, "2020-08-22T09:05:00+03:00", {}));
    CHECK(none.outcome == entry_outcome::refused);
    CHECK(none.findings[0].check == entry_check::missing_total);
    // two tariffs: 60.00 + 39.00 = 99.00 is not the total 100.00
    const meter e = power("98970001");
    const auto sum =
        check(e, meter_series("98970001"),
              entry(e, "2020-08-22T09:05:00+03:00",
                    {{register_id::total, "100"}, {register_id::t1, "60"}, {register_id::t2, "39"}}),
              entry_confirmation::none, 2);
    CHECK(sum.outcome == entry_outcome::refused);
    CHECK(sum.findings[0].check == entry_check::tariff_sum);
    CHECK(ru(sum) == "Прибор учета 98970001: сумма тарифов 99.00 не равна общему показанию 100.00");
    const auto fresh =
        check(e, meter_series("98970001"),
              entry(e, "2020-08-22T09:05:00+03:00",
                    {{register_id::total, "100"}, {register_id::t1, "60"}, {register_id::t2, "40"}}),
              entry_confirmation::none, 2);
    CHECK(fresh.outcome == entry_outcome::accepted);
    CHECK(fresh.findings[0].check == entry_check::no_history);
    CHECK(fresh.expected.empty());
    // removed from service (снят с учёта) on 21.08.2020: the final reading that day is checked as any other;
    // from the next local day on, a reading is refused (it was accepted without a word)
    meter gone = water("98990006");
    gone.removed = parse_date("2020-08-21");
    const auto final_day = check(gone, water_history(),
                                 entry(gone, "2020-08-21T23:59:00+03:00", {{register_id::total, "352.5"}}));
    CHECK(final_day.outcome == entry_outcome::accepted);
    const auto after = check(gone, water_history(),
                             entry(gone, "2020-08-22T00:00:00+03:00", {{register_id::total, "352.5"}}));
    CHECK(after.outcome == entry_outcome::refused);
    REQUIRE(after.findings.size() == 1);
    CHECK(after.findings[0].check == entry_check::after_removal);
    CHECK(ru(after) ==
          "Прибор учета 98990006 снят с учёта 21.08.2020: показание на 22.08.2020 00:00 не принимается");
    CHECK(render(after.findings[0].text, language::en) ==
          "Meter 98990006 was removed from service on 21.08.2020: a reading at 22.08.2020 00:00 is not "
          "accepted");
    // the enums read back from their names
    CHECK(parse_entry_confirmation("rollover") == entry_confirmation::rollover);
    CHECK(parse_entry_check("implausibly_high") == entry_check::implausibly_high);
    CHECK(parse_entry_outcome("warning") == entry_outcome::warning);
    CHECK_THROWS_WITH(parse_entry_confirmation("swap"), Catch::Contains("unknown entry confirmation 'swap'"));
}

TEST_CASE("messages: rendered per language from the catalogue, optional parts and lists") {
    message m{message_code::no_link, {{"meter", "98970005"}, {"days", "10"}, {"last", "26.06.2020 11:58"}}};
    CHECK(render(m, language::ru) ==
          "Прибор учета не на связи более 10 дн. Последний сеанс связи был 26.06.2020 11:58");
    CHECK(render(m, language::en) ==
          "Meter 98970005 has had no link for more than 10 days. Last session 26.06.2020 11:58");
    // an optional part shows only with its parameter
    message d{message_code::reading_decrease, {{"meter", "1"}, {"previous", "5.00"}, {"current", "4.00"}}};
    CHECK(render(d, language::ru) == "Прибор учета 1: Предыдущие показания: 5.00, текущие показания: 4.00");
    d.set("tariff", "2");
    CHECK(render(d, language::ru) ==
          "Прибор учета 1: Предыдущие показания: 5.00, текущие показания: 4.00 (тариф 2)");
    message dup{message_code::duplicate_reading,
                {{"meter", "s"},
                 {"time", "T"},
                 {"channel.0", "total"},
                 {"a.0", "1"},
                 {"b.0", "2"},
                 {"channel.1", "t1"},
                 {"a.1", "3"},
                 {"b.1", "4"}}};
    CHECK(render(dup, language::ru) == "Прибор учета s: два разных показания на T: total 1 и 2, t1 3 и 4");
    CHECK(render(dup, language::en) == "Meter s: two different readings at T: total 1 and 2, t1 3 and 4");
    CHECK(parse_language("en") == language::en);
    CHECK(parse_message_code("no_link") == message_code::no_link);
}

TEST_CASE(
    "messages: an anomaly stored by schema 3 (two strings) still reads back, the new form round-trips") {
    const auto legacy = nlohmann::json::parse(R"({"key":"k","type":"no_link","meter":"98970005",
        "from":"2020-06-26T08:58:00Z","to":"2020-07-06T09:00:00Z",
        "message_ru":"Прибор учета не на связи более 10 дн. Последний сеанс связи был 26.06.2020 11:58",
        "message_en":"Meter 98970005 has had no link for more than 10 days. Last session 26.06.2020 11:58"})");
    const auto a = legacy.get<anomaly>();
    CHECK(a.text.code == message_code::legacy_text);
    CHECK(a.render(language::ru) ==
          "Прибор учета не на связи более 10 дн. Последний сеанс связи был 26.06.2020 11:58");
    CHECK(a.render(language::en) ==
          "Meter 98970005 has had no link for more than 10 days. Last session 26.06.2020 11:58");
    anomaly b = a;
    b.text =
        message{message_code::no_link, {{"meter", "98970005"}, {"days", "10"}, {"last", "26.06.2020 11:58"}}};
    const nlohmann::json j = b;
    CHECK(j.at("message").at("code") == "no_link");
    CHECK_FALSE(j.contains("message_ru"));
    CHECK(j.get<anomaly>() == b);
    auto broken = j;
    broken["message"]["code"] = "nonsense";
    CHECK_THROWS_WITH(broken.get<anomaly>(), Catch::Contains("unknown message code 'nonsense'"));
}
