// Wired M-Bus decoding (EN 13757-2/-3): conformance over libmbus's test frames (../shared/corpus/mbus), its
// error frames, and hand-made frames for every data type, DIFE and VIFE chains, the extension tables,
// truncation at every byte and lying lengths.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kvant/core/error.hpp"
#include "kvant/decode/decoder.hpp"
#include "kvant/decode/mbus.hpp"
#include "support.hpp"

using namespace kvant;
using kvant::test::hex_bytes;

namespace {

__extension__ typedef __int128 i128;  // exact millionths of any record value

std::string to_hex(std::span<const std::uint8_t> b, const char* sep = "") {
    std::string s;
    char buf[4];
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i != 0) s += sep;
        std::snprintf(buf, sizeof buf, "%02X", b[i]);
        s += buf;
    }
    return s;
}

// A long frame around application data (C=0x08 RSP_UD, A=0x01), with L and the checksum computed.
std::vector<std::uint8_t> long_frame(std::uint8_t ci, const std::vector<std::uint8_t>& data,
                                     std::uint8_t c = 0x08, std::uint8_t a = 0x01) {
    std::vector<std::uint8_t> f;
    f.reserve(data.size() + 9);
    for (std::uint8_t b : {std::uint8_t(0x68), std::uint8_t(data.size() + 3), std::uint8_t(data.size() + 3),
                           std::uint8_t(0x68), c, a, ci})
        f.push_back(b);
    for (std::uint8_t b : data) f.push_back(b);  // (insert() trips GCC 12's -Warray-bounds)
    std::uint8_t cs = 0;
    for (std::size_t i = 4; i < f.size(); ++i) cs = std::uint8_t(cs + f[i]);
    f.push_back(cs);
    f.push_back(0x16);
    return f;
}

// The 12-byte long header of the hand-made frames: id 12345678, manufacturer "KVA", version 1, water,
// access number 0x2A, status 0, configuration 0.
const std::vector<std::uint8_t> header = {
    0x78, 0x56, 0x34, 0x12,  // id 12345678 (BCD, least significant byte first)
    0xC1, 0x2E,              // manufacturer 0x2EC1 = K(11) V(22) A(1): 11<<10 | 22<<5 | 1
    0x01, 0x07,              // version 1, medium 0x07 water
    0x2A, 0x00,              // access number 42, status 0
    0x00, 0x00};             // configuration: no encryption

// Decodes one record (the application data after the long header) and returns the frame.
decoded_frame one(const std::vector<std::uint8_t>& records) {
    std::vector<std::uint8_t> data = header;
    data.insert(data.end(), records.begin(), records.end());
    decoded_frame f;
    const auto bytes = long_frame(0x72, data);
    const bool ok = decode_mbus(bytes, f);
    INFO(to_hex(bytes) << ": " << f.error.message());
    REQUIRE(ok);
    return f;
}

// ---- the corpus ------------------------------------------------------------------------------------------

// Exact rounding: divide by 10^k at once, rounding the dropped digits half up.
std::optional<i128> rounded_millionths(const exact_number& n, std::int64_t factor = 1) {
    i128 v = i128(n.magnitude) * factor;
    int e = n.exponent + 6;
    if (e >= 0) {
        for (; e > 0; --e) {
            if (v > (i128(1) << 100)) return std::nullopt;
            v *= 10;
        }
    } else {
        i128 p = 1;
        for (; e < 0; ++e) {
            if (p > (i128(1) << 100)) return i128(0);
            p *= 10;
        }
        v = (v + p / 2) / p;
    }
    return n.negative ? -v : v;
}

std::optional<i128> parse_millionths(const std::string& s) {
    i128 v = 0;
    bool neg = false, point = false;
    int frac = 0;
    for (char c : s) {
        if (c == '-') {
            neg = true;
        } else if (c == '.') {
            point = true;
        } else if (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            if (point) ++frac;
        } else {
            return std::nullopt;
        }
    }
    for (; frac < 6; ++frac) v *= 10;
    for (; frac > 6; --frac) v /= 10;
    return neg ? -v : v;
}

std::string text_of(i128 v) {
    const bool neg = v < 0;
    if (neg) v = -v;
    std::string s;
    do {
        s.insert(s.begin(), char('0' + int(v % 10)));
        v /= 10;
    } while (v != 0);
    return (neg ? "-" : "") + s;
}

std::string when_text(const record_time& t, bool zulu) {
    char buf[40];
    if (t.has_time)
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s", t.year, t.month, t.day, t.hour,
                      t.minute, t.second, zulu ? "Z" : "");
    else
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.year, t.month, t.day);
    return buf;
}

const std::map<std::string, record_function> libmbus_functions = {
    {"Instantaneous value", record_function::instantaneous},
    {"Maximum value", record_function::maximum},
    {"Minimum value", record_function::minimum},
    {"Value during error state", record_function::error},
};

// libmbus's normalized quantity names and ours (plain-text units are compared by their text).
const std::map<std::string, record_quantity> libmbus_quantities = {
    {"Fabrication No", record_quantity::fabrication_number},
    {"Volume", record_quantity::volume},
    {"Time point (date)", record_quantity::time_point},
    {"Time point (date & time)", record_quantity::time_point},
    {"Operating time", record_quantity::operating_time},
    {"On time", record_quantity::on_time},
    {"Firmware version", record_quantity::firmware_version},
    {"Software version", record_quantity::software_version},
    {"Manufacturer specific", record_quantity::manufacturer_specific},
    {"", record_quantity::manufacturer_specific},
    {"Energy", record_quantity::energy},
    {"Flow temperature", record_quantity::flow_temperature},
    {"Return temperature", record_quantity::return_temperature},
    {"External temperature", record_quantity::external_temperature},
    {"Temperature difference", record_quantity::temperature_difference},
    {"Volume flow", record_quantity::volume_flow},
    {"Power", record_quantity::power},
    {"Error flags", record_quantity::error_flags},
    {"Digital Input", record_quantity::digital_input},
    {"Digital Output", record_quantity::digital_output},
    {"Averaging Duration", record_quantity::averaging_duration},
    {"Actuality Duration", record_quantity::actuality_duration},
    {"Voltage", record_quantity::voltage},
    {"Current", record_quantity::current},
    {"Reset counter", record_quantity::reset_counter},
    {"H.C.A.", record_quantity::hca_units},
    {"Special supplier information", record_quantity::supplier_information},
    {"Customer location", record_quantity::customer_location},
    {"Dimensionless", record_quantity::dimensionless},
    {"(Enhanced) Identification", record_quantity::enhanced_identification},
    {"Medium", record_quantity::medium},
    {"Model / Version", record_quantity::model_version},
    {"Parameter set identification", record_quantity::parameter_set},
    {"Reserved", record_quantity::other},
};

// Our unit → libmbus's normalized unit, and the factor from ours to it (durations in seconds).
struct unit_map {
    const char* name;
    std::int64_t factor;
};
unit_map libmbus_unit(record_unit u) {
    switch (u) {
        case record_unit::wh:
            return {"Wh", 1};
        case record_unit::j:
            return {"J", 1};
        case record_unit::m3:
            return {"m^3", 1};
        case record_unit::w:
            return {"W", 1};
        case record_unit::m3_per_h:
            return {"m^3/h", 1};
        case record_unit::celsius:
            return {
                "\xC3\x82\xC2\xB0"
                "C",
                1};  // "°C" as the corpus spells it
        case record_unit::kelvin:
            return {"K", 1};
        case record_unit::s:
            return {"s", 1};
        case record_unit::min:
            return {"s", 60};
        case record_unit::h:
            return {"s", 3600};
        case record_unit::d:
            return {"s", 86400};
        case record_unit::v:
            return {"V", 1};
        case record_unit::a:
            return {"A", 1};
        default:
            return {"", 1};
    }
}

// Records where libmbus's expectation is wrong per EN 13757-3; we assert our own value instead.
struct divergence {
    const char* reason;
    value_kind kind;         // ours
    const char* value = "";  // ours: the number's exact text, or the date and time
    bool invalid = false;    // ours: the IV flag of a date
    std::uint8_t modifier = 0;
    record_unit unit = record_unit::none;
};
const char* const bcd_reason =
    "EN 13757-3 Annex A type A: BCD digits are 0..9 (0xF in the highest digit is a minus sign); libmbus "
    "reads "
    "the nibbles 0xA..0xE as digits. The meter marks an error value so: our value is `invalid`, the bytes "
    "kept";
const char* const iv_reason =
    "EN 13757-3 Annex A type F: bit 7 of the minute byte (IV) says the date is not valid; libmbus then "
    "writes "
    "a zero date (1900-01-00), we keep the fields as sent and set `invalid`";
const char* const limit_reason =
    "EN 13757-3 Table 15: VIFE E101 ufnn is the duration of a limit exceed (u upper, f last, nn s/min/h/d), "
    "not the VIF's quantity; libmbus ignores the VIFE (its issue #82) and calls the seconds a volume flow";
const char* const date_of_reason =
    "EN 13757-3 Table 15: VIFE E110 1f1b (0x6F: the end of the last) makes the value a date and time of the "
    "VIF's quantity (type F by the 4-byte field), not the quantity; libmbus reads the date's bytes as a "
    "number "
    "(a flow temperature of 41065374.6 C)";
const std::map<std::pair<std::string, std::size_t>, divergence> divergences = {
    // 3C 2B BDEBDDDD: 8-digit BCD power, digits B, D, E
    {{"libmbus:test/test-frames/ELS_Elster-F96-Plus.hex", 4}, {bcd_reason, value_kind::invalid}},
    // 3B 3B BDEBDD: 6-digit BCD volume flow
    {{"libmbus:test/test-frames/ELS_Elster-F96-Plus.hex", 5}, {bcd_reason, value_kind::invalid}},
    // 3C 2A DDB4EBDD, 3B 3A DDB4EB
    {{"libmbus:test/test-frames/abb_f95.hex", 2}, {bcd_reason, value_kind::invalid}},
    {{"libmbus:test/test-frames/abb_f95.hex", 3}, {bcd_reason, value_kind::invalid}},
    // 04 6D A115E917: minute 0x21 = 33 with IV, hour 0x15 = 21, day 9 and year bits 7 (E9), month 7 and year
    // bits 1 << 3 (17): year 15
    {{"libmbus:test/test-frames/REL-Relay-Padpuls2.hex", 1},
     {iv_reason, value_kind::date_time, "2015-07-09T21:33:00", true}},
    // 04 BE 50 71BBB000: VIF 3E volume flow, VIFE 50 (lower limit, first, seconds): 0x00B0BB71 s
    {{"libmbus:test/test-frames/SEN_Pollustat.hex", 12},
     {limit_reason, value_kind::number, "11582321", false, 0x50, record_unit::s}},
    // 04 BE 58 F4020000: VIFE 58 (upper limit, first, seconds): 0x2F4 = 756 s
    {{"libmbus:test/test-frames/SEN_Pollustat.hex", 13},
     {limit_reason, value_kind::number, "756", false, 0x58, record_unit::s}},
    // 9410 AD6F 00000000, 9410 BB6F 00000000: a zero type F date of the maximum power, volume flow
    {{"libmbus:test/test-frames/landis+gyr_ultraheat_t230.hex", 19},
     {date_of_reason, value_kind::date_time, "2000-00-00T00:00:00", false, 0x6F}},
    {{"libmbus:test/test-frames/landis+gyr_ultraheat_t230.hex", 20},
     {date_of_reason, value_kind::date_time, "2000-00-00T00:00:00", false, 0x6F}},
    // 9410 DA6F 32147A18: minute 0x32 = 50, hour 0x14 = 20, day 0x7A & 31 = 26 with year bits 3, month 8 with
    // year bits 1 << 3: 2011-08-26 20:50 (of the maximum flow temperature)
    {{"libmbus:test/test-frames/landis+gyr_ultraheat_t230.hex", 21},
     {date_of_reason, value_kind::date_time, "2011-08-26T20:50:00", false, 0x6F}},
    // 9410 DE6F 2B0B6918: minute 43, hour 11, day 0x69 & 31 = 9 (year bits 3), month 8 (year bits 8): 2011
    {{"libmbus:test/test-frames/landis+gyr_ultraheat_t230.hex", 22},
     {date_of_reason, value_kind::date_time, "2011-08-09T11:43:00", false, 0x6F}},
};

bool has_non_bcd(std::span<const std::uint8_t> data) {
    for (std::size_t i = 0; i < data.size(); ++i) {
        const int hi = data[i] >> 4, lo = data[i] & 0xF;
        if (lo > 9) return true;
        if (hi > 9 && !(i + 1 == data.size() && hi == 0xF)) return true;
    }
    return false;
}

struct counts {
    int frames = 0, frames_ok = 0, records = 0, records_ok = 0, divergent = 0;
};

void check_variable(const nlohmann::json& rec, const decoded_frame& f, counts& c) {
    const std::string source = rec["source"];
    const auto& e = rec["expected"];
    INFO(source);
    // libmbus prints the id without its leading zeros; ours keeps the eight digits
    CHECK(f.header.id_text().substr(f.header.id_text().find_first_not_of('0') == std::string::npos
                                        ? 7
                                        : f.header.id_text().find_first_not_of('0')) ==
          e["id"].get<std::string>());
    CHECK(std::string(f.header.manufacturer.data()) == e["manufacturer"].get<std::string>());
    CHECK(int(f.header.version) == e["version"].get<int>());
    CHECK(int(f.header.medium) == rec["header_bytes"]["medium_byte"].get<int>());
    CHECK(int(f.header.access_number) == e["access_number"].get<int>());
    CHECK(int(f.header.status) == std::stoi(e["status"].get<std::string>(), nullptr, 16));
    const auto& exp = e["records"];
    REQUIRE(f.records.size() == exp.size());
    bool frame_ok = true;
    for (std::size_t i = 0; i < exp.size(); ++i) {
        const auto& x = exp[i];
        const frame_record& r = f.records[i];
        INFO("record " << i << ": " << x.dump());
        ++c.records;
        bool ok = true, diverged = false;
        const auto check = [&](bool cond) {
            CHECK(cond);
            ok = ok && cond;
        };
        const std::string function = x["function"];
        const auto raw = f.raw_of(r);
        const auto dib = raw.subspan(0, r.dib_size);
        const auto vib = raw.subspan(r.dib_size, r.vib_size);
        const auto data = f.data_of(r);
        check(to_hex(dib) == x.value("dib", ""));
        check(to_hex(vib) == x.value("vib", ""));
        check(to_hex(data) == x.value("data", ""));
        if (function == "Manufacturer specific" || function == "More records follow") {
            check(r.quantity == record_quantity::manufacturer_specific);
            check(r.kind == value_kind::bytes);
            check(f.header.more_records_follow == (function == "More records follow"));
            c.records_ok += ok;
            frame_ok = frame_ok && ok;
            continue;
        }
        check(r.function == libmbus_functions.at(function));
        check(r.storage == x.value("storage_number", std::uint64_t(0)));
        const bool has_tariff = x.contains("tariff") && x["tariff"].is_number();
        check(r.tariff == (has_tariff ? x["tariff"].get<std::uint32_t>() : 0u));
        const auto& norm = x["normalized"];
        if (norm.empty()) {
            // no normalized expectation (libmbus: "Unknown (VIF=0x7B)"): the raw value only
            check(r.quantity == record_quantity::other);
            check(r.kind == value_kind::number && r.number.to_string() == x["value"].get<std::string>());
        } else if (const auto d = divergences.find({source, i}); d != divergences.end()) {
            // libmbus's expectation is wrong here per EN 13757-3: assert ours, worked out by hand
            WARN(source << " record " << i << ": libmbus expects " << norm["value"].get<std::string>() << "; "
                        << d->second.reason);
            const divergence& dv = d->second;
            check(r.kind == dv.kind);
            check(r.modifier == dv.modifier);
            if (dv.kind == value_kind::invalid) {
                check(has_non_bcd(data));
            } else if (dv.kind == value_kind::number) {
                check(r.number.to_string() == dv.value);
                check(r.unit == dv.unit);
            } else {
                check(r.when.invalid == dv.invalid);
                check(when_text(r.when, false) == dv.value);
            }
            diverged = true;
        } else {
            const std::string quantity = norm["quantity"];
            const std::string value = norm["value"];
            if (r.quantity == record_quantity::plain_text_unit) {
                check(f.unit_text_of(r) == quantity);
            } else {
                REQUIRE(libmbus_quantities.count(quantity) == 1);
                check(r.quantity == libmbus_quantities.at(quantity));
            }
            switch (r.kind) {
                case value_kind::number: {
                    const unit_map um = libmbus_unit(r.unit);
                    if (std::string(um.name) != "") check(norm["unit"].get<std::string>() == um.name);
                    const auto expected = parse_millionths(value);
                    REQUIRE(expected);
                    const auto ours = rounded_millionths(r.number, um.factor);
                    REQUIRE(ours);
                    if ((r.dif & 0x0F) == 0x05) {
                        // a 32-bit real: ours is the shortest decimal of the float, libmbus's the float's
                        // binary value widened to double and scaled: they agree to the float's precision
                        const i128 diff = *ours > *expected ? *ours - *expected : *expected - *ours;
                        const i128 mag = *expected < 0 ? -*expected : *expected;
                        INFO("ours " << r.number.to_string() << " → " << text_of(*ours));
                        check(diff <= 1 + mag / 5'000'000);
                    } else {
                        INFO("ours " << r.number.to_string() << " → " << text_of(*ours));
                        check(*ours == *expected);
                    }
                    break;
                }
                case value_kind::date:
                case value_kind::date_time:
                    check(when_text(r.when, true) == value);
                    break;
                case value_kind::text:
                    check(f.text_of(r) == value);
                    break;
                case value_kind::bytes: {
                    // LVAR binary: libmbus lists the bytes most significant first
                    std::vector<std::uint8_t> rev(data.begin() + 1, data.end());
                    std::reverse(rev.begin(), rev.end());
                    check(to_hex(rev, " ") == value);
                    break;
                }
                default:
                    FAIL("unexpected kind " << int(r.kind));
            }
        }
        if (diverged)
            ++c.divergent;
        else
            c.records_ok += ok;
        frame_ok = frame_ok && ok;
    }
    c.frames_ok += frame_ok;
}

}  // namespace

TEST_CASE("libmbus test frames: every header and record", "[mbus][corpus]") {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/mbus/libmbus_frames.jsonl";
    std::ifstream in(path);
    if (!in) {
        WARN("SKIPPED: the corpus is absent (" << path << ")");
        return;
    }
    counts c;
    decoded_frame f;  // reused across frames, as a host would
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto rec = nlohmann::json::parse(line);
        const std::string source = rec["source"];
        const auto& e = rec["expected"];
        // libmbus reads byte pairs and ignores a lone last digit (manual_frame1.hex has 19 digits)
        const auto bytes = hex_bytes(rec["hex"].get<std::string>(), true);
        ++c.frames;
        INFO(source << " " << rec["hex"].get<std::string>());
        const bool ok = decode_mbus(bytes, f);
        INFO(f.error.message());
        REQUIRE(ok);
        CHECK(f.protocol == "mbus");
        const std::string type = e["frame_type"];
        if (type == "variable") {
            check_variable(rec, f, c);
        } else if (type == "error") {
            // CI 0x70: the error code is the status; libmbus's names, EN 13757-3 Table 24's codes
            static const std::map<std::string, int> codes = {{"Unspecified error", 0},
                                                             {"Unimplemented CI-Field", 1},
                                                             {"Buffer too long, truncated", 2},
                                                             {"Too many records", 3},
                                                             {"Premature end of record", 4},
                                                             {"More than 10 DIFE\xC3\x82\xC2\xB4s", 5},
                                                             {"More than 10 VIFE\xC3\x82\xC2\xB4s", 6},
                                                             {"Application busy", 8},
                                                             {"Too many readouts", 9}};
            CHECK(f.header.ci == 0x70);
            REQUIRE(codes.count(e["error"].get<std::string>()) == 1);
            CHECK(int(f.header.status) == codes.at(e["error"].get<std::string>()));
            CHECK(f.records.empty());
            c.frames_ok += int(f.header.ci == 0x70 && f.records.empty());
        } else {
            // the fixed data structure (CI 0x73): libmbus's units are l and kWh
            REQUIRE(type == "fixed");
            CHECK(f.header.ci == 0x73);
            CHECK(f.header.id_text() == e["id"].get<std::string>());
            CHECK(int(f.header.access_number) == e["access_number"].get<int>());
            CHECK(int(f.header.status) == std::stoi(e["status"].get<std::string>(), nullptr, 16));
            const std::string medium = e["medium"];
            CHECK(int(f.header.medium) == (medium == "Water" ? 0x07 : medium == "Heat" ? 0x04 : -1));
            REQUIRE(f.records.size() == e["records"].size());
            bool frame_ok = true;
            for (std::size_t i = 0; i < f.records.size(); ++i) {
                const auto& x = e["records"][i];
                const frame_record& r = f.records[i];
                ++c.records;
                const std::string unit = x["unit"];
                if (unit == "reserved but historic") {
                    // EN 13757-3 Annex G: unit code 0x3E of counter 2 is "same as counter 1, historic";
                    // libmbus calls it reserved. Ours: counter 1's unit (litres here), storage 1.
                    WARN(source << " record " << i
                                << ": unit 0x3E is counter 1's unit, historic (EN 13757-3 "
                                   "Annex G); libmbus: reserved");
                    CHECK(r.storage == 1);
                    CHECK(r.quantity == f.records[0].quantity);
                    CHECK(r.unit == f.records[0].unit);
                    CHECK(x["value"].get<std::string>() == "135");
                    CHECK(r.number == exact_number{135, -3, false});  // 135 l
                    ++c.divergent;
                    continue;
                }
                const std::int64_t to_unit = unit == "l" ? 1000 : 1;  // m3 → l; Wh × 10^3 is kWh below
                const bool kwh = unit == "kWh";
                CHECK((unit == "l" ? r.unit == record_unit::m3 : kwh ? r.unit == record_unit::wh : false));
                exact_number n = r.number;
                if (kwh) n.exponent = std::int16_t(n.exponent - 3);
                const auto ours = rounded_millionths(n, to_unit);
                const auto expected = parse_millionths(x["value"].get<std::string>());
                const bool same = ours && expected && *ours == *expected;
                CHECK(same);
                c.records_ok += same;
                frame_ok = frame_ok && same;
            }
            c.frames_ok += frame_ok;
        }
    }
    WARN("libmbus conformance: " << c.frames_ok << " of " << c.frames << " frames and " << c.records_ok
                                 << " of " << c.records << " records match, " << c.divergent
                                 << " records diverge by EN 13757-3 (named above)");
    CHECK(c.frames == 86);
    CHECK(c.frames_ok == 86);  // every frame: its records match or diverge as named
    CHECK(c.records == 942);
    CHECK(c.records_ok + c.divergent == c.records);
    CHECK(c.divergent == 12);  // the eleven of `divergences` and the fixed frame's counter 2
}

// ---- hand-made frames ------------------------------------------------------------------------------------
// Every frame below is 68 L L 68 08 01 72 + the long header above (id 12345678, KVA, version 1, water,
// access number 42, status 0, configuration 0) + the records written out, + checksum and 16 (long_frame).

TEST_CASE("a hand-made long frame: header and one record", "[mbus]") {
    const auto f =
        one({0x04, 0x13, 0x31, 0xD4, 0x00, 0x00});  // DIF 04 32-bit int, VIF 13 volume 10^-3 m3, 54321
    CHECK(f.header.kind == frame_kind::long_frame);
    CHECK(f.header.c_field == 0x08);
    CHECK(f.header.a_field == 0x01);
    CHECK(f.header.ci == 0x72);
    CHECK(f.header.has_address);
    CHECK(f.header.id_text() == "12345678");
    CHECK(std::string(f.header.manufacturer.data()) == "KVA");
    CHECK(f.header.manufacturer_code == 0x2EC1);
    CHECK(f.header.version == 1);
    CHECK(f.header.medium == 0x07);
    CHECK(medium_name(f.header.medium) == "water");
    CHECK(f.header.access_number == 42);
    REQUIRE(f.records.size() == 1);
    const auto& r = f.records[0];
    CHECK(r.offset == 19);  // 7 bytes of link layer and CI, 12 of header
    CHECK(r.dib_size == 1);
    CHECK(r.vib_size == 1);
    CHECK(r.data_size == 4);
    CHECK(r.data_offset == 21);
    CHECK(to_hex(f.raw_of(r)) == "041331D40000");
    CHECK(r.quantity == record_quantity::volume);
    CHECK(r.unit == record_unit::m3);
    CHECK(r.exponent == -3);
    CHECK(r.kind == value_kind::number);
    CHECK(r.number.to_string() == "54.321");
    CHECK(r.number.to_decimal() == decimal::from_raw(54'321'000));
    CHECK(r.number.to_decimal(3) == decimal::from_integer(54'321));  // in litres
    CHECK(record_quantity_name(r.quantity) == "volume");
    CHECK(record_unit_name(r.unit) == "m3");
}

TEST_CASE("binary integers are signed two's complement (EN 13757-3 type B)", "[mbus]") {
    const auto f = one({
        0x01, 0x13, 0xFF,                                            // 8-bit FF: -1 → -0.001 m3
        0x02, 0x13, 0x00, 0x80,                                      // 16-bit 8000: -32768
        0x03, 0x13, 0xFE, 0xFF, 0xFF,                                // 24-bit FFFFFE: -2
        0x04, 0x13, 0xFF, 0xFF, 0xFF, 0x7F,                          // 32-bit 7FFFFFFF: 2147483647
        0x06, 0x13, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80,              // 48-bit 800000000001: -(2^47 - 1)
        0x07, 0x13, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,  // 64-bit minimum: -2^63
        0x07, 0x13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // 64-bit all ones: -1
    });
    REQUIRE(f.records.size() == 7);
    CHECK(f.records[0].number.to_string() == "-0.001");
    CHECK(f.records[1].number.to_string() == "-32.768");
    CHECK(f.records[2].number.to_string() == "-0.002");
    CHECK(f.records[3].number.to_string() == "2147483.647");
    CHECK(f.records[4].number.to_string() == "-140737488355.327");
    CHECK(f.records[5].number == exact_number{9223372036854775808ull, -3, true});
    CHECK(f.records[5].number.to_decimal() == std::nullopt);  // beyond a decimal's range
    CHECK(f.records[6].number.to_string() == "-0.001");
    // error flags are a bit field, not a number with a sign: FF is 255
    const auto g = one({0x01, 0xFD, 0x17, 0xFF});  // DIF 01, VIF FD 17 error flags, FF
    CHECK(g.records[0].quantity == record_quantity::error_flags);
    CHECK(g.records[0].number.to_string() == "255");
}

TEST_CASE("BCD of 2 to 12 digits, negative BCD, and a BCD digit above 9", "[mbus]") {
    const auto f = one({
        0x09, 0x13, 0x12,                                // 2 digits: 12
        0x0A, 0x13, 0x34, 0x12,                          // 4 digits: 1234
        0x0B, 0x13, 0x56, 0x34, 0x12,                    // 6 digits: 123456
        0x0C, 0x13, 0x78, 0x56, 0x34, 0x12,              // 8 digits: 12345678
        0x0E, 0x13, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12,  // 12 digits: 123456789012
        0x0A, 0x13, 0x34, 0xF2,                          // highest nibble F: -234
        0x0A, 0x13, 0x3A, 0x12,                          // nibble A: not a BCD digit
    });
    REQUIRE(f.records.size() == 7);
    CHECK(f.records[0].number.to_string() == "0.012");
    CHECK(f.records[1].number.to_string() == "1.234");
    CHECK(f.records[2].number.to_string() == "123.456");
    CHECK(f.records[3].number.to_string() == "12345.678");
    CHECK(f.records[4].number.to_string() == "123456789.012");
    CHECK(f.records[5].number.to_string() == "-0.234");
    CHECK(f.records[6].kind == value_kind::invalid);
    CHECK(to_hex(f.data_of(f.records[6])) == "3A12");
}

TEST_CASE("32-bit real: the shortest decimal of the float, never via double", "[mbus]") {
    const auto f = one({
        0x05, 0x2B, 0x00, 0x00, 0xC0, 0x3F,  // VIF 2B power W, 0x3FC00000 = 1.5
        0x05, 0x2B, 0xCD, 0xCC, 0xCC, 0x3D,  // 0x3DCCCCCD: the float nearest 0.1 → "0.1"
        0x05, 0x13, 0x00, 0x00, 0xC0, 0xBF,  // VIF 13 volume 10^-3, 0xBFC00000 = -1.5 → -0.0015 m3
        0x05, 0x2B, 0x00, 0x00, 0x80, 0x7F,  // 0x7F800000: infinity, no value
    });
    REQUIRE(f.records.size() == 4);
    CHECK(f.records[0].number.to_string() == "1.5");
    CHECK(f.records[1].number == exact_number{1, -1, false});
    CHECK(f.records[2].number.to_string() == "-0.0015");
    CHECK(f.records[3].kind == value_kind::invalid);
}

TEST_CASE("variable length data: text read reversed, BCD, binary", "[mbus]") {
    const auto f = one({
        0x0D, 0xFD, 0x11, 0x03, 0x43, 0x42, 0x41,  // VIF FD 11 customer, LVAR 3: text "CBA" sent → "ABC"
        0x0D, 0x13, 0xD2, 0x34, 0x12,              // LVAR D2: negative BCD of 2 bytes: -1234 → -1.234 m3
        0x0D, 0x13, 0xC1, 0x99,                    // LVAR C1: positive BCD 99 → 0.099
        0x0D, 0x13, 0xE2, 0xFF, 0xFF,              // LVAR E2: 2-byte binary FFFF → -1 → -0.001
    });
    REQUIRE(f.records.size() == 4);
    CHECK(f.records[0].quantity == record_quantity::customer);
    CHECK(f.records[0].kind == value_kind::text);
    CHECK(f.text_of(f.records[0]) == "ABC");
    CHECK(f.records[0].data_size == 4);  // the LVAR byte and three characters
    CHECK(f.records[1].number.to_string() == "-1.234");
    CHECK(f.records[2].number.to_string() == "0.099");
    CHECK(f.records[3].number.to_string() == "-0.001");
}

TEST_CASE("dates and times: types G, F, I, J, read by the data field's size", "[mbus]") {
    const auto f = one({
        0x02, 0x6C, 0xC1, 0x13,              // G: day 1, month 3, year 6|8<<... = 14 → 2014-03-01
        0x04, 0x6D, 0x0B, 0x0B, 0xCD, 0x13,  // F: 11 min, 11 h, day 13, month 3, 2014
        0x04, 0x6D, 0x8B, 0x8B, 0xCD, 0x13,  // F with IV (minute bit 7) and SU (hour bit 7)
        0x06, 0x6D, 0x1E, 0x1F, 0x0B, 0xCD, 0x13, 0x00,  // I: 30 s, 31 min, 11 h, 2014-03-13
        0x03, 0x6D, 0x1E, 0x1F, 0x0B,                    // J: 11:31:30
        0x02, 0x6D, 0xC1, 0x13,                          // VIF date-time with a 2-byte field: a date (type G)
    });
    REQUIRE(f.records.size() == 6);
    auto t = f.records[0].when;
    CHECK(f.records[0].kind == value_kind::date);
    CHECK((t.year == 2014 && t.month == 3 && t.day == 1 && t.has_date && !t.has_time));
    t = f.records[1].when;
    CHECK(f.records[1].kind == value_kind::date_time);
    CHECK((t.year == 2014 && t.month == 3 && t.day == 13 && t.hour == 11 && t.minute == 11 && !t.invalid &&
           !t.summer));
    t = f.records[2].when;
    CHECK((t.year == 2014 && t.hour == 11 && t.minute == 11 && t.invalid && t.summer));
    t = f.records[3].when;
    CHECK(f.records[3].kind == value_kind::date_time);
    CHECK((t.year == 2014 && t.month == 3 && t.day == 13 && t.hour == 11 && t.minute == 31 &&
           t.second == 30 && t.has_seconds));
    t = f.records[4].when;
    CHECK(f.records[4].kind == value_kind::time);
    CHECK((t.hour == 11 && t.minute == 31 && t.second == 30 && !t.has_date));
    CHECK(f.records[5].kind == value_kind::date);
    CHECK((f.records[5].when.year == 2014 && f.records[5].when.month == 3 && f.records[5].when.day == 1));
}

TEST_CASE("DIFE chains: storage number, tariff, subunit, function bits", "[mbus]") {
    const auto f = one({
        0xC4,  // DIF: extension, storage bit 1, function 00, 32-bit integer
        0xD3,  // DIFE 1: extension, subunit 1, tariff 01, storage 0011
        0x25,  // DIFE 2: subunit 0, tariff 10, storage 0101
        0x13, 0x01, 0x00, 0x00, 0x00,
        0x12, 0x13, 0x01, 0x00,  // DIF 12: function 01 (maximum), 16-bit integer
        0x22, 0x13, 0x01, 0x00,  // DIF 22: minimum
        0x32, 0x13, 0x01, 0x00,  // DIF 32: value during error state
    });
    REQUIRE(f.records.size() == 4);
    const auto& r = f.records[0];
    CHECK(r.dib_size == 3);
    CHECK(r.storage == 1 + (3 << 1) + (5 << 5));  // 167
    CHECK(r.tariff == 1 + (2 << 2));              // 9
    CHECK(r.subunit == 1);
    CHECK(f.records[1].function == record_function::maximum);
    CHECK(f.records[2].function == record_function::minimum);
    CHECK(f.records[3].function == record_function::error);
}

TEST_CASE("the 0xFB and 0xFD extension tables and orthogonal VIFEs", "[mbus]") {
    const auto f = one({
        0x04, 0xFB, 0x00, 0x08, 0x00, 0x00, 0x00,  // FB 00: energy 10^-1 MWh: 8 → 800000 Wh
        0x02, 0xFB, 0x1A, 0x39, 0x05,              // FB 1A: relative humidity 10^-1 %: 1337 → 133.7
        0x02, 0xFD, 0x48, 0xD1, 0x08,              // FD 48: voltage 10^-1 V: 2257 → 225.7 V
        0x02, 0xFD, 0x59, 0xBE, 0xFF,              // FD 59: current 10^-3 A: -66 → -0.066 A
        0x01, 0xFD, 0x0E, 0x02,                    // FD 0E: firmware version 2
        0x04, 0x93, 0x7D, 0x01, 0x00, 0x00, 0x00,  // VIF 13 + VIFE 7D (× 10^3): 1 → 1 m3
        0x04, 0x93, 0x75, 0x01, 0x00, 0x00, 0x00,  // VIFE 75: × 10^(5-6): 1 → 0.0001 m3
        0x04, 0x86, 0x3B, 0x23, 0x00, 0x00, 0x00,  // VIF 06 energy kWh + VIFE 3B accumulation if positive
        0x04, 0x93, 0xA2, 0x3E, 0x01, 0x00, 0x00, 0x00,  // VIFE 22 per hour, then 3E at base conditions
        0x04, 0x93, 0x05, 0x01, 0x00, 0x00, 0x00,        // VIFE 05: record error code 5
        0x02, 0xFD, 0xC8, 0xFF, 0x01, 0xD1, 0x08,        // FD 48 + VIFE FF (manufacturer VIFEs follow) + 01
        0x01, 0xFF, 0x61, 0x0D,  // VIF FF manufacturer specific, its VIFE 61 (last), 13
    });
    REQUIRE(f.records.size() == 12);
    CHECK(f.records[0].quantity == record_quantity::energy);
    CHECK(f.records[0].unit == record_unit::wh);
    CHECK(f.records[0].number.to_string() == "800000");
    CHECK(f.records[1].quantity == record_quantity::relative_humidity);
    CHECK(f.records[1].number.to_string() == "133.7");
    CHECK(f.records[2].quantity == record_quantity::voltage);
    CHECK(f.records[2].number.to_string() == "225.7");
    CHECK(f.records[3].quantity == record_quantity::current);
    CHECK(f.records[3].number.to_string() == "-0.066");
    CHECK(f.records[4].quantity == record_quantity::firmware_version);
    CHECK(f.records[5].number.to_string() == "1");
    CHECK(f.records[6].number.to_string() == "0.0001");
    CHECK(f.records[7].accumulate_positive);
    CHECK(f.records[7].number.to_string() == "35000");
    CHECK(f.records[8].per == 0x22);
    CHECK(f.records[8].at_base_conditions);
    CHECK(f.records[9].error_code == 5);
    CHECK(f.records[10].number.to_string() == "225.7");
    CHECK(f.records[10].vife_count == 3);
    CHECK(f.records[11].quantity == record_quantity::manufacturer_specific);
}

TEST_CASE("libmbus error frames are rejected cleanly, each with its status and offset", "[mbus][corpus]") {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/mbus/libmbus_negative_frames.jsonl";
    std::ifstream in(path);
    if (!in) {
        WARN("SKIPPED: the corpus is absent (" << path << ")");
        return;
    }
    struct outcome {
        decode_status status;
        std::uint32_t offset;
    };
    // Worked out by hand. Long frames: 68 L L 68 at 0..3, C A CI at 4..6, the 0x72 header at 7..18,
    // records from 19; a frame's data ends at 4 + L (the checksum's offset).
    const std::map<std::string, outcome> expected = {
        // records 03 13 153100 (19..23), DA 02 3B 1301 (24..28), then 8B 60 04 at 29 and no data for the
        // 6-digit BCD: record 2 is truncated, at its offset
        {"premature_end_of_data1.hex", {decode_status::truncated, 29}},
        {"premature_end_of_data2.hex", {decode_status::truncated, 29}},  // 8B 60 04 3718: 2 of 3 bytes
        {"premature_end_of_dif1.hex", {decode_status::truncated, 29}},   // 8B and no DIFE
        {"premature_end_of_dif2.hex", {decode_status::truncated, 29}},   // 8B 8B and no second DIFE
        {"premature_end_of_vif1.hex", {decode_status::truncated, 29}},   // 8B 60 and no VIF
        // records 01 FD1B 00 (19..22), 02 FC 03 "%RH" 74 D411 (23..31), 22 FC ... (32..40), then 12 FC 13 at
        // 41: a plain-text VIF of 19 characters with 6 bytes left
        {"premature_end_of_var_vif1.hex", {decode_status::truncated, 41}},
        {"too_long_var_vif.hex", {decode_status::truncated, 41}},  // 12 FC F3: 243 characters, 6 bytes left
        // DIF 8B at 29, ten DIFEs 8B at 30..39 each with the extension bit: an 11th at 40
        {"too_many_dife.hex", {decode_status::malformed, 40}},
        // DIF 8B 29, DIFE 60 30, VIF 84 31, ten VIFEs 84 at 32..41: an 11th (04) at 42
        {"too_many_vife.hex", {decode_status::malformed, 42}},
        // L = 8: five bytes after the CI where the long header needs 12
        {"too_short_header.hex", {decode_status::truncated, 7}},
        {"invalid_length.hex", {decode_status::malformed, 1}},  // 68 00 00 68: L below 3
        // CI 0x73 with L = 0x12: 15 bytes of the 16-byte fixed structure; the data ends at 22
        {"invalid_length2.hex", {decode_status::truncated, 22}},
        // "D04046853FE5010B116" (an odd number of digits; the last is dropped): 0xD0 is no start byte
        {"manual_frame1.hex", {decode_status::malformed, 0}},
        // C = 0x53 (SND_UD, master to slave) with CI 0x51 (data send): not a slave's response
        {"manual_frame4.hex", {decode_status::unsupported, 6}},
        {"manual_frame5.hex", {decode_status::unsupported, 6}},
        {"manual_frame6.hex", {decode_status::unsupported, 6}},
    };
    int rejected = 0, valid = 0;
    decoded_frame f;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto rec = nlohmann::json::parse(line);
        const std::string source = rec["source"];
        const std::string name = source.substr(source.rfind('/') + 1);
        // libmbus reads byte pairs and ignores a lone last digit (manual_frame1.hex has 19 digits)
        const auto bytes = hex_bytes(rec["hex"].get<std::string>(), true);
        INFO(source << " " << rec["hex"].get<std::string>());
        const bool ok = decode_mbus(bytes, f);
        INFO(f.error.message());
        if (name == "svm_f22_telegram2.hex") {
            // Valid per EN 13757-3 (libmbus parses it too, rc 0; it sits in its "unsupported" folder): after
            // the 0x72 header (SVM 01006089, heat, status 0x70) the first DIF is 0x1F, manufacturer-specific
            // data to the end with more records in the next telegram. One record of 202 bytes.
            REQUIRE(ok);
            CHECK(std::string(f.header.manufacturer.data()) == "SVM");
            CHECK(f.header.id_text() == "01006089");
            CHECK(f.header.status == 0x70);
            REQUIRE(f.records.size() == 1);
            CHECK(f.records[0].dif == 0x1F);
            CHECK(f.records[0].offset == 19);
            CHECK(f.records[0].data_size == 0xDE + 4 - 20);
            CHECK(f.header.more_records_follow);
            ++valid;
            continue;
        }
        REQUIRE(expected.count(name) == 1);
        CHECK_FALSE(ok);
        CHECK(f.error.status == expected.at(name).status);
        CHECK(f.error.offset == expected.at(name).offset);
        CHECK(f.error.offset <= bytes.size());
        CHECK(!f.error.expected.empty());
        CHECK(!f.error.found.empty());
        rejected += !ok;
    }
    WARN("libmbus negative frames: " << rejected << " rejected with the status and offset worked out, "
                                     << valid << " valid per EN 13757-3");
    CHECK(rejected == 16);
    CHECK(valid == 1);
}

TEST_CASE("link layer: single character, short and control frames", "[mbus]") {
    decoded_frame f;
    CHECK(decode_mbus(std::vector<std::uint8_t>{0xE5}, f));
    CHECK(f.header.kind == frame_kind::single_character);
    // short frame: 10 C=5B A=01 CS=5C 16
    CHECK(decode_mbus(std::vector<std::uint8_t>{0x10, 0x5B, 0x01, 0x5C, 0x16}, f));
    CHECK(f.header.kind == frame_kind::short_frame);
    CHECK((f.header.c_field == 0x5B && f.header.a_field == 0x01));
    CHECK_FALSE(decode_mbus(std::vector<std::uint8_t>{0x10, 0x5B, 0x01, 0x5D, 0x16}, f));
    CHECK((f.error.status == decode_status::checksum && f.error.offset == 3));
    CHECK(f.error.message() == "byte 3: expected a checksum of 0x5C, found 0x5D");
    // control frame: 68 03 03 68 C=53 A=01 CI=B1 CS=05 16 (SND_UD set baud rate 300)
    CHECK(decode_mbus(std::vector<std::uint8_t>{0x68, 0x03, 0x03, 0x68, 0x53, 0x01, 0xB1, 0x05, 0x16}, f));
    CHECK(f.header.kind == frame_kind::control);
    CHECK(f.header.ci == 0xB1);
    CHECK(f.records.empty());
    // application error, CI 0x70 with code 0x08 (application busy): 68 04 04 68 08 01 70 08 CS=81 16
    CHECK(decode_mbus(std::vector<std::uint8_t>{0x68, 0x04, 0x04, 0x68, 0x08, 0x01, 0x70, 0x08, 0x81, 0x16},
                      f));
    CHECK(f.header.status == 0x08);
    CHECK(f.records.empty());
    // empty input, a stray byte after 0xE5
    CHECK_FALSE(decode_mbus(std::span<const std::uint8_t>{}, f));
    CHECK((f.error.status == decode_status::truncated && f.error.offset == 0));
    CHECK_FALSE(decode_mbus(std::vector<std::uint8_t>{0xE5, 0xE5}, f));
    CHECK((f.error.status == decode_status::malformed && f.error.offset == 1));
}

TEST_CASE("long frames: checksum, stop byte, L fields that differ or lie", "[mbus]") {
    // 68 06 06 68 08 01 78 | 01 13 05 (DIF 01, VIF 13, 5) | CS = 08+01+78+01+13+05 = 0x9A | 16
    const std::vector<std::uint8_t> good = {0x68, 0x06, 0x06, 0x68, 0x08, 0x01,
                                            0x78, 0x01, 0x13, 0x05, 0x9A, 0x16};
    decoded_frame f;
    REQUIRE(decode_mbus(good, f));
    CHECK(f.header.ci == 0x78);
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].number.to_string() == "0.005");
    CHECK_FALSE(f.header.has_address);  // CI 0x78: no header

    auto bad = good;
    bad[10] = 0x9B;  // wrong checksum
    CHECK_FALSE(decode_mbus(bad, f));
    CHECK((f.error.status == decode_status::checksum && f.error.offset == 10));
    CHECK(f.error.expected == "a checksum of 0x9A");
    CHECK(f.error.found == "0x9B");

    bad = good;
    bad[11] = 0x15;  // wrong stop byte
    CHECK_FALSE(decode_mbus(bad, f));
    CHECK((f.error.status == decode_status::malformed && f.error.offset == 11));

    bad = good;
    bad[2] = 0x07;  // the two L fields differ
    CHECK_FALSE(decode_mbus(bad, f));
    CHECK((f.error.status == decode_status::malformed && f.error.offset == 2));

    bad = good;
    bad[1] = bad[2] = 0x08;  // L says 2 bytes more than there are
    CHECK_FALSE(decode_mbus(bad, f));
    CHECK((f.error.status == decode_status::truncated && f.error.offset == 12));
    CHECK(f.error.expected == "14 bytes, as the L field 0x08 says");
    CHECK(f.error.found == "12 bytes");

    bad = good;
    bad[1] = bad[2] = 0x05;  // L says 1 byte fewer: the byte at 10 (9A) is no stop byte
    CHECK_FALSE(decode_mbus(bad, f));
    CHECK((f.error.status == decode_status::malformed && f.error.offset == 10));

    bad = good;
    bad.push_back(0x00);  // a byte after the stop byte
    CHECK_FALSE(decode_mbus(bad, f));
    CHECK((f.error.status == decode_status::malformed && f.error.offset == 12));

    // every prefix of a good frame fails cleanly, at or before its end
    const std::vector<std::uint8_t> full = long_frame(0x72, [] {
        auto d = header;
        const std::vector<std::uint8_t> recs = {0x04, 0x13, 0x31, 0xD4, 0x00, 0x00, 0x0D, 0xFD, 0x11, 0x02,
                                                0x41, 0x42, 0x84, 0x10, 0x6D, 0x0B, 0x0B, 0xCD, 0x13};
        d.insert(d.end(), recs.begin(), recs.end());
        return d;
    }());
    REQUIRE(decode_mbus(full, f));
    for (std::size_t n = 0; n < full.size(); ++n) {
        INFO("prefix of " << n << " bytes");
        CHECK_FALSE(decode_mbus(std::span<const std::uint8_t>(full.data(), n), f));
        CHECK(f.error.status == decode_status::truncated);  // the bytes end before the frame does
        CHECK(f.error.offset <= n);
    }
}

TEST_CASE("truncated records inside a frame with a good checksum: at every byte", "[mbus]") {
    // records: 04 13 31D40000, 0D FD11 02 4142, 84 10 6D 0B0BCD13 — cut after k record bytes, L and checksum
    // fitted to the cut, so only the record parser can notice
    const std::vector<std::uint8_t> recs = {0x04, 0x13, 0x31, 0xD4, 0x00, 0x00, 0x0D, 0xFD, 0x11, 0x02,
                                            0x41, 0x42, 0x84, 0x10, 0x6D, 0x0B, 0x0B, 0xCD, 0x13};
    const std::size_t starts[] = {0, 6, 12};  // the records' first bytes
    decoded_frame f;
    for (std::size_t k = 0; k <= recs.size(); ++k) {
        auto d = header;
        d.insert(d.end(), recs.begin(), recs.begin() + std::ptrdiff_t(k));
        const bool ok = decode_mbus(long_frame(0x72, d), f);
        INFO("record bytes " << k << ": " << f.error.message());
        const bool whole = k == 0 || k == 6 || k == 12 || k == recs.size();
        CHECK(ok == whole);
        if (!whole) {
            CHECK(f.error.status == decode_status::truncated);
            std::size_t start = 0;
            for (auto s : starts)
                if (s < k) start = s;
            CHECK(f.error.offset == 19 + start);  // at the record's first byte
            CHECK(f.error.expected.rfind("record ", 0) == 0);
        }
    }
}

TEST_CASE("plain-text VIF, manufacturer data, more records follow, idle fillers, selection", "[mbus]") {
    const auto f = one({
        0x02, 0xFC, 0x03, 0x48, 0x52,
        0x25, 0x74, 0x22, 0x15,  // VIF FC, "HR%" → "%RH", VIFE 74 10^-2: 5410 → 54.1
        0x2F, 0x2F,              // idle fillers
        0x08, 0x13,              // selection for readout: volume, no data
        0x0D, 0x7C, 0x02, 0x44, 0x49,
        0x03, 0x43, 0x42, 0x41,  // plain text unit "ID" and text value "ABC"
        0x1F, 0x01, 0x02, 0x03,  // more records follow, manufacturer bytes
    });
    REQUIRE(f.records.size() == 4);
    CHECK(f.records[0].quantity == record_quantity::plain_text_unit);
    CHECK(f.unit_text_of(f.records[0]) == "%RH");
    CHECK(f.records[0].number.to_string() == "54.1");
    CHECK(f.records[0].vib_size == 6);
    CHECK(f.records[1].kind == value_kind::none);
    CHECK(f.records[1].quantity == record_quantity::volume);
    CHECK(f.records[1].offset == 19 + 9 + 2);
    CHECK(f.unit_text_of(f.records[2]) == "ID");
    CHECK(f.text_of(f.records[2]) == "ABC");
    CHECK(f.records[3].quantity == record_quantity::manufacturer_specific);
    CHECK(to_hex(f.data_of(f.records[3])) == "010203");
    CHECK(f.header.more_records_follow);
    // a VIF 0x7E (any) has no quantity; a reserved 0xFD code is `other`, kept with its bytes
    const auto g = one({0x01, 0x7E, 0x05, 0x01, 0xFD, 0x7C, 0x01});
    CHECK(g.records[0].quantity == record_quantity::none);
    CHECK(g.records[1].quantity == record_quantity::other);
    CHECK(to_hex(g.raw_of(g.records[1])) == "01FD7C01");
}

TEST_CASE("fixed data structure (CI 0x73) and short header (CI 0x7A)", "[mbus]") {
    // 68 13 13 68 08 05 73 | 78563412 id | 0A access | 00 status (BCD) | E9 7E medium and units | counters
    // E9: unit 1 = 0x29 (l), medium bits 11; 7E: unit 2 = 0x3E (counter 1's, historic), medium bits 01:
    // medium 0b0111 = water. counter 1 BCD 00000001, counter 2 BCD 00000135.
    const auto bytes = hex_bytes("68131368080573785634120A00E97E01000000350100003C16");
    decoded_frame f;
    REQUIRE(decode_mbus(bytes, f));
    CHECK(f.header.id_text() == "12345678");
    CHECK(f.header.medium == 0x07);
    REQUIRE(f.records.size() == 2);
    CHECK(f.records[0].number == exact_number{1, -3, false});  // 1 l in m3
    CHECK(f.records[0].unit == record_unit::m3);
    CHECK(f.records[1].number == exact_number{135, -3, false});
    CHECK(f.records[1].storage == 1);

    // CI 7A: access number 0x11, status 0x04, configuration 0000, then 01 13 05
    const auto g = long_frame(0x7A, {0x11, 0x04, 0x00, 0x00, 0x01, 0x13, 0x05});
    REQUIRE(decode_mbus(g, f));
    CHECK(f.header.access_number == 0x11);
    CHECK(f.header.status == 0x04);
    CHECK_FALSE(f.header.has_address);
    CHECK(f.records[0].number.to_string() == "0.005");
}

TEST_CASE("a decoded_frame is reused without reallocating once grown", "[mbus]") {
    const auto bytes = hex_bytes(
        "683C3C680808727803491177040E160A0000000C7878034911041331D40000426C0000441300000000046D0B0BCD13022700"
        "0009FD0E0209"
        "FD0F060F00017513D316");
    decoded_frame f;
    REQUIRE(decode_mbus(bytes, f));
    const auto* records = f.records.data();
    const auto* data = f.data.data();
    for (int i = 0; i < 10; ++i) REQUIRE(decode_mbus(bytes, f));
    CHECK(f.records.data() == records);
    CHECK(f.data.data() == data);
    CHECK(f.records.size() == 9);
}

TEST_CASE("registry: mbus registered, identify, make, unknown names", "[mbus][registry]") {
    decoder_registry r = builtin_decoders();
    REQUIRE(r.find("mbus") != nullptr);
    CHECK(r.find("nope") == nullptr);
    const auto bytes = hex_bytes("68131368080573785634120A00E97E01000000350100003C16");
    const auto hits = r.identify(bytes);
    REQUIRE_FALSE(hits.empty());
    CHECK(hits[0]->name == "mbus");
    CHECK(r.identify(std::vector<std::uint8_t>{0x44, 0x00}).empty() ==
          !mbus_identify(std::vector<std::uint8_t>{0x44, 0x00}));
    auto d = r.make("mbus");
    decoded_frame f;
    CHECK(d->decode(bytes, f));
    CHECK(f.protocol == "mbus");
    CHECK_THROWS_AS(r.make("nope"), config_error);
    CHECK_THROWS_AS(r.add(*r.find("mbus")), config_error);
    CHECK(mbus_identify(std::vector<std::uint8_t>{0xE5}));
    CHECK(mbus_identify(std::vector<std::uint8_t>{0x10, 0x40, 0x01, 0x41, 0x16}));
    CHECK_FALSE(mbus_identify(std::vector<std::uint8_t>{0x68, 0x05, 0x06, 0x68}));
}

TEST_CASE("exact numbers: text and decimals", "[mbus]") {
    CHECK(exact_number{0, 3, false}.to_string() == "0");
    CHECK(exact_number{5, -1, true}.to_string() == "-0.5");
    CHECK(exact_number{12, 2, false}.to_string() == "1200");
    CHECK(exact_number{1500, -3, false}.to_string() == "1.5");
    CHECK(exact_number{54321, -3, false}.to_decimal() == decimal::from_raw(54'321'000));
    CHECK(exact_number{1, -7, false}.to_decimal() == std::nullopt);  // below millionths
    CHECK(exact_number{1, -7, false}.to_decimal(1) == decimal::from_raw(1));
    CHECK(exact_number{1, 19, false}.to_decimal() == std::nullopt);
    CHECK(frame_header{}.id_text() == "00000000");
}

TEST_CASE("names: every quantity and unit has one, distinct, media of EN 13757-3", "[mbus]") {
    std::set<std::string_view> quantities, units;
    for (int q = 1; q <= int(record_quantity::other); ++q) {
        const auto name = record_quantity_name(record_quantity(q));
        CHECK(!name.empty());
        CHECK(quantities.insert(name).second);
    }
    CHECK(record_quantity_name(record_quantity::none).empty());
    for (int u = 1; u <= int(record_unit::currency); ++u) {
        const auto name = record_unit_name(record_unit(u));
        CHECK(!name.empty());
        CHECK(units.insert(name).second);
    }
    CHECK(medium_name(0x02) == "electricity");
    CHECK(medium_name(0x04) == "heat (outlet)");
    CHECK(medium_name(0x16) == "cold water");
    CHECK(medium_name(0xFE) == "reserved");
}

TEST_CASE(
    "CI 0x76 (mode 2) reads every multi-byte field most significant byte first, type I with IV, 0xFB "
    "MCal and GJ",
    "[mbus]") {
    // 68 L L 68 08 01 76 + the long header with id and manufacturer MSB first (12 34 56 78, 2E C1)
    // + 06 6D 00 13 CD 0B 9F 1E (type I, MSB first: seconds byte 1E last; minute byte 9F: 31 min, IV)
    // + 04 FB 08 00 00 00 05 (FB 08: energy 10^-1 GJ: 5 → 0.5 GJ = 5 × 10^8 J)
    // + 02 FB 0D 00 07 (FB 0D: energy 10^0 MCal: 7 → 7 × 10^6 cal)
    const std::vector<std::uint8_t> data = {0x12, 0x34, 0x56, 0x78, 0x2E, 0xC1, 0x01, 0x07, 0x2A, 0x00, 0x00,
                                            0x00, 0x06, 0x6D, 0x00, 0x13, 0xCD, 0x0B, 0x9F, 0x1E, 0x04, 0xFB,
                                            0x08, 0x00, 0x00, 0x00, 0x05, 0x02, 0xFB, 0x0D, 0x00, 0x07};
    decoded_frame f;
    REQUIRE(decode_mbus(long_frame(0x76, data), f));
    CHECK(f.header.has_address);
    CHECK(f.header.id_text() == "12345678");
    CHECK(std::string(f.header.manufacturer.data()) == "KVA");
    REQUIRE(f.records.size() == 3);
    CHECK(f.records[0].when.invalid);
    CHECK(f.records[0].when.minute == 31);
    CHECK(f.records[0].when.second == 30);
    CHECK((f.records[1].unit == record_unit::j && f.records[1].number.to_string() == "500000000"));
    CHECK((f.records[2].unit == record_unit::cal && f.records[2].number.to_string() == "7000000"));
}

TEST_CASE("VIFEs that change what the value is: limits, counts of exceeds, dates, durations", "[mbus]") {
    const auto f = one({
        0x04, 0x93, 0x48, 0x01, 0x00,
        0x00, 0x00,  // VIF 13 volume 10^-3 + VIFE 48 upper limit value: 0.001 m3
        0x04, 0x93, 0x49, 0x05, 0x00,
        0x00, 0x00,                    // VIFE 49: number of exceeds of the upper limit: 5
        0x02, 0xBB, 0x5A, 0x78, 0x00,  // VIF 3B volume flow + VIFE 5A (upper, first, hours): 120 h
        0x04, 0x93, 0x6A, 0x0B, 0x0B,
        0xCD, 0x13,  // VIFE 6A: date (time) of the begin of the first: type F
        0x04, 0x93, 0x65, 0x02, 0x00,
        0x00, 0x00,  // VIFE 65 (E110 0fnn: last, minutes): 2 min
    });
    REQUIRE(f.records.size() == 5);
    CHECK(f.records[0].modifier == 0x48);
    CHECK(f.records[0].unit == record_unit::m3);
    CHECK(f.records[0].number.to_string() == "0.001");
    CHECK(f.records[1].modifier == 0x49);
    CHECK(f.records[1].unit == record_unit::none);
    CHECK(f.records[1].number.to_string() == "5");
    CHECK(f.records[2].quantity == record_quantity::volume_flow);
    CHECK(f.records[2].unit == record_unit::h);
    CHECK(f.records[2].number.to_string() == "120");
    CHECK(f.records[3].kind == value_kind::date_time);
    CHECK((f.records[3].when.year == 2014 && f.records[3].when.day == 13 && f.records[3].when.minute == 11));
    CHECK(f.records[4].unit == record_unit::min);
    CHECK(f.records[4].number.to_string() == "2");
}
