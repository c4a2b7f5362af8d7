// Domain model: validation (with the seeds' bad data), JSON round trips, the fleet's relations and zone rule.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "support.hpp"

#include "kvant/core/text.hpp"
#include "kvant/model/field_info.hpp"
#include "kvant/model/fleet.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/validation.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {
calendar_date day(const char* s) {
    return parse_date(s);
}

// 004's meter card (Figures 39-41): МИР С-07, made 01.02.2022, installed 21.01.2020, zone 360.
meter_model mir_c07() {
    meter_model m;
    m.id = "mir-c07";
    m.name = "МИР С-07";
    m.execution = "05S-230-5(10)-PZ-S1BH-D";
    m.manufacturer = "ООО НПО МИР";
    m.registry_number = "61678-15";
    m.verification_interval_years = 16;
    m.service_life_years = 30;
    m.accuracy_class = "0.5/1";
    m.phases = 3;
    m.connection = connection_type::semi_indirect;
    m.nominal_voltage = dec("230");
    m.nominal_current = dec("5");
    m.max_current = dec("10");
    m.meter_constant = 5000;
    m.register_digits = 6;
    m.tariff_registers = 2;
    return m;
}
meter card_004() {
    meter m;
    m.serial = "44103814060174";
    m.model = "mir-c07";
    m.point = "1c1fb8b0-1f3f-ed11-b239-00155daa9a05";
    m.time_zone = zone::parse("360");
    m.manufactured = day("01.02.2022");
    m.installed = day("21.01.2020");
    m.transformer_ratio = dec("20");
    return m;
}
bool has(const issues& list, severity s, const std::string& field) {
    for (const auto& i : list)
        if (i.level == s && i.field == field) return true;
    return false;
}
}  // namespace

TEST_CASE("004's meter card: installation before manufacture is reported, not refused") {
    const auto model = mir_c07();
    const auto found = validate(card_004(), &model);
    REQUIRE(found.size() == 1);
    CHECK(found[0].level == severity::warning);
    CHECK(found[0].to_string() ==
          "warning: meter 44103814060174: field 'installed': installation date 2020-01-21 is before the "
          "manufacture date 2022-02-01");
    CHECK_FALSE(has_errors(found));
}

TEST_CASE("validation reports every inconsistency it finds, not just the first") {
    meter m = card_004();
    m.serial = "98 99";
    m.transformer_ratio = dec("0");
    m.removed = day("2019-01-01");
    m.latitude = dec("91");
    m.register_digits = 13;
    m.measures = resource::cold_water;
    const auto model = mir_c07();
    const auto found = validate(m, &model);
    CHECK(has(found, severity::error, "serial"));
    CHECK(has(found, severity::error, "transformer_ratio"));
    CHECK(has(found, severity::error, "removed"));
    CHECK(has(found, severity::error, "latitude"));
    CHECK(has(found, severity::error, "longitude"));  // only one coordinate given
    CHECK(has(found, severity::error, "register_digits"));
    CHECK(has(found, severity::error, "resource"));  // the model measures electricity
    CHECK(has(found, severity::warning, "installed"));
    CHECK(has_errors(found));
}

TEST_CASE("organisation requisites are checked") {
    organization o;
    o.id = "dnt-demo";
    o.name = "ДНТ Демо";
    o.inn = "7707083893";
    o.kpp = "773601001";
    o.ogrn = "1027700132195";
    CHECK(validate(o).empty());
    o.inn = "7707083894";
    o.ogrn = "304500116000157";  // valid OGRNIP, but beside a 10-digit INN
    o.billing_start_day = 32;
    const auto found = validate(o);
    CHECK(has(found, severity::warning, "inn"));  // a wrong check digit: lenient by default
    CHECK(has(found, severity::error, "billing_start_day"));
    CHECK(has(validate(o, validation_policy::strict), severity::error, "inn"));
    CHECK(has(validate(o, validation_policy::strict), severity::error, "ogrn"));  // 10-digit INN, OGRNIP
    o.inn = "7707083893";
    o.billing_start_day = 25;
    const auto pair = validate(o);
    REQUIRE(pair.size() == 1);
    CHECK(pair[0].field == "ogrn");
    CHECK(pair[0].level == severity::warning);
}

TEST_CASE(
    "the seed's own organisation (001 §3.5.1) is stored with warnings, refused under the strict policy") {
    organization o;
    o.id = "seed";
    o.name = "ООО «Организация»";
    // ИНН 722406645712: the 11th digit checks (weights 7,2,4,10,3,5,9,4,6,8: 287 mod 11 = 1), the 12th does
    // not (weights 3,7,2,...: 209 mod 11 = 0, written 2); ОГРН 1234567891234: 123456789123 mod 11 = 8,
    // written 4
    o.inn = "722406645712";
    o.ogrn = "1234567891234";
    const auto lenient = validate(o);
    CHECK_FALSE(has_errors(lenient));
    CHECK(has(lenient, severity::warning, "inn"));
    CHECK(has(lenient, severity::warning, "ogrn"));
    const auto strict = validate(o, validation_policy::strict);
    CHECK(has(strict, severity::error, "inn"));
    CHECK(has(strict, severity::error, "ogrn"));
    // a malformed identifier is an error under both
    o.inn = "72240664571";
    CHECK(has(validate(o), severity::error, "inn"));
    // 004's meter card: made 01.02.2022, installed 21.01.2020
    meter m = card_004();
    m.manufactured = day("2022-02-01");
    m.installed = day("2020-01-21");
    CHECK(has(validate(m), severity::warning, "installed"));
    CHECK_FALSE(has_errors(validate(m)));
    CHECK(has(validate(m, nullptr, validation_policy::strict), severity::error, "installed"));
    CHECK(parse_enum<validation_policy>("strict") == validation_policy::strict);
    CHECK(to_string(validation_policy::lenient) == "lenient");
}

TEST_CASE("readings are checked against their meter") {
    meter m = card_004();
    m.installed = day("2020-01-21");
    m.removed = day("2020-09-01");
    reading r;
    r.meter = m.serial;
    r.time = parse_instant("2020-08-21T06:05:00Z");
    r.set(channel{}.with_tariff(register_id::total), dec("4043.00"));
    CHECK(validate(r, m, 2).empty());
    r.set(channel{}.with_tariff(register_id::t3), dec("1"));
    r.time = parse_instant("2020-09-03T00:00:00Z");  // after removal on 01.09 (one day of slack)
    auto found = validate(r, m, 2);
    CHECK(has(found, severity::error, "t3"));
    CHECK(has(found, severity::warning, "timestamp"));
    r = reading{};
    r.meter = m.serial;
    r.time = parse_instant("2020-01-19T00:00:00Z");  // two days before installation
    found = validate(r, m, 1);
    CHECK(has(found, severity::error, "values"));  // no value at all
    CHECK(has(found, severity::warning, "timestamp"));
    r.set(channel{}.with_tariff(register_id::total), dec("-1"));
    r.time = parse_instant("2020-01-20T12:00:00Z");  // the day before installation: within the slack
    found = validate(r, m, 1);
    REQUIRE(found.size() == 1);
    CHECK(found[0].message == "negative register value -1");
}

TEST_CASE("every entity round-trips through JSON") {
    organization o{"dnt-demo",
                   "ДНТ Демо \"Квант-Энерго\"",
                   organization_kind::dnt,
                   "6164000120",
                   "616401001",
                   "1206100001231",
                   "Лучевая ул, д. 99",
                   "",
                   zone::parse("Europe/Moscow"),
                   25};
    CHECK(nlohmann::json(o).get<organization>() == o);
    abonent a{"ab-01",
              "dnt-demo",
              abonent_kind::person,
              "Антонова Анна Сергеевна",
              "+7 918 555-10-30",
              "",
              at("2021-03-01T09:15:00Z")};
    CHECK(nlohmann::json(a).get<abonent>() == a);
    account acc{
        "A15900009460", "ab-01",           "Песчаная ул, д. 4", "dnt-demo", building_type::private_house, "",
        dec("84.5"),    day("2018-07-01"), std::nullopt,        3};
    CHECK(nlohmann::json(acc).get<account>() == acc);
    metering_point p{"1c1fb8b0-1f3f-ed11-b239-00155daa9a05",
                     "A15900009460",
                     "Основной",
                     "Дом",
                     "В квартире",
                     "Газовая плита"};
    CHECK(nlohmann::json(p).get<metering_point>() == p);
    const auto model = mir_c07();
    CHECK(nlohmann::json(model).get<meter_model>() == model);
    meter m = card_004();
    m.latitude = dec("47.271234");
    m.longitude = dec("39.701234");
    m.last_verification = day("2022-02-01");
    CHECK(nlohmann::json(m).get<meter>() == m);
    reading r;
    r.meter = "9000106";
    r.time = parse_instant("2020-07-30T13:16:00Z");
    r.set(channel{}.with_tariff(register_id::total), dec("10084.08"));
    r.set(channel{}.with_tariff(register_id::t1), dec("7632.05"));
    r.set(channel{}.with_tariff(register_id::t2), dec("2452.03"));
    r.source = reading_source::manual;
    r.accepted = parse_instant("2020-07-30T13:20:00Z");
    CHECK(nlohmann::json(r).get<reading>() == r);
    meter_event e{"98970002",      parse_instant("2020-07-13T23:17:00Z"), 1, event_kind::tamper, 5,
                  "Magnetic field"};
    CHECK(nlohmann::json(e).get<meter_event>() == e);
}

TEST_CASE("JSON keeps decimals exact and says what is wrong") {
    const auto j = nlohmann::json(card_004());
    CHECK(j["transformer_ratio"] == "20");
    CHECK(j["zone"] == "+06:00");
    CHECK(j["installed"] == "2020-01-21");
    auto bad = j;
    bad["transformer_ratio"] = 20.5;  // a binary float: refused
    CHECK_THROWS_MATCHES(
        bad.get<meter>(), parse_error,
        Catch::Matchers::Message("[kvant.parse.101] field 'transformer_ratio': meter: expected a "
                                 "decimal as a string (\"352.248\") to keep it exact"));
    bad = j;
    bad["installed"] = "2020-02-30";
    try {
        (void)bad.get<meter>();
        FAIL("no exception");
    } catch (const parse_error& e) {
        CHECK(e.code() == errc::invalid_date);
        CHECK(e.where().field == "installed");
    }
    bad = j;
    bad.erase("serial");
    CHECK_THROWS_AS(bad.get<meter>(), parse_error);
    bad = j;
    bad["role"] = "balance";
    try {
        (void)bad.get<meter>();
        FAIL("no exception");
    } catch (const parse_error& e) {
        CHECK(e.code() == errc::invalid_enum);
        CHECK(e.reason() == "meter: unknown meter role 'balance' (expected one of: individual, building)");
    }
    // an integer is exact, so it is accepted for a decimal
    bad = j;
    bad["transformer_ratio"] = 30;
    CHECK(bad.get<meter>().transformer_ratio == dec("30"));
}

TEST_CASE("reading_table holds readings column-wise and gives rows back") {
    reading_table t;
    reading r;
    r.meter = "9000106";
    r.time = parse_instant("2020-07-30T13:16:00Z");
    r.set(channel{}.with_tariff(register_id::total), dec("10084.08"));
    r.set(channel{}.with_tariff(register_id::t2), dec("2452.03"));
    t.push(r);
    r.meter = "98990006";
    r.values = {};
    r.set(channel{}.with_tariff(register_id::total), dec("352.248"));
    t.push(r);
    t.push_row(t, 0);
    // one row a value: the first reading's total and T2, the second's total, the first row again
    CHECK(t.size() == 4);
    CHECK(t.meters() == std::vector<std::string>{"9000106", "98990006"});
    CHECK(t.meter_index() == std::vector<std::uint32_t>{0, 0, 1, 0});
    CHECK(t.values() ==
          std::vector<std::int64_t>{10'084'080'000, 2'452'030'000, 352'248'000, 10'084'080'000});
    CHECK(t.channels() == std::vector<channel>{channel{}, channel{}.with_tariff(register_id::t2)});
    CHECK(t.channel_index() == std::vector<std::uint16_t>{0, 1, 0, 0});
    CHECK(t.sources().empty());   // every row automatic: no column
    CHECK(t.accepted().empty());  // no acceptance times: no column
    const auto back = t.to_readings();
    REQUIRE(back.size() == 2);  // the repeated row is the first reading's time again
    CHECK(back[1] == r);
    CHECK(back[0][channel{}.with_tariff(register_id::t2)] == dec("2452.03"));
}

TEST_CASE("fleet walks meter -> point -> account -> abonent -> organization, and applies the zone rule") {
    organization o;
    o.id = "org";
    o.name = "УК";
    o.time_zone = zone::parse("Europe/Moscow");
    abonent a{"ab", "org", abonent_kind::person, "X", "", "", std::nullopt};
    account acc;
    acc.number = "A1";
    acc.abonent = "ab";
    metering_point p{"tp", "A1", "", "", "", ""};
    meter old_m, new_m, own_zone, loose;
    old_m.serial = "9000100";
    old_m.point = "tp";
    old_m.removed = day("2019-09-21");
    new_m.serial = "9000106";
    new_m.point = "tp";
    own_zone.serial = "441";
    own_zone.point = "tp";
    own_zone.time_zone = zone::fixed(360);
    loose.serial = "777";
    const fleet f({o}, {a}, {acc}, {p}, {}, {new_m, old_m, own_zone, loose});
    const auto ms = f.meters_of(*f.find_account("A1"));
    REQUIRE(ms.size() == 3);
    CHECK(ms[0]->serial == "441");
    CHECK(ms[1]->serial == "9000100");  // removed meters stay in history
    CHECK(f.organization_of(*f.find_meter("9000106"))->id == "org");
    CHECK(f.zone_of(*f.find_meter("9000106")).name() == "Europe/Moscow");
    CHECK(f.zone_of(*f.find_meter("441")).name() == "+06:00");
    CHECK(f.zone_of(*f.find_meter("777")) == zone::utc());
    CHECK(f.account_of(*f.find_meter("777")) == nullptr);
    CHECK(f.find_meter("nope") == nullptr);
    CHECK(f.accounts_of(*f.find_abonent("ab")).size() == 1);
}

// ---- issue 8: text at the boundary, plausibility ranges at both edges

TEST_CASE("check_text accepts UTF-8 and names the first invalid byte") {
    CHECK_FALSE(check_text(""));
    CHECK_FALSE(check_text("ДНТ «Квант» №5 \xF0\x9F\x94\x8C\ttab\r\nline"));  // 2-, 3- and 4-byte sequences
    CHECK_FALSE(check_text("\xF4\x8F\xBF\xBF"));                              // U+10FFFF, the last code point
    struct bad {
        std::string text;
        std::size_t offset;
        const char* reason;
    };
    // RFC 3629 table 4 / Unicode 15 table 3-7 (well-formed byte sequences), worked through by hand
    const bad cases[] = {
        {"ab\x80", 2, "invalid UTF-8 (byte 0x80)"},            // a lone continuation byte
        {"\xC0\xAF", 0, "invalid UTF-8 (byte 0xC0)"},          // overlong '/'
        {"x\xE0\x80\xAF", 1, "invalid UTF-8 (byte 0xE0)"},     // overlong three-byte form
        {"\xED\xA0\x80", 0, "invalid UTF-8 (byte 0xED)"},      // U+D800, a surrogate
        {"\xF4\x90\x80\x80", 0, "invalid UTF-8 (byte 0xF4)"},  // U+110000, above the last code point
        {"\xF5\x80\x80\x80", 0, "invalid UTF-8 (byte 0xF5)"},
        {"\xD0\x94\xD0", 2, "invalid UTF-8 (byte 0xD0)"},  // "Д" then a sequence cut by the end
        {std::string("a\0b", 3), 1, "control character 0x00"},
        {"a\x1B[2J", 1, "control character 0x1B"},
        {"a\x7F", 1, "control character 0x7F"},
        {"ab\xC2\x85", 2, "control character U+0085"},  // C1 controls: NEL, and CSI (a terminal command)
        {"\xC2\x9B"
         "31m",
         0, "control character U+009B"},
    };
    CHECK_FALSE(check_text("\xC2\xA0\xC2\xAB"));  // U+00A0 and U+00AB, right after the C1 block, are text
    CHECK(excerpt("a\xC2\x9B"
                  "b") == "'a\\xC2\\x9Bb'");  // shown escaped, never raw
    for (const auto& c : cases) {
        INFO(excerpt(c.text));
        const auto p = check_text(c.text);
        REQUIRE(p);
        CHECK(p->offset == c.offset);
        CHECK(p->reason == c.reason);
    }
    // the length limit at both edges
    CHECK_FALSE(check_text(std::string(max_text_bytes, 'a')));
    const auto p = check_text(std::string(max_text_bytes + 1, 'a'));
    REQUIRE(p);
    CHECK(p->reason == "text of 4097 bytes is longer than the 4096 allowed");
}

TEST_CASE("excerpt quotes at most 64 bytes, never cutting a character, escaping what is not text") {
    CHECK(excerpt("abc") == "'abc'");
    CHECK(excerpt("it's\n\x01") == "'it\\'s\\n\\x01'");
    CHECK(excerpt(std::string(64, 'x')) == "'" + std::string(64, 'x') + "'");
    CHECK(excerpt(std::string(65, 'x')) == "'" + std::string(64, 'x') + "…' (65 bytes)");
    // 63 ASCII bytes then "Д" (2 bytes): the 64-byte cut would split it, so it stops before
    CHECK(excerpt(std::string(63, 'x') + "Дx") == "'" + std::string(63, 'x') + "…' (66 bytes)");
    const std::string huge(1 << 20, 'y');
    CHECK(excerpt(huge).size() == 1 + 64 + std::string("…' (1048576 bytes)").size());
    CHECK_FALSE(check_text(excerpt("\xFF\xC0 bad")));  // the excerpt itself is always valid text
}

TEST_CASE("entity JSON is an API entry: its text is checked and its integers never wrap") {
    using nlohmann::json;
    auto err = [](const json& j) -> parse_error {
        try {
            (void)j.get<organization>();
        } catch (const parse_error& e) {
            return e;
        }
        FAIL("no error");
        throw std::logic_error("unreachable");
    };
    const auto e1 = err(json{{"id", "o"}, {"name", "ab\xFF"}});
    CHECK(e1.code() == errc::invalid_text);
    CHECK(e1.where().field == "name");
    CHECK(e1.where().offset == 2);
    // 2^32 + 1 would be 1 as an int; 2^64 - 1 would be -1 as an int64
    CHECK(err(json{{"id", "o"}, {"name", "n"}, {"billing_start_day", 4294967297LL}}).code() ==
          errc::invalid_number);
    CHECK(err(json{{"id", "o"}, {"name", "n"}, {"billing_start_day", 18446744073709551615ULL}}).code() ==
          errc::invalid_number);
    CHECK(err(json{{"id", "o"}, {"name", "n"}, {"zone", 4294967296LL}}).code() == errc::invalid_number);
    // a JSON integer of 13 digits would overflow the decimal's millionths
    CHECK_THROWS_AS((json{{"serial", "1"}, {"transformer_ratio", 10000000000000LL}}.get<meter>()),
                    parse_error);
    CHECK(json{{"serial", "1"}, {"transformer_ratio", 999999999999LL}}.get<meter>().transformer_ratio ==
          dec("999999999999"));
    // validate() is the entry every store write goes through: it checks every text field too
    organization o;
    o.id = "o";
    o.name = "n";
    o.actual_address = "a\x1B";
    const auto found = validate(o);
    REQUIRE(found.size() == 1);
    CHECK(found[0].field == "actual_address");
    CHECK(found[0].message == "byte 1: control character 0x1B in 'a\\x1B'");
}

TEST_CASE("plausibility ranges are enforced at both edges") {
    auto errors_in = [](const issues& list, const char* field) {
        int n = 0;
        for (const auto& i : list) n += i.level == severity::error && i.field == field;
        return n;
    };
    meter m;
    m.serial = "1";
    auto with = [&](auto change) {
        meter x = m;
        change(x);
        return validate(x);
    };
    // transformer ratio (0, 1000000]
    CHECK(errors_in(with([](meter& x) { x.transformer_ratio = dec("0"); }), "transformer_ratio") == 1);
    CHECK(errors_in(with([](meter& x) { x.transformer_ratio = dec("0.000001"); }), "transformer_ratio") == 0);
    CHECK(errors_in(with([](meter& x) { x.transformer_ratio = dec("1000000"); }), "transformer_ratio") == 0);
    CHECK(errors_in(with([](meter& x) { x.transformer_ratio = dec("1000000.000001"); }),
                    "transformer_ratio") == 1);
    // coordinates
    CHECK(errors_in(with([](meter& x) { x.latitude = dec("-90"), x.longitude = dec("180"); }), "latitude") ==
          0);
    CHECK(errors_in(with([](meter& x) { x.latitude = dec("90.000001"), x.longitude = dec("0"); }),
                    "latitude") == 1);
    CHECK(errors_in(with([](meter& x) { x.latitude = dec("0"), x.longitude = dec("-180.000001"); }),
                    "longitude") == 1);
    // civil dates 1900-01-01..2099-12-31
    CHECK(errors_in(with([](meter& x) { x.installed = day("1900-01-01"); }), "installed") == 0);
    CHECK(errors_in(with([](meter& x) { x.installed = day("2099-12-31"); }), "installed") == 0);
    CHECK(errors_in(with([](meter& x) { x.installed = day("2100-01-01"); }), "installed") == 1);
    CHECK(errors_in(with([](meter& x) { x.removed = day("9999-12-31"); }), "removed") == 1);
    // model: verification interval 0 (unknown) or up to 50, meter constant 1..10^7, currents and voltage
    meter_model mm;
    mm.id = "m";
    mm.name = "M";
    auto model_with = [&](auto change) {
        meter_model x = mm;
        change(x);
        return validate(x);
    };
    CHECK(errors_in(model_with([](meter_model& x) { x.verification_interval_years = 50; }),
                    "verification_interval_years") == 0);
    CHECK(errors_in(model_with([](meter_model& x) { x.verification_interval_years = 51; }),
                    "verification_interval_years") == 1);
    CHECK(errors_in(model_with([](meter_model& x) { x.meter_constant = 0; }), "meter_constant") == 1);
    CHECK(errors_in(model_with([](meter_model& x) { x.meter_constant = 1; }), "meter_constant") == 0);
    CHECK(errors_in(model_with([](meter_model& x) { x.meter_constant = 10'000'000; }), "meter_constant") ==
          0);
    CHECK(errors_in(model_with([](meter_model& x) { x.meter_constant = 10'000'001; }), "meter_constant") ==
          1);
    CHECK(errors_in(model_with([](meter_model& x) { x.max_current = dec("100000"); }), "max_current") == 0);
    CHECK(errors_in(model_with([](meter_model& x) { x.max_current = dec("100000.000001"); }),
                    "max_current") == 1);
    CHECK(errors_in(model_with([](meter_model& x) { x.nominal_voltage = dec("0"); }), "nominal_voltage") ==
          1);
    // account area (0, 10^6] m²
    account a;
    a.number = "A1";
    a.abonent = "ab";
    a.area = dec("1000000");
    CHECK(errors_in(validate(a), "area") == 0);
    a.area = dec("1000000.000001");
    CHECK(errors_in(validate(a), "area") == 1);
    // readings: times [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z), values 0..999999999999.999999
    auto reading_at = [&](const char* t, std::int64_t raw_value) {
        reading r;
        r.meter = "1";
        r.time = at(t);
        r.set(channel{}, decimal::from_raw(raw_value));
        return validate(r, m, 1);
    };
    CHECK(errors_in(reading_at("1970-01-01T00:00:00Z", 0), "timestamp") == 0);
    CHECK(errors_in(reading_at("1969-12-31T23:59:59Z", 0), "timestamp") == 1);
    CHECK(errors_in(reading_at("2099-12-31T23:59:59Z", 0), "timestamp") == 0);
    CHECK(errors_in(reading_at("2100-01-01T00:00:00Z", 0), "timestamp") == 1);
    CHECK(to_unix(at("2100-01-01T00:00:00Z")) == plausible_end_unix);
    CHECK(errors_in(reading_at("2020-01-01T00:00:00Z", 999'999'999'999'999'999LL), "total") == 0);
    CHECK(errors_in(reading_at("2020-01-01T00:00:00Z", 1'000'000'000'000'000'000LL), "total") == 1);
    CHECK(errors_in(reading_at("2020-01-01T00:00:00Z", -1), "total") == 1);
    // events: code and journal not negative, time in range
    meter_event ev;
    ev.meter = "1";
    ev.time = at("2100-01-01T00:00:00Z");
    ev.code = -1;
    ev.journal = -1;
    const auto evi = validate(ev);
    CHECK(errors_in(evi, "timestamp") == 1);
    CHECK(errors_in(evi, "code") == 1);
    CHECK(errors_in(evi, "journal") == 1);
}

// ---- one description per entity (model/fields.hpp)
namespace {
/// An entity of the test's own: its description is all it takes to have JSON (and CSV columns, docs).
struct gadget {
    std::string id;
    int count = 3;
    std::optional<decimal> weight;
    resource measures = resource::heat;
    bool active = true;
    std::optional<calendar_date> since;
    friend bool operator==(const gadget&, const gadget&) = default;
};
}  // namespace
template <>
struct kvant::description<gadget> {
    static constexpr std::string_view entity = "gadget";
    static constexpr auto fields =
        std::tuple{field{"id", &gadget::id, "the key", true}, field{"count", &gadget::count, ""},
                   field{"weight", &gadget::weight, "kg"},    field{"resource", &gadget::measures, ""},
                   field{"active", &gadget::active, ""},      field{"since", &gadget::since, ""}};
};

TEST_CASE("a described entity has JSON without code of its own, defaults and required keys hold") {
    gadget g{"g1", 7, dec("1.25"), resource::gas, false, day("2020-05-20")};
    const nlohmann::json j = g;
    CHECK(j.dump() ==
          R"({"active":false,"count":7,"id":"g1","resource":"gas","since":"2020-05-20","weight":"1.25"})");
    CHECK(j.get<gadget>() == g);
    // absent keys keep the struct's defaults; a missing required key is named
    const auto d = nlohmann::json::parse(R"({"id": "g2"})").get<gadget>();
    CHECK(d.count == 3);
    CHECK(d.measures == resource::heat);
    CHECK(d.active);
    CHECK_FALSE(d.weight);
    CHECK_THROWS_WITH(nlohmann::json::parse(R"({"count": 1})").get<gadget>(),
                      Catch::Contains("field 'id'") && Catch::Contains("required value is missing"));
    CHECK_THROWS_WITH(nlohmann::json::parse(R"({"id": "x", "resource": "steam"})").get<gadget>(),
                      Catch::Contains("unknown resource 'steam'"));
    CHECK_THROWS_WITH(nlohmann::json::parse(R"({"id": "x", "active": "yes"})").get<gadget>(),
                      Catch::Contains("field 'active'"));
    CHECK(key_of(g) == "g1");
    CHECK(field_count<gadget>() == 6);
}

TEST_CASE("every entity's description drives its JSON keys, docs/entities.md is generated from them") {
    // the JSON of a meter with every field set has exactly the described keys, in any order
    meter m = card_004();
    m.model = "mir";
    m.point = "tp";
    m.time_zone = zone::parse("360");
    m.register_digits = 6;
    m.tariff_registers = 2;
    m.manufactured = day("2019-01-01");
    m.installed = day("2020-01-21");
    m.removed = day("2021-01-01");
    m.last_verification = day("2019-01-01");
    m.latitude = dec("47.274754");
    m.longitude = dec("39.702654");
    m.under_control = false;
    m.address = "mbus:ACW-11490378-0E-16";
    const nlohmann::json j = m;
    std::set<std::string> keys, described;
    for (const auto& [k, v] : j.items()) keys.insert(k);
    for_each_field<meter>([&](const auto& f) { described.insert(std::string(f.name)); });
    CHECK(keys == described);
    CHECK(j.get<meter>() == m);
    // the runtime table says the same
    const auto& all = entity_descriptions();
    REQUIRE(all.size() == 12);
    const auto it =
        std::find_if(all.begin(), all.end(), [](const entity_info& e) { return e.entity == "meter"; });
    REQUIRE(it != all.end());
    CHECK(it->fields.size() == field_count<meter>());
    CHECK(it->fields[0].name == "serial");
    CHECK(it->fields[0].required);
    CHECK(it->fields[3].name == "role");
    CHECK(it->fields[3].values == std::vector<std::string>{"individual", "building"});
    CHECK(it->fields[3].default_value == "individual");
    CHECK(it->fields[6].type == "decimal");
    CHECK(it->fields[6].default_value == "1");
    // docs/entities.md is exactly `kvant fields --format markdown`: regenerate it when a field changes
    std::ifstream in(std::string(KVANT_DEMO_DATA_DIR) + "/../../docs/entities.md", std::ios::binary);
    REQUIRE(in);
    std::ostringstream text;
    text << in.rdbuf();
    CHECK(text.str() == entity_descriptions_markdown());
}
