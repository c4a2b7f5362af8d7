// Core types: decimal, instants, zones, local calendar, identifiers, errors. Expected values are worked out
// by hand (calendar arithmetic, check digits) or come from the tz database's documented transitions.
#include <catch2/catch.hpp>

#include "kvant/core/calendar.hpp"
#include "kvant/core/decimal.hpp"
#include "kvant/core/identifiers.hpp"
#include "kvant/core/time.hpp"
#include "kvant/core/version.hpp"
#include "kvant/core/zone.hpp"

#include <date/tz.h>

using namespace kvant;

static decimal dec(const char* s) {
    return decimal::parse(s);
}
static instant at(const char* s) {
    return parse_instant(s);
}

TEST_CASE("decimal parses exactly and prints the shortest text that reads back") {
    CHECK(dec("352.2480").raw() == 352'248'000);
    CHECK(dec("-0.5").raw() == -500'000);
    CHECK(dec("+12").raw() == 12'000'000);
    CHECK(dec(".5").raw() == 500'000);
    CHECK(dec("7.").raw() == 7'000'000);
    CHECK(dec("0.000001").raw() == 1);
    CHECK(dec("999999999999.999999").raw() == 999'999'999'999'999'999);
    CHECK(dec("1.2500000000").raw() == 1'250'000);  // extra zeros are not extra precision
    CHECK(to_string(dec("352.2480")) == "352.248");
    CHECK(to_string(dec("-0.000001")) == "-0.000001");
    CHECK(to_string(dec("48903.35")) == "48903.35");
    CHECK(to_string(dec("0")) == "0");
    CHECK(to_string(dec("-12")) == "-12");
    for (const char* s : {"0.1", "240772.5134", "-9.000009", "100", "0.000001", "999999999999.999999"})
        CHECK(decimal::parse(to_string(dec(s))) == dec(s));
}

TEST_CASE("decimal refuses what it cannot hold exactly, saying why") {
    decimal d;
    CHECK(decimal::try_parse("", d) == decimal_status::empty);
    CHECK(decimal::try_parse("-", d) == decimal_status::syntax);
    CHECK(decimal::try_parse(".", d) == decimal_status::syntax);
    CHECK(decimal::try_parse("1,5", d) == decimal_status::syntax);
    CHECK(decimal::try_parse("1e3", d) == decimal_status::syntax);
    CHECK(decimal::try_parse(" 1", d) == decimal_status::syntax);
    CHECK(decimal::try_parse("0.0000001", d) == decimal_status::too_precise);
    CHECK(decimal::try_parse("1000000000000", d) == decimal_status::overflow);
    CHECK(decimal::try_parse("0001000000000", d) ==
          decimal_status::ok);  // leading zeros are not digits of range
    try {
        decimal::parse("12,5", location{"r.csv", 7, "value", -1});
        FAIL("no exception");
    } catch (const parse_error& e) {
        CHECK(e.code() == errc::invalid_number);
        CHECK(
            std::string(e.what()) ==
            "[kvant.parse.101] r.csv:7: field 'value': '12,5': not a decimal number (expected digits with an "
            "optional '.' part)");
    }
}

TEST_CASE("decimal arithmetic is exact, multiplication rounds half to even") {
    CHECK(dec("48880.10") + dec("49.25") == dec("48929.35"));
    CHECK(dec("352.2400") - dec("352.2480") == dec("-0.008"));
    CHECK(dec("2.5") * dec("20") == dec("50"));
    CHECK(dec("0.000001") * dec("0.5") == dec("0"));         // 0.0000005 -> 0 (even)
    CHECK(dec("0.000003") * dec("0.5") == dec("0.000002"));  // 0.0000015 -> 0.000002 (even)
    CHECK(dec("-0.000003") * dec("0.5") == dec("-0.000002"));
    CHECK(decimal::div_round_half_even(7, 2) == 4);
    CHECK(decimal::div_round_half_even(5, 2) == 2);
    CHECK(decimal::div_round_half_even(-5, 2) == -2);
    CHECK(to_fixed(dec("352.248"), 4) == "352.2480");
    CHECK(to_fixed(dec("0.125"), 2) == "0.13");
    CHECK(to_fixed(dec("-0.125"), 2) == "-0.13");
    CHECK(to_fixed(dec("-0.001"), 2) == "0.00");
    CHECK(to_fixed(dec("87678"), 2) == "87678.00");
}

TEST_CASE("instants parse from ISO 8601 with Z or an offset") {
    CHECK(to_unix(at("1970-01-01T00:00:00Z")) == 0);
    CHECK(to_unix(at("2020-08-21T09:05:00+03:00")) == to_unix(at("2020-08-21T06:05:00Z")));
    CHECK(to_unix(at("2020-08-21T06:05:00Z")) == 1597989900);  // 18495 days * 86400 + 6 h 5 min
    CHECK(at("2020-08-21 12:05+06:00") == at("2020-08-21T06:05:00Z"));
    CHECK(at("2020-08-21T03:35:00-0230") == at("2020-08-21T06:05:00Z"));
    CHECK(at("2020-08-21T09:05:00.000+03") == at("2020-08-21T06:05:00Z"));
    CHECK(to_string(at("2020-02-29T23:59:59+03:00")) == "2020-02-29T20:59:59Z");
    CHECK(to_string(at("1969-12-31T23:00:00Z")) == "1969-12-31T23:00:00Z");
}

TEST_CASE("impossible timestamps and dates are refused with the reason") {
    instant t;
    CHECK(try_parse_instant("2020-02-30T00:00:00Z", t) == time_status::bad_date);
    CHECK(try_parse_instant("2019-02-29T00:00:00Z", t) == time_status::bad_date);
    CHECK(try_parse_instant("2100-02-29T00:00:00Z", t) == time_status::bad_date);
    CHECK(try_parse_instant("2000-02-29T00:00:00Z", t) == time_status::ok);
    CHECK(try_parse_instant("2020-06-31T00:00:00Z", t) == time_status::bad_date);
    CHECK(try_parse_instant("2020-06-01T24:00:00Z", t) == time_status::bad_time);
    CHECK(try_parse_instant("2020-06-01T12:60:00Z", t) == time_status::bad_time);
    CHECK(try_parse_instant("2020-06-01T12:00:00", t) == time_status::no_offset);
    CHECK(try_parse_instant("2020-06-01T12:00:00", t, 180) == time_status::ok);
    CHECK(t == at("2020-06-01T09:00:00Z"));
    CHECK(try_parse_instant("2020-06-01T12:00:00+19:00", t) == time_status::bad_offset);
    CHECK(try_parse_instant("2020-06-01T12:00:00.5Z", t) == time_status::subsecond);
    CHECK(try_parse_instant("21.08.2020 09:05", t) == time_status::syntax);
    calendar_date d;
    CHECK(try_parse_date("2020-05-20", d) == time_status::ok);
    CHECK(d == date::year{2020} / 5 / 20);
    CHECK(try_parse_date("01.03.2018", d) == time_status::ok);
    CHECK(d == date::year{2018} / 3 / 1);
    CHECK(try_parse_date("31.04.2020", d) == time_status::bad_date);
    CHECK(try_parse_date("2020/05/20", d) == time_status::syntax);
    CHECK(to_russian_string(date::year{2028} / 2 / 28) == "28.02.2028");
    CHECK_THROWS_MATCHES(
        parse_date("2020-13-01", location{"m.csv", 3, "installed", -1}), parse_error,
        Catch::Matchers::Message("[kvant.parse.103] m.csv:3: field 'installed': '2020-13-01': "
                                 "impossible date"));
}

TEST_CASE("zones: IANA names, fixed offsets, minutes east as 004 shows them") {
    CHECK(zone::parse("360").name() == "+06:00");
    CHECK(zone::parse("-180").name() == "-03:00");
    CHECK(zone::parse("+06:00") == zone::fixed(360));
    CHECK(zone::parse("+0530").name() == "+05:30");  // ISO ±HHMM, not 530 minutes
    CHECK(zone::parse("-03").name() == "-03:00");
    CHECK(zone::parse("330").name() == "+05:30");
    CHECK(zone::parse("UTC") == zone::utc());
    CHECK(zone::parse("Europe/Moscow").name() == "Europe/Moscow");
    CHECK_FALSE(zone::parse("Europe/Moscow").is_fixed());
    CHECK_THROWS_AS(zone::parse("Mars/Olympus"), config_error);
    CHECK_THROWS_AS(zone::parse("1200"), config_error);  // 20 hours
    CHECK_FALSE(zone::try_parse("+25:00").has_value());
    // Moscow: +04:00 in 2013, +03:00 since 26.10.2014 (a documented transition of the tz database)
    const zone msk = zone::parse("Europe/Moscow");
    CHECK(msk.offset_at(at("2013-06-01T00:00:00Z")) == seconds{4 * 3600});
    CHECK(msk.offset_at(at("2020-08-21T00:00:00Z")) == seconds{3 * 3600});
    CHECK(zone::fixed(360).to_local(at("2020-08-21T18:00:00Z")) ==
          date::local_days{date::year{2020} / 8 / 22} + std::chrono::hours{0});
}

TEST_CASE("local times that repeat or do not exist follow the policy") {
    const zone berlin = zone::parse("Europe/Berlin");
    // 2021-10-31 02:30 happens twice in Berlin (CEST then CET)
    const local_time repeated = date::local_days{date::year{2021} / 10 / 31} + std::chrono::minutes{150};
    CHECK(berlin.to_instant(repeated, local_policy::earliest) == at("2021-10-31T00:30:00Z"));
    CHECK(berlin.to_instant(repeated, local_policy::latest) == at("2021-10-31T01:30:00Z"));
    CHECK_THROWS_AS(berlin.to_instant(repeated, local_policy::reject), config_error);
    // 2021-03-28 02:30 does not exist in Berlin: the gap ends at 01:00Z (03:00 CEST)
    const local_time skipped = date::local_days{date::year{2021} / 3 / 28} + std::chrono::minutes{150};
    CHECK(berlin.to_instant(skipped) == at("2021-03-28T01:00:00Z"));
    CHECK_THROWS_AS(berlin.to_instant(skipped, local_policy::earliest, local_policy::reject), config_error);
}

TEST_CASE("local days of 23 and 25 hours, and a midnight that does not exist") {
    const zone berlin = zone::parse("Europe/Berlin");
    const period spring = period_of(berlin, at("2021-03-28T12:00:00Z"), {period_kind::day});
    CHECK(spring.begin == at("2021-03-27T23:00:00Z"));
    CHECK(spring.end == at("2021-03-28T22:00:00Z"));
    CHECK(spring.length() == std::chrono::hours{23});
    const period autumn = period_of(berlin, at("2021-10-31T12:00:00Z"), {period_kind::day});
    CHECK(autumn.length() == std::chrono::hours{25});
    // Santiago de Chile moved clocks from 00:00 to 01:00 on 2022-09-11: that day starts at 04:00Z
    const zone scl = zone::parse("America/Santiago");
    CHECK(start_of_day(scl, date::year{2022} / 9 / 11) == at("2022-09-11T04:00:00Z"));
    CHECK(period_of(scl, at("2022-09-11T12:00:00Z"), {period_kind::day}).length() == std::chrono::hours{23});
    // a fixed offset never has such days
    CHECK(period_of(zone::fixed(360), at("2021-03-28T12:00:00Z"), {period_kind::day}).length() ==
          std::chrono::hours{24});
}

TEST_CASE("months, years and billing periods in local time") {
    const zone msk = zone::parse("Europe/Moscow");
    const period aug = period_of(msk, at("2020-08-21T06:05:00Z"), {period_kind::month});
    CHECK(aug.start_date == date::year{2020} / 8 / 1);
    CHECK(aug.begin == at("2020-07-31T21:00:00Z"));
    CHECK(aug.end == at("2020-08-31T21:00:00Z"));
    // 2020-07-31T21:30Z is already 1 August in Moscow
    CHECK(period_of(msk, at("2020-07-31T21:30:00Z"), {period_kind::month}).start_date ==
          date::year{2020} / 8 / 1);
    const period y = period_of(msk, at("2020-08-21T06:05:00Z"), {period_kind::year});
    CHECK(y.begin == at("2019-12-31T21:00:00Z"));
    CHECK(y.length() == std::chrono::hours{24 * 366});
    // billing period starting on the 25th: 21.08 belongs to 25.07..25.08
    const period_spec b25{period_kind::billing, 25};
    const period bp = period_of(msk, at("2020-08-21T06:05:00Z"), b25);
    CHECK(bp.start_date == date::year{2020} / 7 / 25);
    CHECK(bp.end == at("2020-08-24T21:00:00Z"));
    // starting on the 31st: clamped to the month's last day
    const period_spec b31{period_kind::billing, 31};
    CHECK(period_start(date::year{2021} / 3 / 15, b31) == date::year{2021} / 2 / 28);
    CHECK(next_period_start(date::year{2021} / 2 / 28, b31) == date::year{2021} / 3 / 31);
    CHECK(period_start(date::year{2020} / 3 / 1, b31) == date::year{2020} / 2 / 29);
    CHECK_THROWS_AS(period_start(date::year{2020} / 3 / 1, period_spec{period_kind::billing, 0}),
                    config_error);
    // consecutive periods tile the range without gaps
    const auto months =
        periods_between(msk, at("2020-05-01T00:00:00Z"), at("2020-08-21T06:05:00Z"), {period_kind::month});
    REQUIRE(months.size() == 4);
    CHECK(months.front().start_date == date::year{2020} / 5 / 1);
    for (std::size_t i = 1; i < months.size(); ++i) CHECK(months[i].begin == months[i - 1].end);
    CHECK(periods_between(msk, at("2020-05-01T00:00:00Z"), at("2020-05-01T00:00:00Z"), {period_kind::day})
              .empty());
}

TEST_CASE("INN, KPP, OGRN and OGRNIP check digits") {
    // 7707083893: 10-digit INN; weights 2,4,10,3,5,9,4,6,8 give 7*2+7*4+0+7*3+0+8*9+3*4+8*6+9*8 = 267;
    // 267 mod 11 = 3 = the 10th digit.
    CHECK_FALSE(check_inn("7707083893"));
    CHECK(check_inn("7707083894"));
    // 500100732259: 12 digits, both check digits (5 and 9) computed by hand with the two weight rows
    CHECK_FALSE(check_inn("500100732259"));
    CHECK(check_inn("500100732258"));
    CHECK(check_inn("77070838"));
    CHECK(check_inn("77070838a3"));
    CHECK_FALSE(check_kpp("773601001"));
    CHECK_FALSE(check_kpp("7736AB001"));
    CHECK(check_kpp("7736ab001"));
    CHECK(check_kpp("77360100"));
    // 1027700132195: 102770013219 mod 11 = 5 -> 5
    CHECK_FALSE(check_ogrn("1027700132195"));
    CHECK(check_ogrn("1027700132194"));
    // 304500116000157: 30450011600015 mod 13 = 7 -> 7
    CHECK_FALSE(check_ogrn("304500116000157"));
    CHECK(check_ogrn("304500116000158"));
    CHECK(check_ogrn("12345"));
    CHECK(*check_inn("7707083894") == "INN '7707083894' has a wrong check digit");
}

TEST_CASE("account numbers and serials") {
    CHECK_FALSE(check_account_number("A15900009460"));
    CHECK_FALSE(check_account_number("13225468216"));
    CHECK(check_account_number(""));
    CHECK(check_account_number("A1590 0009460"));
    CHECK(check_account_number(std::string(33, '1')));
    CHECK_FALSE(check_serial("44103814060174"));
    CHECK_FALSE(check_serial("98990006"));
    CHECK(*check_serial("989,9") ==
          "serial number '989,9' contains ',' (allowed: Latin letters, digits and '-_./')");
}

TEST_CASE("errors carry a stable code and a fixed prefix") {
    const storage_error e(errc::storage_conflict, "x");
    CHECK(std::string(e.what()) == "[kvant.storage.302] x");
    CHECK(e.message() == "x");
    CHECK(area_of(errc::decode) == "decode");
    const location l{"f.csv", 12, "timestamp", 4};
    CHECK(l.to_string() == "f.csv:12: field 'timestamp': byte 4");
    CHECK(std::string(version_string()) == std::to_string(KVANT_VERSION_MAJOR) + "." +
                                               std::to_string(KVANT_VERSION_MINOR) + "." +
                                               std::to_string(KVANT_VERSION_PATCH));
}

TEST_CASE("a zone's offset table agrees with the tz database, gaps and repeats included") {
    // oracle: date/tz's own answers, for zones with DST, 30-minute DST, odd offsets and midnight changes
    for (const char* name : {"Europe/Berlin", "Europe/Moscow", "America/Santiago", "Australia/Lord_Howe",
                             "Asia/Kathmandu", "America/St_Johns", "Pacific/Apia"}) {
        const zone z = zone::parse(name);
        const date::time_zone* tz = date::locate_zone(name);
        std::uint64_t x = 7;
        for (int i = 0; i < 20000; ++i) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            // instants from 1900 to 2100
            const std::int64_t u = -2208988800LL + static_cast<std::int64_t>((x >> 11) % 6311433600ULL);
            const instant t = from_unix(u);
            REQUIRE(z.offset_at(t) == tz->get_info(t).offset);
            // local times near transitions matter most: also try the local time of u shifted by up to ±2 h
            const local_time lt =
                z.to_local(t) + seconds{static_cast<std::int64_t>((x >> 40) % 14400) - 7200};
            const auto info = tz->get_info(lt);
            switch (info.result) {
                case date::local_info::unique:
                    REQUIRE(z.to_instant(lt) == instant{lt.time_since_epoch() - info.first.offset});
                    break;
                case date::local_info::ambiguous:
                    REQUIRE(z.to_instant(lt, local_policy::earliest) ==
                            instant{lt.time_since_epoch() - info.first.offset});
                    REQUIRE(z.to_instant(lt, local_policy::latest) ==
                            instant{lt.time_since_epoch() - info.second.offset});
                    break;
                case date::local_info::nonexistent:
                    REQUIRE(z.to_instant(lt) == date::floor<seconds>(info.second.begin));
                    break;
            }
        }
    }
}
