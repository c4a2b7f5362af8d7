// Anomalies: the examples of the seeds reproduced exactly, and hand-worked cases for each rule.
#include <catch2/catch.hpp>

#include <filesystem>

#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/estimation.hpp"
#include "kvant/algorithms/verification.hpp"
#include "kvant/io/event_catalogue.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {
/// A one-organisation fleet in Moscow time with the given meters on one account of building "b1".
fleet moscow_fleet(std::vector<meter> meters, std::vector<meter_model> models = {}) {
    return one_point_fleet(std::move(meters), zone::parse("Europe/Moscow"), std::move(models), "A15900009360",
                           "b1");
}
std::vector<anomaly> of_type(const std::vector<anomaly>& all, anomaly_type t) {
    std::vector<anomaly> out;
    for (const auto& a : all)
        if (a.type == t) out.push_back(a);
    return out;
}
meter water(const char* serial) {
    meter m;
    m.serial = serial;
    m.measures = resource::cold_water;
    return m;
}
/// The volume register of a water meter (its main channel), from (timestamp, value) pairs.
meter_series volumes(const char* serial, std::initializer_list<std::pair<const char*, const char*>> rows) {
    return totals(serial, rows, channel::main(resource::cold_water));
}
}  // namespace

TEST_CASE("001 §3.4.4: a reading that went down, in the seed's words") {
    const fleet f = moscow_fleet({water("98990006")});
    const auto s = volumes(
        "98990006", {{"2020-08-20T09:05:00+03:00", "352.2480"}, {"2020-08-21T09:05:00+03:00", "352.2400"}});
    const anomaly_input in[] = {{f.find_meter("98990006"), &s, {}}};
    const auto found =
        of_type(detect_anomalies(f, in, at("2020-08-21T10:00:00+03:00")), anomaly_type::reading_decrease);
    REQUIRE(found.size() == 1);
    CHECK(found[0].render(language::ru) ==
          "Прибор учета 98990006: Предыдущие показания: 352.2480, текущие показания: 352.2400");
    CHECK(found[0].render(language::en) ==
          "Meter 98990006: previous reading 352.2480, current reading 352.2400");
    CHECK(found[0].account == "A15900009360");
    CHECK(found[0].from == at("2020-08-20T09:05:00+03:00"));
}

TEST_CASE("001 §3.4.4: no link for N calendar days, counted in local days") {
    const fleet f = moscow_fleet({water("1"), water("2")});
    const auto s1 = volumes("1", {{"2020-06-25T11:58:00+03:00", "1"}, {"2020-06-26T11:58:00+03:00", "2"}});
    const auto s2 = volumes("2", {{"2017-10-08T16:25:00+03:00", "1"}});
    const anomaly_input in[] = {{f.find_meter("1"), &s1, {}}, {f.find_meter("2"), &s2, {}}};
    // found at the daily run, 08:15
    auto found = of_type(detect_anomalies(f, in, at("2020-07-06T08:15:00+03:00")), anomaly_type::no_link);
    REQUIRE(found.size() == 2);
    CHECK(found[0].render(language::ru) ==
          "Прибор учета не на связи более 10 дн. Последний сеанс связи был 26.06.2020 11:58");
    CHECK(found[1].render(language::ru) ==
          "Прибор учета не на связи более 1002 дн. Последний сеанс связи был 08.10.2017 16:25");
    found = of_type(detect_anomalies(f, in, at("2020-07-05T08:15:00+03:00")), anomaly_type::no_link);
    REQUIRE(found.size() == 1);  // 26.06 -> 05.07 is 9 days: not yet
    CHECK(found[0].render(language::ru) ==
          "Прибор учета не на связи более 1001 дн. Последний сеанс связи был 08.10.2017 16:25");
    anomaly_thresholds three;
    three.no_link_days = 3;
    CHECK(of_type(detect_anomalies(f, in, at("2020-06-29T00:00:00+03:00"), three), anomaly_type::no_link)
              .size() == 2);
}

TEST_CASE("events, tariff sums, stuck registers, removal, clocks and gaps") {
    meter two = water("9000129");
    two.measures = resource::electricity;
    two.tariff_registers = 2;
    meter gone = water("r");
    gone.removed = parse_date("2020-08-01");
    const fleet f = moscow_fleet({two, water("stuck"), gone, water("clock")});
    meter_series s2("9000129");
    const auto none = decimal::missing_raw;
    s2.push(to_unix(at("2020-08-20T00:00:00Z")),
            {raw("48903.35"), raw("48880.10"), raw("49.25"), none, none});
    s2.push(to_unix(at("2020-08-21T00:00:00Z")),
            {raw("48904.35"), raw("48881.10"), raw("23.25"), none, none});
    const auto stuck = volumes("stuck", {{"2020-08-01T00:00:00Z", "5"},
                                         {"2020-08-04T00:00:00Z", "5"},
                                         {"2020-08-08T00:00:00Z", "5"},
                                         {"2020-08-09T00:00:00Z", "6"}});
    const auto after = volumes(
        "r",
        {{"2020-07-31T00:00:00Z", "10"}, {"2020-08-01T12:00:00Z", "11"}, {"2020-08-05T00:00:00Z", "15"}});
    const auto clock = volumes("clock", {{"2020-08-20T00:00:00Z", "1"}, {"2020-08-21T00:10:00Z", "2"}});
    const std::vector<meter_event> ev{
        {"9000129", at("2020-08-03T13:02:00+03:00"), 1, event_kind::tamper, 6, "cover opened"},
        {"9000129", at("2020-08-04T13:02:00+03:00"), 9, event_kind::power, {}, "power off"}};
    const anomaly_input in[] = {{f.find_meter("9000129"), &s2, ev},
                                {f.find_meter("stuck"), &stuck, {}},
                                {f.find_meter("r"), &after, {}},
                                {f.find_meter("clock"), &clock, {}}};
    const auto all = detect_anomalies(f, in, at("2020-08-21T00:00:00Z"));
    const auto tamper = of_type(all, anomaly_type::tamper);
    REQUIRE(tamper.size() == 1);  // the power event is no anomaly
    CHECK(tamper[0].level == anomaly_severity::critical);
    CHECK(tamper[0].render(language::ru) ==
          "Прибор учета 9000129: внешнее воздействие (код 1, 03.08.2020 13:02): cover opened");
    const auto sums = of_type(all, anomaly_type::tariff_sum_mismatch);
    // the first reading: 48880.10 + 49.25 = 48929.35 against 48903.35; the second adds up (48881.10 + 23.25)
    REQUIRE(sums.size() == 1);
    CHECK(sums[0].from == at("2020-08-20T00:00:00Z"));
    CHECK(sums[0].to == at("2020-08-20T00:00:00Z"));
    CHECK(sums[0].render(language::ru) ==
          "Прибор учета 9000129: сумма тарифов 48929.35 не равна общему показанию 48903.35 (1 показаний)");
    const auto st = of_type(all, anomaly_type::stuck_register);
    REQUIRE(st.size() == 1);  // 01.08 .. 08.08: 7 days unchanged
    CHECK(st[0].to == at("2020-08-08T00:00:00Z"));
    const auto rem = of_type(all, anomaly_type::consumption_after_removal);
    REQUIRE(rem.size() ==
            1);  // removed 01.08 (Moscow); 01.08 12:00Z is still that day, 05.08 is after: 11 -> 15
    CHECK(rem[0].render(language::en) ==
          "Meter r was removed on 01.08.2020 but its register grows: 11.0000 → 15.0000");
    const auto fut = of_type(all, anomaly_type::future_reading);
    REQUIRE(fut.size() == 1);  // 10 minutes ahead of now, beyond the 5-minute tolerance
    CHECK(fut[0].meter == "clock");
    const auto gaps = of_type(all, anomaly_type::gap);
    REQUIRE(gaps.size() == 2);  // stuck: 04.08 -> 08.08 (4 days); r: 01.08 12:00 -> 05.08 (3.5 days)
    CHECK(gaps[0].meter == "stuck");
    CHECK(gaps[1].meter == "r");
}

TEST_CASE("a spike against the median of the days before") {
    const fleet f = moscow_fleet({water("s")});
    meter_series s("s");
    std::int64_t v = 0;
    for (int d = 0; d <= 10; ++d) {
        std::array<std::int64_t, register_count> vals;
        vals.fill(decimal::missing_raw);
        vals[0] = v;
        s.push(to_unix(at("2020-08-01T00:00:00+03:00")) + d * 86400, vals,
               channel::main(resource::cold_water));
        v += d == 8 ? raw("6") : raw("1");  // one unit a day, six on 09.08: above 5 x the median of 1
    }
    const anomaly_input in[] = {{f.find_meter("s"), &s, {}}};
    const auto found = of_type(detect_anomalies(f, in, at("2020-08-12T00:00:00+03:00")), anomaly_type::spike);
    REQUIRE(found.size() == 1);
    CHECK(found[0].render(language::en) ==
          "Meter s: consumption on 09.08.2020 of 6.0000 against a median of 1.0000");
    anomaly_thresholds six;
    six.spike_factor = decimal::from_integer(6);  // 6 is not above 6 x 1
    CHECK(
        of_type(detect_anomalies(f, in, at("2020-08-12T00:00:00+03:00"), six), anomaly_type::spike).empty());
}

TEST_CASE("building balance: the building meter against the sum of individual meters, both ways") {
    meter b = water("odpu");
    b.role = meter_role::building;
    const fleet f = moscow_fleet({b, water("f1"), water("f2")});
    const char* jun = "2020-06-01T00:00:00+03:00";
    const char* jul = "2020-07-01T00:00:00+03:00";
    const auto f1 = volumes("f1", {{jun, "0"}, {jul, "60"}});
    const auto f2 = volumes("f2", {{jun, "0"}, {jul, "40"}});
    auto check = [&](const char* building_total) {
        const auto sb = volumes("odpu", {{jun, "0"}, {jul, building_total}});
        const anomaly_input in[] = {
            {f.find_meter("odpu"), &sb, {}}, {f.find_meter("f1"), &f1, {}}, {f.find_meter("f2"), &f2, {}}};
        return of_type(detect_anomalies(f, in, at("2020-07-02T00:00:00+03:00")),
                       anomaly_type::building_imbalance);
    };
    CHECK(check("110").empty());  // +10 %: within the tolerance
    auto over = check("120");
    REQUIRE(over.size() == 1);
    CHECK(over[0].render(language::en) ==
          "Building b1, cold_water, 2020-06: building meters 120.0000, individual meters 100.0000, imbalance "
          "20.0 %");
    auto under = check("85");
    REQUIRE(under.size() == 1);
    CHECK(under[0].render(language::ru) ==
          "Дом b1, cold_water, 2020-06: ОДПУ 85.0000, сумма ИПУ 100.0000, небаланс -15.0 %");
}

TEST_CASE("expired verification and the seed's bad data become anomalies") {
    meter m = water("44103814060174");
    m.measures = resource::electricity;
    m.model = "mir";
    m.manufactured = parse_date("01.02.2022");
    m.installed = parse_date("21.01.2020");
    meter old = water("old");
    old.model = "betar";
    old.last_verification = parse_date("12.07.2018");
    meter_model mir = model_with(16, 30);
    mir.id = "mir";
    mir.name = "МИР С-07";
    meter_model betar = model_with(4);
    betar.id = "betar";
    betar.name = "Бетар";
    betar.measures = resource::cold_water;
    const fleet f = moscow_fleet({m, old}, {mir, betar});
    const anomaly_input in[] = {{f.find_meter("44103814060174"), nullptr, {}},
                                {f.find_meter("old"), nullptr, {}}};
    const auto all = detect_anomalies(f, in, at("2022-08-01T00:00:00+03:00"));
    const auto ver = of_type(all, anomaly_type::verification_expired);
    REQUIRE(ver.size() == 1);
    CHECK(ver[0].render(language::ru) == "Прибор учета old: срок поверки истёк 12.07.2022");
    CHECK(ver[0].level == anomaly_severity::critical);  // failed for billing: no suspension in 2022
    const auto bad = of_type(all, anomaly_type::data_inconsistency);
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].meter == "44103814060174");
    CHECK(bad[0]
              .render(language::en)
              .find("installation date 2020-01-21 is before the manufacture date 2022-02-01") !=
          std::string::npos);
}

TEST_CASE("the СПОДЭС event catalogue classifies and names events (../shared/corpus/dlms)") {
    const std::filesystem::path file = KVANT_CORPUS_DIR "/dlms/spodes_event_codes.json";
    if (!std::filesystem::exists(file)) {
        WARN("skipped: " << file << " is absent (the corpus is read from ../shared, never copied)");
        return;
    }
    // source: youserj/DlmsSPODES-project, src/DLMS_SPODES/Values/{RU,EN}/events.py (MIT)
    const auto cat = event_catalogue::load(file);
    INFO("catalogue from youserj/DlmsSPODES-project events.py");
    CHECK(cat.size() > 250);
    meter_event magnet{"98970002", parse_instant("2020-07-13T23:17:00Z"), 1, event_kind::other, 4, ""};
    REQUIRE(cat.classify(magnet));
    CHECK(magnet.kind == event_kind::tamper);
    CHECK(magnet.message == "Магнитное поле - начало / Magnetic field - the beginning");
    meter_event end{"98970002", parse_instant("2020-07-13T23:41:00Z"), 2, event_kind::other, 4, ""};
    cat.classify(end);
    CHECK(end.kind == event_kind::other);  // the end of an impact is no new anomaly
    meter_event seal{"m", parse_instant("2020-07-13T23:41:00Z"), 3, event_kind::other, 4, "x"};
    cat.classify(seal);
    CHECK(seal.kind == event_kind::tamper);
    CHECK(seal.message == "x");  // a message of the device's own is kept
    meter_event fault{"m", parse_instant("2020-07-13T23:41:00Z"), 2, event_kind::other, 7, ""};
    cat.classify(fault);
    CHECK(fault.kind == event_kind::fault);  // Измерительный блок — ошибка
    meter_event relay{"m", parse_instant("2020-07-13T23:41:00Z"), 6, event_kind::other, 2, ""};
    cat.classify(relay);
    CHECK(relay.kind == event_kind::relay);  // Выключение реле нагрузки абонентом
    meter_event unknown{"m", parse_instant("2020-07-13T23:41:00Z"), 999, event_kind::other, 4, ""};
    CHECK_FALSE(cat.classify(unknown));
    CHECK_THROWS_AS(event_catalogue::parse(R"({"events": [{"journal": "0.0.99.98.4.255"}]})"), parse_error);
}

TEST_CASE("high and low usage against history, zero consumption, duplicates with different values") {
    const fleet f = moscow_fleet({water("u")});
    // monthly readings (Moscow midnight of the 1st): 10 a month for Jan-Apr, then 25, 4 and 0
    const auto s = volumes("u", {{"2020-01-01T00:00:00+03:00", "0"},
                                 {"2020-02-01T00:00:00+03:00", "10"},
                                 {"2020-03-01T00:00:00+03:00", "20"},
                                 {"2020-04-01T00:00:00+03:00", "30"},
                                 {"2020-05-01T00:00:00+03:00", "40"},
                                 {"2020-06-01T00:00:00+03:00", "65"},
                                 {"2020-07-01T00:00:00+03:00", "69"},
                                 {"2020-08-01T00:00:00+03:00", "69"}});
    const anomaly_input in[] = {{f.find_meter("u"), &s, {}}};
    const auto all = detect_anomalies(f, in, at("2020-08-02T00:00:00+03:00"));
    const auto high = of_type(all, anomaly_type::high_usage);
    REQUIRE(high.size() == 1);  // May: 25 > 2 x 10
    CHECK(high[0].render(language::en) ==
          "Meter u: consumption in 2020-05 of 25.0000 is high against a mean of 10.0000");
    const auto low = of_type(all, anomaly_type::low_usage);
    REQUIRE(low.size() == 1);  // June: 4 < 0.5 x 13, the mean (10+10+10+10+25)/5
    CHECK(low[0].render(language::en) ==
          "Meter u: consumption in 2020-06 of 4.0000 is low against a mean of 13.0000");
    const auto zero = of_type(all, anomaly_type::zero_consumption);
    REQUIRE(zero.size() == 1);  // July
    CHECK(zero[0].render(language::ru) == "Прибор учета u: нулевой расход за 2020-07");

    reading_table batch;
    reading r;
    r.meter = "u";
    r.time = at("2020-08-20T06:05:00Z");
    r.set(channel::main(resource::cold_water), decimal::parse("352.248"));
    batch.push(r);
    batch.push(r);  // the same reading twice: no anomaly
    r.set(channel::main(resource::cold_water), decimal::parse("352.24"));
    batch.push(r);
    const auto dup = duplicate_readings(f, batch);
    REQUIRE(dup.size() == 1);
    CHECK(dup[0].render(language::en) ==
          "Meter u: two different readings at 2020-08-20T06:05:00Z: total 352.248 and 352.24");
}
