// IEC 62056-21 and DLMS/COSEM records into channels and meter events (map_frame): OBIS codes, Energomera
// names, per-device overrides, exact unit conversion, the time of a value (its own stamp, its profile row's
// clock with or without a deviation, the clock status), the СПОДЭС event journals, and the default kinds by
// journal against the event catalogue of ../shared/corpus/dlms/spodes_event_codes.json.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kvant/decode/dlms.hpp"
#include "kvant/decode/frame_mapping.hpp"
#include "kvant/decode/iec62056_21.hpp"
#include "kvant/io/event_catalogue.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

logical_name ln(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint8_t e,
                std::uint8_t f = 255) {
    return logical_name{{a, b, c, d, e, f}};
}

/// One mapped row, as text: "channel @ time = value".
std::vector<std::string> rows(const reading_table& t) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < t.size(); ++i)
        out.push_back(to_string(t.channel_of(i)) + " @ " + to_string(from_unix(t.times()[i])) + " = " +
                      to_string(decimal::from_raw(t.values()[i])));
    return out;
}

/// An IEC 62056-21 frame built record by record, as the iec decoder fills it.
struct iec_frame {
    decoded_frame f;
    iec_frame() {
        f.protocol = "iec62056-21";
        f.header.kind = frame_kind::iec_data;
    }
    std::uint32_t text(std::string_view s) {
        const auto at = static_cast<std::uint32_t>(f.text.size());
        f.text += s;
        return at;
    }
    /// A data set `name` (OBIS C.D.E[*F] or an Energomera name), element `element` of its values.
    frame_record& add(std::string_view name, std::string_view value, std::string_view unit = {},
                      std::uint32_t element = 0) {
        frame_record r;
        r.name_offset = text(name);
        r.name_size = static_cast<std::uint32_t>(name.size());
        // OBIS "C.D.E" or "C.D.E*F": groups C, D, E (and F) given
        unsigned g[4] = {0, 0, 0, 0};
        int n = 0;
        bool star = false;
        bool digits = !name.empty();
        for (char ch : name) {
            if (ch >= '0' && ch <= '9') {
                g[n] = g[n] * 10 + unsigned(ch - '0');
            } else if (ch == '.' && n < 2) {
                ++n;
            } else if (ch == '*' && n == 2) {
                ++n;
                star = true;
            } else {
                digits = false;
            }
        }
        if (digits && n >= 2) {
            r.has_obis = true;
            r.obis = ln(0, 0, std::uint8_t(g[0]), std::uint8_t(g[1]), std::uint8_t(g[2]),
                        star ? std::uint8_t(g[3]) : 0);
            r.obis_given = star ? 0x3C : 0x1C;
        }
        const bool energy_list = r.has_obis || (name.size() == 5 && name[0] == 'E');
        r.subunit = static_cast<std::uint16_t>(element);
        if (energy_list) r.tariff = element;
        if (!unit.empty()) {
            r.unit_text_offset = text(unit);
            r.unit_text_size = static_cast<std::uint32_t>(unit.size());
        }
        if (value == "ERROR") {
            r.kind = value_kind::error_token;
            r.text_offset = text(value);
            r.text_size = 5;
        } else {
            r.kind = value_kind::number;
            std::string digits_only;
            int exponent = 0;
            bool after_point = false;
            for (char ch : value) {
                if (ch == '-') {
                    r.number.negative = true;
                } else if (ch == '.') {
                    after_point = true;
                } else {
                    digits_only += ch;
                    if (after_point) --exponent;
                }
            }
            r.number.magnitude = std::stoull(digits_only);
            r.number.exponent = static_cast<std::int16_t>(exponent);
        }
        f.records.push_back(r);
        return f.records.back();
    }
};

record_time local(int y, int mo, int d, int h, int mi) {
    record_time t;
    t.year = static_cast<std::int16_t>(y);
    t.month = std::uint8_t(mo);
    t.day = std::uint8_t(d);
    t.hour = std::uint8_t(h);
    t.minute = std::uint8_t(mi);
    t.has_date = t.has_time = true;
    return t;
}

frame_context context(const char* received = "2025-01-20T10:00:00Z", const char* tz = "Europe/Moscow") {
    frame_context c;
    c.meter = "m1";
    c.time_zone = zone::parse(tz);
    c.received = at(received);
    return c;
}

std::vector<std::string> reasons(const frame_values& v) {
    std::vector<std::string> out;
    for (const auto& s : v.skipped) out.push_back(std::to_string(s.record) + ": " + s.reason);
    return out;
}

}  // namespace

TEST_CASE("IEC 62056-21 OBIS data sets map to channels with their units converted exactly") {
    iec_frame x;
    x.add("1.8.0", "12345.678", "kWh");            // 0 → active_import
    x.add("1.8.1", "1500", "Wh");                  // 1 → active_import.t1, 1.5 kWh
    x.add("2.8.0", "1.2345", "MWh");               // 2 → active_export, 1234.5 kWh
    x.add("3.8.0", "77.7");                        // 3 → reactive_import, no unit: the channel's kvarh
    x.add("32.7.0", "230.1", "V");                 // 4 → voltage_l1
    x.add("1.7.0", "2500", "W");                   // 5 → active_import.instant, 2.5 kW
    x.add("0.0.0", "12345678");                    // 6 → the meter's number: not a reading, nothing said
    x.add("1.8.0", "5", "kvarh");                  // 7 → skipped: kvarh is not active energy
    x.add("1.8.0*01", "12000.5", "kWh");           // 8 → skipped: a historical value
    x.add("1.8.2", "ERROR");                       // 9 → skipped: an error token
    x.add("1.5.0", "1.2", "kW");                   // 10 → skipped: OBIS D = 5 has no channel
    x.add("15.8.0", "0.0000001", "MWh");           // 11 → active_absolute, 0.0001 kWh (exact)
    x.add("1.8.3", "1", "Wh");                     // 12 → active_import.t3 0.001 kWh
    auto& stamped = x.add("1.6.0", "5.25", "kW");  // 13 → maximum demand at its own time stamp
    stamped.when = local(2025, 1, 15, 18, 30);     // local (Moscow, UTC+3)
    reading_table t;
    std::vector<meter_event> ev;
    const auto v = map_frame(x.f, context(), t, ev);
    CHECK(rows(t) == std::vector<std::string>{
                         "active_import @ 2025-01-20T10:00:00Z = 12345.678",
                         "active_import.t1 @ 2025-01-20T10:00:00Z = 1.5",
                         "active_export @ 2025-01-20T10:00:00Z = 1234.5",
                         "reactive_import @ 2025-01-20T10:00:00Z = 77.7",
                         "voltage_l1 @ 2025-01-20T10:00:00Z = 230.1",
                         "active_import.instant @ 2025-01-20T10:00:00Z = 2.5",
                         "active_absolute @ 2025-01-20T10:00:00Z = 0.0001",
                         "active_import.t3 @ 2025-01-20T10:00:00Z = 0.001",
                         "active_import.max @ 2025-01-15T15:30:00Z = 5.25",
                     });
    CHECK(v.readings == 9);
    CHECK(ev.empty());
    CHECK(reasons(v) == std::vector<std::string>{
                            "7: 1.8.0: a value in kvarh does not fit active_import (kWh)",
                            "8: OBIS 1.8.0*01: a historical value (F = 1) has no channel",
                            "9: 1.8.2: the meter sent ERROR in place of the value",
                            "10: OBIS 1.5.0 (1.5.0) has no channel",
                        });
}

TEST_CASE("IEC values not exact in millionths, NEVA lists and profile rows") {
    iec_frame x;
    x.add("1.8.0", "0.1234567", "kWh");  // 0: seven decimals of kWh: skipped, never rounded
    x.add("1.8.0", "3.0000005", "MWh");  // 1: 3000.0005 kWh: exact
    // NEVA: 1.8.0(total,T1,T2,T3,T4): the element index is the tariff
    x.add("1.8.0", "900", "kWh", 0);  // 2 (a second value of 1.8.0 at the same time: skipped)
    x.add("1.8.0", "600", "kWh", 1);  // 3 → t1
    x.add("1.8.0", "300", "kWh", 2);  // 4 → t2
    x.add("1.8.1", "5", "kWh", 1);    // 5: element 1 of a tariff register: skipped
    x.add("1.8.0", "1", "kWh", 9);    // 6: tariff 9: skipped
    // P.01 rows: 1.29.0 interval energy; the decoder gives each row its time and a storage number
    auto& r1 = x.add("1.29.0", "0.25", "kWh");  // 7
    r1.storage = 1;
    r1.when = local(2025, 1, 19, 0, 30);
    auto& r2 = x.add("1.29.0", "0.5", "kWh");  // 8
    r2.storage = 2;
    r2.when = local(2025, 1, 19, 1, 0);
    auto& r3 = x.add("1.29.0", "0.5", "kWh");  // 9: a row without a time
    r3.storage = 3;
    reading_table t;
    std::vector<meter_event> ev;
    const auto v = map_frame(x.f, context(), t, ev);
    CHECK(rows(t) == std::vector<std::string>{
                         "active_import @ 2025-01-20T10:00:00Z = 3000.0005",
                         "active_import.t1 @ 2025-01-20T10:00:00Z = 600",
                         "active_import.t2 @ 2025-01-20T10:00:00Z = 300",
                         "active_import.interval @ 2025-01-18T21:30:00Z = 0.25",
                         "active_import.interval @ 2025-01-18T22:00:00Z = 0.5",
                     });
    CHECK(reasons(v) ==
          std::vector<std::string>{
              "0: 1.8.0: value 0.1234567 kWh is not exact in millionths of kWh (round_excess stores it "
              "rounded)",
              "2: 1.8.0: an earlier record of this frame has a value of active_import at that time",
              "5: element 1 of the tariff register 1.8.1 has no channel",
              "6: element 9 of 1.8.0: channels have tariffs 1..8",
              "9: 1.29.0: a profile row (storage 3) without a time",
          });
}

TEST_CASE("values with excess decimals are stored rounded half to even when the host asks") {
    // exact_number → millionths, rounded half to even: worked out digit by digit
    const auto rounded = [](std::uint64_t magnitude, std::int16_t exponent, bool negative = false) {
        return to_string(*exact_number{magnitude, exponent, negative}.to_decimal_rounded());
    };
    CHECK(rounded(169079477764, -7) == "16907.947776");  // dropped 4: down
    CHECK(rounded(36282698795, -7) == "3628.26988");     // dropped 5 alone, kept 9 odd: up to ...880
    CHECK(rounded(36282698805, -7) == "3628.26988");     // dropped 5 alone, kept 0 even: stays
    CHECK(rounded(36282698851, -8) == "362.826989");     // dropped 51: above half: up
    CHECK(rounded(5, -7) == "0");                        // 0.0000005: half, 0 even: 0
    CHECK(rounded(15, -7) == "0.000002");                // 0.0000015: half, 1 odd: up
    CHECK(rounded(1, -30) == "0");                       // every digit dropped: below half
    CHECK(rounded(1234567, -7, true) == "-0.123457");    // the sign kept
    CHECK(rounded(12, 0) == "12");                       // exact values are as to_decimal gives them
    CHECK_FALSE(exact_number{~std::uint64_t{0}, 0, false}.to_decimal_rounded());  // out of range

    iec_frame x;
    x.add("1.8.0", "0.1234567", "kWh");
    frame_context c = context();
    c.round_excess = true;
    reading_table t;
    std::vector<meter_event> ev;
    const auto v = map_frame(x.f, c, t, ev);
    CHECK(rows(t) == std::vector<std::string>{"active_import @ 2025-01-20T10:00:00Z = 0.123457"});
    CHECK(v.skipped.empty());
}

TEST_CASE("Energomera names map by the built-in table, per-device names win over every table") {
    iec_frame x;
    // ET0PE: total, T1..T5 (CE301 readout of hostcc/energomera-hass-mqtt; 11504.39 + 3628.27 + 1775.29 =
    // 16907.95, the total)
    const char* et0pe[] = {"16907.9477764", "11504.3875082", "3628.2698795", "1775.2903887", "0.0", "0.0"};
    for (std::uint32_t k = 0; k < 6; ++k) x.add("ET0PE", et0pe[k], {}, k);  // 0..5
    x.add("VOLTA", "233.751", {}, 0);                                       // 6
    x.add("VOLTA", "235.418", {}, 1);                                       // 7
    x.add("VOLTA", "234.796", {}, 2);                                       // 8
    x.add("CURRE", "1.479", {}, 0);                                         // 9
    x.add("FREQU", "49.96");                                                // 10
    x.add("POWEP", "0.5266");                                               // 11
    x.add("ECMPE", "357.8505119", {}, 0);                                   // 12: a month's energy
    x.add("POWPP", "0.0592", {}, 0);                                        // 13
    x.add("ZZZZZ", "1");                                                    // 14: unknown name
    reading_table t;
    std::vector<meter_event> ev;
    auto c = context();
    auto v = map_frame(x.f, c, t, ev);
    // ET0PE's non-zero values have seven decimals: not exact in millionths of kWh, skipped (below)
    CHECK(rows(t) == std::vector<std::string>{
                         "active_import.t4 @ 2025-01-20T10:00:00Z = 0",
                         "active_import.t5 @ 2025-01-20T10:00:00Z = 0",
                         "voltage_l1 @ 2025-01-20T10:00:00Z = 233.751",
                         "voltage_l2 @ 2025-01-20T10:00:00Z = 235.418",
                         "voltage_l3 @ 2025-01-20T10:00:00Z = 234.796",
                         "current_l1 @ 2025-01-20T10:00:00Z = 1.479",
                         "frequency @ 2025-01-20T10:00:00Z = 49.96",
                         "active_import.instant @ 2025-01-20T10:00:00Z = 0.5266",
                     });
    const auto r = reasons(v);
    REQUIRE(r.size() == 7);
    CHECK(r[0] ==
          "0: ET0PE: value 16907.9477764 no unit is not exact in millionths of kWh (round_excess stores it "
          "rounded)");
    CHECK(r[3] ==
          "3: ET0PE: value 1775.2903887 no unit is not exact in millionths of kWh (round_excess stores it "
          "rounded)");
    CHECK(r[4].rfind("12: ECMPE: energy of a month or day", 0) == 0);
    CHECK(r[5] == "13: POWPP: active power of one phase has no channel");
    CHECK(r[6] == "14: no channel for ZZZZZ (map it per device)");

    // the device's own names: ECMPE as interval energy in MWh (its kWh value ÷ 1000), and 1.8.0 in MWh
    iec_frame y;
    y.add("ECMPE", "357.850511", {}, 0);  // 0
    y.add("1.8.0", "12345.678", "kWh");   // 1
    y.add("VOLTA", "233.751", {}, 0);     // 2: not overridden: the table
    c.channel_overrides = {{"ECMPE", parse_channel("active_import.interval")},
                           {"1.8.0", parse_channel("active_import@MWh")}};
    reading_table t2;
    v = map_frame(y.f, c, t2, ev);
    CHECK(rows(t2) == std::vector<std::string>{
                          "active_import.interval @ 2025-01-20T10:00:00Z = 357.850511",
                          "active_import@MWh @ 2025-01-20T10:00:00Z = 12.345678",
                          "voltage_l1 @ 2025-01-20T10:00:00Z = 233.751",
                      });
    CHECK(v.skipped.empty());
}

TEST_CASE("a DLMS Register's value with its scaler_unit applied once maps exactly, without it, skipped") {
    dlms_session s;
    s.scaler_units[ln(1, 0, 1, 8, 0)] = {-1, 30};   // 10^-1 Wh
    s.scaler_units[ln(1, 0, 2, 8, 0)] = {-4, 30};   // 10^-4 Wh
    s.scaler_units[ln(1, 0, 32, 7, 0)] = {-1, 35};  // 10^-1 V
    auto one = [&](const logical_name& obis, std::string_view hex, reading_table& t,
                   frame_context c = context()) {
        decoded_frame f;
        REQUIRE(decode_cosem_attribute(hex_bytes(hex), {3, obis, 2}, f, &s));
        std::vector<meter_event> ev;
        return map_frame(f, c, t, ev);
    };
    reading_table t;
    // 06 00 01 e2 40: double-long-unsigned 123456 × 10^-1 Wh = 12345.6 Wh = 12.3456 kWh
    auto v = one(ln(1, 0, 1, 8, 0), "06 00 01 e2 40", t);
    CHECK(v.readings == 1);
    // 12 08 fd: long-unsigned 2301 × 10^-1 V = 230.1 V
    v = one(ln(1, 0, 32, 7, 0), "12 08 fd", t);
    CHECK(v.readings == 1);
    CHECK(rows(t) == std::vector<std::string>{"active_import @ 2025-01-20T10:00:00Z = 12.3456",
                                              "voltage_l1 @ 2025-01-20T10:00:00Z = 230.1"});
    // 06 00 00 00 01: 1 × 10^-4 Wh = 10^-7 kWh: not exact in millionths
    reading_table t2;
    v = one(ln(1, 0, 2, 8, 0), "06 00 00 00 01", t2);
    CHECK(t2.empty());
    CHECK(reasons(v) == std::vector<std::string>{"0: 1-0:2.8.0*255: value 0.0001 Wh is not exact in "
                                                 "millionths of kWh (round_excess stores it rounded)"});
    // a register whose scaler_unit nothing gave: its raw number is never taken as the value
    v = one(ln(1, 0, 3, 8, 0), "06 00 00 00 07", t2);
    CHECK(t2.empty());
    CHECK(reasons(v) ==
          std::vector<std::string>{"0: 1-0:3.8.0*255: the object's scaler_unit is not known (raw value 7)"});
    // an abstract object (0.0.96.1.0.255, a serial number) is no reading and says nothing
    decoded_frame f;
    REQUIRE(decode_cosem_attribute(hex_bytes("06 00 00 00 07"), {1, ln(0, 0, 96, 1, 0), 2}, f, &s));
    std::vector<meter_event> ev;
    v = map_frame(f, context(), t2, ev);
    CHECK(t2.empty());
    CHECK(v.skipped.empty());
}

TEST_CASE("a СПОДЭС 30-minute profile: rows at their clock with the deviation, a null clock, clock status") {
    dlms_session s;
    const auto profile = ln(1, 0, 99, 1, 0);
    s.capture_objects[profile] = {{{8, ln(0, 0, 1, 0, 0), 2}, 0}, {{3, ln(1, 0, 1, 29, 0), 2}, 0}};
    s.capture_periods[profile] = 1800;
    s.scaler_units[ln(1, 0, 1, 29, 0)] = {0, 30};  // Wh
    // 01 04: array of 4 rows, each 02 02 (clock, value):
    //  row 1: 09 0c 07e9 01 0f 03 00 1e 00 00 ff4c 00 — 2025-01-15 (Wednesday) 00:30:00, deviation −180
    //         (UTC = local − 3 h: 2025-01-14T21:30Z), status 0; 06 000000fa = 250 Wh
    //  row 2: 00 (null: the previous clock + 1800 s, 01:00 local); 06 0000012c = 300 Wh
    //  row 3: 09 0c 07e9 01 0f 03 01 1e 00 00 ff4c 01 — 01:30, status 01 invalid; 06 00000190 = 400 Wh
    //  row 4: 09 0c 07e9 01 0f 03 02 00 00 00 8000 02 — 02:00, deviation not specified (the meter's zone,
    //         Moscow: 23:00Z), status 02 doubtful (kept); 06 000001f4 = 500 Wh
    const auto buffer = hex_bytes(
        "01 04"
        " 02 02 09 0c 07 e9 01 0f 03 00 1e 00 00 ff 4c 00 06 00 00 00 fa"
        " 02 02 00 06 00 00 01 2c"
        " 02 02 09 0c 07 e9 01 0f 03 01 1e 00 00 ff 4c 01 06 00 00 01 90"
        " 02 02 09 0c 07 e9 01 0f 03 02 00 00 00 80 00 02 06 00 00 01 f4");
    decoded_frame f;
    REQUIRE(decode_cosem_attribute(buffer, {7, profile, 2}, f, &s));
    REQUIRE(f.records.size() == 8);
    reading_table t;
    std::vector<meter_event> ev;
    const auto v = map_frame(f, context("2025-01-15T06:00:00Z", "Europe/Moscow"), t, ev);
    CHECK(rows(t) == std::vector<std::string>{
                         "active_import.interval @ 2025-01-14T21:30:00Z = 0.25",
                         "active_import.interval @ 2025-01-14T22:00:00Z = 0.3",
                         "active_import.interval @ 2025-01-14T23:00:00Z = 0.5",
                     });
    CHECK(reasons(v) ==
          std::vector<std::string>{
              "5: 1-0:1.29.0*255: its row's clock: the meter's clock status marks the time invalid"});
    // the same bytes for a meter in another zone: rows with a deviation do not move, row 4 does
    reading_table t2;
    map_frame(f, context("2025-01-15T06:00:00Z", "Asia/Yekaterinburg"), t2, ev);
    REQUIRE(t2.size() == 3);
    CHECK(rows(t2)[0] == "active_import.interval @ 2025-01-14T21:30:00Z = 0.25");
    CHECK(rows(t2)[2] == "active_import.interval @ 2025-01-14T21:00:00Z = 0.5");
}

TEST_CASE("a deviation outside -720..720 minutes is no offset: the row is skipped, never moved by days") {
    dlms_session s;
    const auto profile = ln(1, 0, 99, 1, 0);
    s.capture_objects[profile] = {{{8, ln(0, 0, 1, 0, 0), 2}, 0}, {{3, ln(1, 0, 1, 29, 0), 2}, 0}};
    s.scaler_units[ln(1, 0, 1, 29, 0)] = {0, 30};  // Wh
    // one row: 2025-01-15 00:30:00 with deviation 7F FF (32767 min, 22 days: not a UTC offset); 250 Wh
    const auto buffer = hex_bytes("01 01 02 02 09 0c 07 e9 01 0f 03 00 1e 00 00 7f ff 00 06 00 00 00 fa");
    decoded_frame f;
    REQUIRE(decode_cosem_attribute(buffer, {7, profile, 2}, f, &s));
    reading_table t;
    std::vector<meter_event> ev;
    const auto v = map_frame(f, context("2025-01-15T06:00:00Z", "Europe/Moscow"), t, ev);
    CHECK(t.empty());
    CHECK(reasons(v) == std::vector<std::string>{"1: 1-0:1.29.0*255: its row's clock: the time's deviation "
                                                 "32767 min is outside -720..720"});
}

TEST_CASE("СПОДЭС journal rows become meter events of journal e, code the value, kind by journal") {
    dlms_session s;
    const auto journal = ln(0, 0, 99, 98, 4);  // external impact
    s.capture_objects[journal] = {{{8, ln(0, 0, 1, 0, 0), 2}, 0}, {{1, ln(0, 0, 96, 11, 4), 2}, 0}};
    // 01 03 rows (clock, event code long-unsigned):
    //  2025-01-10 (Friday) 12:00 deviation −180 (09:00Z), code 12 00 05 = 5
    //  2025-01-10 12:05, code 12 00 06 = 6
    //  2025-01-10 12:06, code 0 (an empty entry)
    const auto buffer = hex_bytes(
        "01 03"
        " 02 02 09 0c 07 e9 01 0a 05 0c 00 00 00 ff 4c 00 12 00 05"
        " 02 02 09 0c 07 e9 01 0a 05 0c 05 00 00 ff 4c 00 12 00 06"
        " 02 02 09 0c 07 e9 01 0a 05 0c 06 00 00 ff 4c 00 12 00 00");
    decoded_frame f;
    REQUIRE(decode_cosem_attribute(buffer, {7, journal, 2}, f, &s));
    reading_table t;
    std::vector<meter_event> ev;
    const auto v = map_frame(f, context(), t, ev);
    CHECK(t.empty());
    CHECK(v.events == 2);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].meter == "m1");
    CHECK(ev[0].time == at("2025-01-10T09:00:00Z"));
    CHECK(ev[0].code == 5);
    CHECK(ev[0].journal == 4);
    CHECK(ev[0].kind == event_kind::tamper);
    CHECK(ev[0].message.empty());
    CHECK(ev[1].time == at("2025-01-10T09:05:00Z"));
    CHECK(ev[1].code == 6);
    CHECK(reasons(v) == std::vector<std::string>{"5: event code 0 of journal 4 (no event)"});

    CHECK(journal_event_kind(0) == event_kind::power);
    CHECK(journal_event_kind(1) == event_kind::power);
    CHECK(journal_event_kind(2) == event_kind::relay);
    CHECK(journal_event_kind(3) == event_kind::other);
    CHECK(journal_event_kind(5) == event_kind::communication);
    CHECK(journal_event_kind(6) == event_kind::access);
    CHECK(journal_event_kind(7) == event_kind::fault);
    CHECK(journal_event_kind(8) == event_kind::other);
}

TEST_CASE("the default kind by journal agrees with the event catalogue for tamper, relay and fault") {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/dlms/spodes_event_codes.json";
    std::ifstream in(path);
    if (!in) {
        WARN("corpus absent (" << path << "): skipped");
        return;
    }
    const auto cat = event_catalogue::load(path);
    const auto j = nlohmann::json::parse(in);
    const std::string source = j.at("source").get<std::string>();
    std::map<event_kind, int> checked;
    for (const auto& e : j.at("events")) {
        if (!e.at("journal").is_string()) continue;
        const std::string jn = e.at("journal").get<std::string>();  // 0.0.99.98.e.255
        const int journal = logical_name::parse(jn).value().g[4];
        const int code = e.at("code").get<int>();
        const auto* entry = cat.find(journal, code);
        REQUIRE(entry != nullptr);
        if (entry->kind != event_kind::tamper && entry->kind != event_kind::relay &&
            entry->kind != event_kind::fault)
            continue;
        INFO(source << ": journal " << journal << " code " << code << " " << entry->ru);
        CHECK(journal_event_kind(journal) == entry->kind);
        // and classify() keeps the kind of an event mapped from that journal
        meter_event ev;
        ev.journal = journal;
        ev.code = code;
        ev.kind = journal_event_kind(journal);
        CHECK(cat.classify(ev));
        CHECK(ev.kind == entry->kind);
        ++checked[entry->kind];
    }
    CHECK(checked[event_kind::tamper] > 0);
    CHECK(checked[event_kind::relay] > 0);
    CHECK(checked[event_kind::fault] > 0);
}

TEST_CASE("an IEC 62056-21 readout decoded and mapped end to end") {
    // STX, the data lines, "!" CR LF, ETX, BCC (XOR of the bytes after STX up to and including ETX: 0x1E)
    const std::string text =
        "\x02"
        "1.8.0(012345.678*kWh)\r\n"        // active_import 12345.678
        "1.8.1(000100.5*kWh)\r\n"          // active_import.t1 100.5
        "1-0:2.8.0(1.5*MWh)\r\n"           // active_export 1500
        "32.7.0(230.1*V)\r\n"              // voltage_l1 230.1
        "1.6.0(05.25*kW)(2501151830)\r\n"  // active_import.max 5.25 at 2025-01-15 18:30 Moscow
        "0.0.0(12345678)\r\n"              // the meter's number: not a reading
        "!\r\n"
        "\x03\x1e";
    const std::vector<std::uint8_t> bytes(text.begin(), text.end());
    decoded_frame f;
    REQUIRE(decode_iec62056_21(bytes, f, bcc_dialect::standard));
    REQUIRE(f.ok());
    reading_table t;
    std::vector<meter_event> ev;
    const auto v = map_frame(f, context(), t, ev);
    CHECK(rows(t) == std::vector<std::string>{
                         "active_import @ 2025-01-20T10:00:00Z = 12345.678",
                         "active_import.t1 @ 2025-01-20T10:00:00Z = 100.5",
                         "active_export @ 2025-01-20T10:00:00Z = 1500",
                         "voltage_l1 @ 2025-01-20T10:00:00Z = 230.1",
                         "active_import.max @ 2025-01-15T15:30:00Z = 5.25",
                     });
    CHECK(v.skipped.empty());
}

TEST_CASE("the Energomera CE301 readouts of hostcc/energomera-hass-mqtt decoded and mapped") {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/iec62056-21/hostcc_energomera.jsonl";
    std::ifstream in(path);
    if (!in) {
        WARN("corpus absent (" << path << "): skipped");
        return;
    }
    std::vector<std::string> all;
    std::vector<std::string> why;
    std::string line;
    int readouts = 0;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        const std::string input = j.at("input").get<std::string>();
        if (input.empty() || input[0] != '\x02') continue;  // the meter's data messages only
        const std::string source = j.at("source").get<std::string>() + " " + j.at("id").get<std::string>();
        INFO(source);
        const std::vector<std::uint8_t> bytes(input.begin(), input.end());
        decoded_frame f;
        REQUIRE(decode_iec62056_21(bytes, f, bcc_dialect::energomera));
        reading_table t;
        std::vector<meter_event> ev;
        const auto v = map_frame(f, context(), t, ev);
        for (const auto& r : rows(t)) all.push_back(r);
        for (const auto& s : v.skipped) why.push_back(std::string(f.name_of(f.records[s.record])));
        ++readouts;
    }
    CHECK(readouts == 12);
    // VOLTA, CURRE: three phases; FREQU; POWEP (kW); ET0PE's zero tariffs T4 and T5 (its other values have
    // seven decimals)
    CHECK(all == std::vector<std::string>{
                     "active_import.t4 @ 2025-01-20T10:00:00Z = 0",
                     "active_import.t5 @ 2025-01-20T10:00:00Z = 0",
                     "active_import.instant @ 2025-01-20T10:00:00Z = 0.5266",
                     "voltage_l1 @ 2025-01-20T10:00:00Z = 233.751",
                     "voltage_l2 @ 2025-01-20T10:00:00Z = 235.418",
                     "voltage_l3 @ 2025-01-20T10:00:00Z = 234.796",
                     "current_l1 @ 2025-01-20T10:00:00Z = 1.479",
                     "current_l2 @ 2025-01-20T10:00:00Z = 2.8716",
                     "current_l3 @ 2025-01-20T10:00:00Z = 0.782",
                     "frequency @ 2025-01-20T10:00:00Z = 49.96",
                 });
    // skipped: HELLO's fields, ET0PE ×4, ECMPE ×6, ENMPE ×6, EAMPE ×6, ECDPE ×6, POWPP ×3, VNULL
    std::map<std::string, int> count;
    for (const auto& n : why) ++count[n];
    CHECK(count["ET0PE"] == 4);
    CHECK(count["ECMPE"] == 6);
    CHECK(count["ENMPE"] == 6);
    CHECK(count["POWPP"] == 3);
    CHECK(count["VNULL"] == 1);
}
