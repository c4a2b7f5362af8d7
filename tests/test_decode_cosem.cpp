// A-XDR and COSEM objects (IEC 62056-6-2, the Blue Book): conformance over the СПОДЭС corpus
// (../shared/corpus/dlms: DlmsSPODES' unit-test values and the .typ captures of real meters), hand-made
// values of every type with their bytes explained, truncation at every prefix, hostile lengths and nesting,
// and the objects' records (Register scaler_unit applied exactly, Clock, Profile Generic buffers).
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kvant/decode/cosem.hpp"
#include "kvant/decode/decoded_frame.hpp"
#include "kvant/decode/dlms.hpp"
#include "support.hpp"

using namespace kvant;
using kvant::test::hex_bytes;

namespace {

std::string to_hex(std::span<const std::uint8_t> b) {
    std::string s;
    char buf[4];
    for (auto c : b) {
        std::snprintf(buf, sizeof buf, "%02x", unsigned(c));
        s += buf;
    }
    return s;
}

/// Parses all of `bytes` as one value; fails the test (with `what`) when it does not.
std::vector<cosem_node> parse_all(const std::vector<std::uint8_t>& bytes, frame_error* err = nullptr) {
    std::vector<cosem_node> nodes;
    std::uint32_t pos = 0;
    frame_error e;
    const bool ok = parse_axdr(bytes, pos, nodes, &e);
    if (err != nullptr) *err = e;
    if (ok) CHECK(pos == bytes.size());
    return ok ? nodes : std::vector<cosem_node>{};
}

// --- the comparer from our nodes to the corpus's reference tree -------------------------------------------

using nlohmann::json;

int text_read_as_time = 0;  ///< reference readings of text as a time that read_cosem_time refuses

std::string int_text(const std::uint8_t* p, std::size_t n, bool is_signed) {
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < n; ++i) u = u << 8 | p[i];
    if (is_signed && n < 8 && (p[0] & 0x80) != 0) u |= ~std::uint64_t(0) << (8 * n);
    return is_signed ? std::to_string(std::int64_t(u)) : std::to_string(u);
}

bool time_matches(std::span<const std::uint8_t> b, axdr_type type, const json& want, std::string& why) {
    record_time t;
    if (!read_cosem_time(b, type, t)) {
        // The reference reads any octet string of 5 (4, 12) bytes as a date (time, date-time) without a range
        // check ("1.5.0", "M2M_3" as month 53, 77): such a reading must have a field out of range.
        auto out_of = [&](const char* name, long lo, long hi) {
            return want.contains(name) && want[name].is_number() &&
                   (want[name].get<long>() < lo || want[name].get<long>() > hi) && want[name] != 0xFD &&
                   want[name] != 0xFE;
        };
        if (out_of("month", 1, 12) || out_of("day", 1, 31) || out_of("day_of_week", 1, 7) ||
            out_of("hour", 0, 23) || out_of("minute", 0, 59) || out_of("second", 0, 59) ||
            out_of("hundredths", 0, 99)) {
            ++text_read_as_time;
            return true;
        }
        why = "read_cosem_time refused " + to_hex(b);
        return false;
    }
    auto field = [&](const char* name, std::uint16_t bit, long value) {
        if (!want.contains(name)) return true;
        const json& w = want[name];
        const bool ok = w.is_null() ? (t.unspecified & bit) != 0 : (t.unspecified & bit) == 0 && w == value;
        if (!ok) why = std::string(name) + ": expected " + w.dump() + ", read " + std::to_string(value);
        return ok;
    };
    if (!field("year", time_field::year, t.year) || !field("month", time_field::month, t.month) ||
        !field("day", time_field::day, t.day) ||
        !field("day_of_week", time_field::day_of_week, t.day_of_week) ||
        !field("hour", time_field::hour, t.hour) || !field("minute", time_field::minute, t.minute) ||
        !field("second", time_field::second, t.second) ||
        !field("hundredths", time_field::hundredths, t.hundredths) ||
        !field("deviation_min", time_field::deviation, t.deviation))
        return false;
    if (want.contains("clock_status")) {
        const json& cs = want["clock_status"];
        if (cs.is_null() ? t.has_clock_status : (!t.has_clock_status || cs["raw"] != t.clock_status)) {
            why = "clock status: expected " + cs.dump() + ", read " + std::to_string(t.clock_status);
            return false;
        }
        if (cs.is_object() && (cs["invalid"] != t.invalid || cs["daylight_saving_active"] != t.summer)) {
            why = "clock status bits: expected " + cs.dump();
            return false;
        }
    }
    return true;
}

/// Whether node `i` (and its subtree) equals the reference `want`; `why` names the first difference.
bool node_matches(const std::vector<cosem_node>& nodes, std::span<const std::uint8_t> data, std::uint32_t i,
                  const json& want, const std::string& path, std::string& why) {
    if (i >= nodes.size()) {
        why = path + ": no node";
        return false;
    }
    const cosem_node& n = nodes[i];
    const std::string type(axdr_type_name(n.type));
    if (want.value("t", std::string()) != type) {
        why = path + ": expected " + want.value("t", std::string("?")) + ", parsed " + type;
        return false;
    }
    const auto b = data.subspan(n.offset, n.size);
    const json& v = want["v"];
    switch (n.type) {
        case axdr_type::array:
        case axdr_type::structure:
        case axdr_type::compact_array: {
            const auto kids = children_of(nodes, i);
            if (!v.is_array() || kids.size() != v.size() || n.count != v.size()) {
                why = path + ": expected " + std::to_string(v.size()) + " elements, parsed " +
                      std::to_string(kids.size());
                return false;
            }
            for (std::size_t k = 0; k < kids.size(); ++k)
                if (!node_matches(nodes, data, kids[k], v[k], path + "/" + std::to_string(k), why))
                    return false;
            return true;
        }
        case axdr_type::null_data:
        case axdr_type::dont_care:
            if (!v.is_null()) why = path + ": expected " + v.dump() + ", parsed null";
            return v.is_null();
        case axdr_type::boolean:
            if (v != (b[0] != 0)) why = path + ": expected " + v.dump();
            return v == (b[0] != 0);
        case axdr_type::integer:
        case axdr_type::long_:
        case axdr_type::double_long:
        case axdr_type::long64:
        case axdr_type::unsigned_:
        case axdr_type::long_unsigned:
        case axdr_type::double_long_unsigned:
        case axdr_type::long64_unsigned:
        case axdr_type::enum_: {
            const bool s = n.type == axdr_type::integer || n.type == axdr_type::long_ ||
                           n.type == axdr_type::double_long || n.type == axdr_type::long64;
            const std::string got = int_text(b.data(), b.size(), s);
            if (v.dump() != got) why = path + ": expected " + v.dump() + ", parsed " + got;
            return v.dump() == got;
        }
        case axdr_type::visible_string:
        case axdr_type::utf8_string: {
            const std::string got(b.begin(), b.end());
            if (v != got) why = path + ": expected " + v.dump() + ", parsed \"" + got + "\"";
            return v == got;
        }
        case axdr_type::bit_string:
            if (want["bits"] != n.count || v != to_hex(b)) {
                why = path + ": expected " + want.dump() + ", parsed " + std::to_string(n.count) + " bits " +
                      to_hex(b);
                return false;
            }
            return true;
        default:
            break;
    }
    // Octet strings and the rest: the bytes, and what the reference reads them as.
    if (v.is_string() && v != to_hex(b)) {
        why = path + ": expected " + v.dump() + ", parsed " + to_hex(b);
        return false;
    }
    if (want.contains("as_obis")) {
        if (b.size() != 6) {
            why = path + ": as_obis of " + std::to_string(b.size()) + " bytes";
            return false;
        }
        logical_name ln;
        std::copy(b.begin(), b.end(), ln.g.begin());
        const auto back = logical_name::parse(want["as_obis"].get<std::string>());
        if (!back || *back != ln) {
            why = path + ": as_obis " + want["as_obis"].dump() + " vs " + ln.to_string();
            return false;
        }
    }
    if (want.contains("as_date_time") && !time_matches(b, axdr_type::date_time, want["as_date_time"], why))
        return why = path + ": " + why, false;
    if (want.contains("as_date") && !time_matches(b, axdr_type::date, want["as_date"], why))
        return why = path + ": " + why, false;
    if (want.contains("as_time") && !time_matches(b, axdr_type::time, want["as_time"], why))
        return why = path + ": " + why, false;
    return true;
}

/// Parses `input` and compares it with the reference `decoded` (one value, or a "sequence" of values).
bool matches_reference(const std::vector<std::uint8_t>& input, const json& decoded, std::string& why,
                       std::vector<cosem_node>& nodes) {
    nodes.clear();
    std::vector<json> values;
    if (decoded.contains("sequence"))
        for (const auto& v : decoded["sequence"]) values.push_back(v);
    else
        values.push_back(decoded);
    std::uint32_t pos = 0;
    for (std::size_t k = 0; k < values.size(); ++k) {
        const auto first = static_cast<std::uint32_t>(nodes.size());
        frame_error e;
        if (!parse_axdr(input, pos, nodes, &e)) {
            why = "parse failed: " + e.message();
            return false;
        }
        if (!node_matches(nodes, input, first, values[k], "value " + std::to_string(k), why)) return false;
    }
    if (pos != input.size()) {
        why = "trailing bytes from offset " + std::to_string(pos);
        return false;
    }
    return true;
}

std::vector<json> read_jsonl(const std::string& path) {
    std::vector<json> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(json::parse(line));
    return out;
}

}  // namespace

// --- OBIS text
// ----------------------------------------------------------------------------------------------

TEST_CASE("logical names print as A-B:C.D.E*F and read back from the three spellings") {
    logical_name ln{{1, 0, 1, 8, 0, 255}};
    CHECK(ln.to_string() == "1-0:1.8.0*255");
    CHECK(logical_name::parse("1-0:1.8.0*255") == ln);
    CHECK(logical_name::parse("1-0:1.8.0.255") == ln);
    CHECK(logical_name::parse("1.0.1.8.0.255") == ln);
    CHECK(logical_name{{0, 0, 99, 98, 4, 255}}.to_string() == "0-0:99.98.4*255");
    CHECK_FALSE(logical_name::parse("1-0:1.8.0"));       // five groups
    CHECK_FALSE(logical_name::parse("1-0:1.8.0*256"));   // a group past 255
    CHECK_FALSE(logical_name::parse("1-0:1.8.0*255 "));  // trailing text
    CHECK_FALSE(logical_name::parse("1.0:1.8.0*255"));   // mixed separators
    CHECK_FALSE(logical_name::parse("1-0:1.8.-1*255"));
    CHECK_FALSE(logical_name::parse(""));
}

TEST_CASE("type names and units are the Blue Book's") {
    CHECK(axdr_type_name(axdr_type::double_long_unsigned) == "double-long-unsigned");
    CHECK(axdr_type_name(axdr_type::compact_array) == "compact-array");
    CHECK(axdr_type_name(static_cast<axdr_type>(7)).empty());
    CHECK(cosem_unit_name(30) == "Wh");
    CHECK(cosem_unit_name(32) == "varh");
    CHECK(cosem_unit_name(35) == "V");
    CHECK(cosem_unit_name(33) == "A");
    CHECK(cosem_unit_name(44) == "Hz");
    CHECK(cosem_unit_name(27) == "W");
    CHECK(cosem_unit_name(9) == "°C");
    CHECK(cosem_unit_name(56) == "%");
    CHECK(cosem_unit_name(255) == "count");
    CHECK(cosem_unit_name(0).empty());
    CHECK(cosem_unit_name(58).empty());
}

// --- hand-made values
// ---------------------------------------------------------------------------------------

TEST_CASE("every scalar type parses to its width and bytes") {
    struct one {
        const char* hex;
        axdr_type type;
        std::uint32_t offset, size;
        const char* value;  // as the comparer's integer text, or hex of the content
    };
    const one cases[] = {
        {"00", axdr_type::null_data, 1, 0, ""},
        {"0301", axdr_type::boolean, 1, 1, "01"},
        {"05FFFFFF85", axdr_type::double_long, 1, 4, "-123"},  // int32 −123
        {"0600012345", axdr_type::double_long_unsigned, 1, 4, "74565"},
        {"0D12", axdr_type::bcd, 1, 1, "12"},
        {"0F80", axdr_type::integer, 1, 1, "-128"},
        {"10FF38", axdr_type::long_, 1, 2, "-200"},
        {"11FF", axdr_type::unsigned_, 1, 1, "255"},
        {"12FFFE", axdr_type::long_unsigned, 1, 2, "65534"},
        {"14FFFFFFFFFFFFFFFF", axdr_type::long64, 1, 8, "-1"},
        {"15FFFFFFFFFFFFFFFF", axdr_type::long64_unsigned, 1, 8, "18446744073709551615"},
        {"1603", axdr_type::enum_, 1, 1, "3"},
        {"173F800000", axdr_type::float32, 1, 4, "3f800000"},
        {"183FF0000000000000", axdr_type::float64, 1, 8, "3ff0000000000000"},
        {"1907EA0B1802", axdr_type::date_time, 1, 12, ""},  // truncated below: only the width matters here
        {"FF", axdr_type::dont_care, 1, 0, ""},
    };
    for (const auto& c : cases) {
        auto bytes = hex_bytes(c.hex);
        if (c.type == axdr_type::date_time) bytes.resize(13, 0x00);
        INFO(c.hex);
        const auto nodes = parse_all(bytes);
        REQUIRE(nodes.size() == 1);
        CHECK(nodes[0].type == c.type);
        CHECK(nodes[0].offset == c.offset);
        CHECK(nodes[0].size == c.size);
        CHECK(nodes[0].end == 1);
        const auto b = std::span<const std::uint8_t>(bytes).subspan(nodes[0].offset, nodes[0].size);
        switch (c.type) {
            case axdr_type::double_long:
            case axdr_type::integer:
            case axdr_type::long_:
            case axdr_type::long64:
                CHECK(int_text(b.data(), b.size(), true) == c.value);
                break;
            case axdr_type::double_long_unsigned:
            case axdr_type::unsigned_:
            case axdr_type::long_unsigned:
            case axdr_type::long64_unsigned:
            case axdr_type::enum_:
                CHECK(int_text(b.data(), b.size(), false) == c.value);
                break;
            case axdr_type::date_time:
                break;
            default:
                CHECK(to_hex(b) == c.value);
        }
    }
}

TEST_CASE("strings, bit strings and long lengths") {
    // 09 06 | 01 00 01 08 00 FF: an octet-string of 6 bytes (the OBIS code 1-0:1.8.0*255).
    auto n = parse_all(hex_bytes("09 06 0100010800FF"));
    REQUIRE(n.size() == 1);
    CHECK(n[0].type == axdr_type::octet_string);
    CHECK(n[0].offset == 2);
    CHECK(n[0].size == 6);
    // 0A 03 'a' 'b' 'c': a visible-string.
    n = parse_all(hex_bytes("0A 03 616263"));
    REQUIRE(n.size() == 1);
    CHECK(n[0].size == 3);
    // 04 0B | E2 A0: a bit-string of 11 bits in ceil(11/8) = 2 bytes; count = bits.
    n = parse_all(hex_bytes("04 0B E2A0"));
    REQUIRE(n.size() == 1);
    CHECK(n[0].type == axdr_type::bit_string);
    CHECK(n[0].count == 11);
    CHECK(n[0].size == 2);
    // 04 00: an empty bit-string.
    n = parse_all(hex_bytes("04 00"));
    REQUIRE(n.size() == 1);
    CHECK(n[0].size == 0);
    // 09 81 80 | 128 bytes: length 0x81 then one byte (128).
    std::vector<std::uint8_t> b = {0x09, 0x81, 0x80};
    b.resize(3 + 128, 0xAB);
    n = parse_all(b);
    REQUIRE(n.size() == 1);
    CHECK(n[0].offset == 3);
    CHECK(n[0].size == 128);
    // 09 82 01 2C | 300 bytes: length 0x82 then two bytes big-endian (0x012C = 300).
    b = {0x09, 0x82, 0x01, 0x2C};
    b.resize(4 + 300, 0x11);
    n = parse_all(b);
    REQUIRE(n.size() == 1);
    CHECK(n[0].offset == 4);
    CHECK(n[0].size == 300);
}

TEST_CASE("arrays and structures are a flat pre-order tree") {
    // 01 02                 array of 2
    //   02 02               structure of 2
    //     0F FE             integer −2
    //     16 1E             enum 30 (Wh)
    //   02 01               structure of 1
    //     09 00             empty octet-string
    const auto bytes = hex_bytes("0102 0202 0FFE 161E 0201 0900");
    const auto n = parse_all(bytes);
    REQUIRE(n.size() == 6);
    CHECK(n[0].type == axdr_type::array);
    CHECK(n[0].count == 2);
    CHECK(n[0].end == 6);
    CHECK(n[1].type == axdr_type::structure);
    CHECK(n[1].end == 4);
    CHECK(n[4].type == axdr_type::structure);
    CHECK(n[4].end == 6);
    CHECK(children_of(n, 0) == std::vector<std::uint32_t>{1, 4});
    CHECK(children_of(n, 1) == std::vector<std::uint32_t>{2, 3});
    CHECK(int_text(bytes.data() + n[2].offset, 1, true) == "-2");
    CHECK(n[5].size == 0);
}

TEST_CASE("compact arrays expand into elements pointing into the packed contents") {
    // 13                    compact-array
    //   02 02 12 0F         description: structure of 2 { long-unsigned, integer }
    //   06                  contents: 6 bytes
    //   0001 FF | 0002 7F   two elements: {1, −1}, {2, 127}
    const auto bytes = hex_bytes("13 02021 20F 06 0001FF 00027F");
    const auto n = parse_all(bytes);
    REQUIRE(n.size() == 7);
    CHECK(n[0].type == axdr_type::compact_array);
    CHECK(n[0].count == 2);
    CHECK(n[0].offset == 6);
    CHECK(n[0].size == 6);
    CHECK(n[0].end == 7);
    CHECK(n[1].type == axdr_type::structure);
    CHECK(n[1].count == 2);
    CHECK(n[2].type == axdr_type::long_unsigned);
    CHECK(n[2].offset == 6);
    CHECK(int_text(bytes.data() + n[3].offset, 1, true) == "-1");
    CHECK(n[5].type == axdr_type::long_unsigned);
    CHECK(n[5].offset == 9);
    CHECK(int_text(bytes.data() + n[6].offset, 1, true) == "127");

    // 13 | 01 0002 11 | 04 | 0A 0B 0C 0D: description array of 2 unsigned; 4 bytes = two elements, each an
    // array of two unsigned.
    const auto a = parse_all(hex_bytes("13 01000211 04 0A0B0C0D"));
    REQUIRE(a.size() == 7);
    CHECK(a[0].count == 2);
    CHECK(a[1].type == axdr_type::array);
    CHECK(a[1].count == 2);
    CHECK(a[3].offset == 7);
    CHECK(a[4].offset == 8);

    // 13 | 09 | 05 | 02 AAAA 01 BB: octet strings keep their length in the contents.
    const auto s = parse_all(hex_bytes("13 09 05 02AAAA 01BB"));
    REQUIRE(s.size() == 3);
    CHECK(s[1].size == 2);
    CHECK(s[2].offset == 7);

    frame_error e;
    // 13 | 00 | 02 | 0000: elements of null-data take no bytes; a description part without contents is
    // refused
    CHECK(parse_all(hex_bytes("13 00 02 0000"), &e).empty());
    CHECK(e.status == decode_status::malformed);
    CHECK(e.offset == 1);
    // 13 | 02 02 11 01 FFFF 00 | ...: a structure {unsigned, array of 65535 null-data} would make 65,537
    // nodes of each content byte
    CHECK(parse_all(hex_bytes("13 0202 11 01FFFF 00 04 01020304"), &e).empty());
    CHECK(e.status == decode_status::malformed);
    CHECK(e.offset == 7);
    // 13 | 01 0000 11: an array description of no elements; 13 | 02 00: a structure of no members
    CHECK(parse_all(hex_bytes("13 01000011 00"), &e).empty());
    CHECK(e.offset == 2);
    CHECK(parse_all(hex_bytes("13 0200 00"), &e).empty());
    CHECK(e.offset == 2);
    // 13 | 12 | 03 | 000100: the last element is cut by the contents' end.
    CHECK(parse_all(hex_bytes("13 12 03 000100"), &e).empty());
    CHECK(e.offset == 5);
    // 13 | 13 ...: a compact array cannot describe a compact array.
    CHECK(parse_all(hex_bytes("13 13 00"), &e).empty());
    CHECK(e.status == decode_status::malformed);
    CHECK(e.offset == 1);
}

TEST_CASE("date-time with deviation and clock status, and all-unspecified") {
    // 19 | 07EA 0B 18 02 | 0E 1E 2D 32 | FF4C | 80
    //   2026-11-24, Tuesday; 14:30:45.50; deviation −180 (0xFF4C: UTC = local − 3 h, Moscow); clock status
    //   0x80 (daylight saving active)
    const auto bytes = hex_bytes("19 07EA0B1802 0E1E2D32 FF4C 80");
    const auto n = parse_all(bytes);
    REQUIRE(n.size() == 1);
    record_time t;
    REQUIRE(read_cosem_time(std::span(bytes).subspan(n[0].offset, n[0].size), axdr_type::date_time, t));
    CHECK(t.year == 2026);
    CHECK(t.month == 11);
    CHECK(t.day == 24);
    CHECK(t.day_of_week == 2);
    CHECK(t.hour == 14);
    CHECK(t.minute == 30);
    CHECK(t.second == 45);
    CHECK(t.hundredths == 50);
    CHECK(t.has_deviation);
    CHECK(t.deviation == -180);
    CHECK(t.has_clock_status);
    CHECK(t.clock_status == 0x80);
    CHECK(t.summer);
    CHECK_FALSE(t.invalid);
    CHECK(t.unspecified == 0);

    // FFFF FF FF FF | FF FF FF FF | 8000 | FF: every field not specified.
    const auto all = hex_bytes("FFFFFFFFFF FFFFFFFF 8000 FF");
    REQUIRE(read_cosem_time(all, axdr_type::date_time, t));
    CHECK(t.unspecified == (time_field::year | time_field::month | time_field::day | time_field::day_of_week |
                            time_field::hour | time_field::minute | time_field::second |
                            time_field::hundredths | time_field::deviation | time_field::clock_status));
    CHECK_FALSE(t.has_deviation);
    CHECK_FALSE(t.has_clock_status);
    CHECK(t.year == 0);

    // A date FFFF FE FD FF: the last month…: month 0xFE (daylight saving begin), day 0xFD (second-last day).
    REQUIRE(read_cosem_time(hex_bytes("FFFF FE FD FF"), axdr_type::date, t));
    CHECK(t.month_special == 0xFE);
    CHECK(t.day_special == 0xFD);
    CHECK(t.unspecified == (time_field::year | time_field::day_of_week));
    // A time 17 3B FF FF: 23:59, seconds and hundredths not specified.
    REQUIRE(read_cosem_time(hex_bytes("173BFFFF"), axdr_type::time, t));
    CHECK(t.hour == 23);
    CHECK(t.minute == 59);
    CHECK_FALSE(t.has_seconds);
    // Out of range: month 13, hour 24; a wrong size.
    CHECK_FALSE(read_cosem_time(hex_bytes("07EA0D01FF"), axdr_type::date, t));
    CHECK_FALSE(read_cosem_time(hex_bytes("18000000"), axdr_type::time, t));
    CHECK_FALSE(read_cosem_time(hex_bytes("07EA0B18"), axdr_type::date, t));
    // A deviation beyond ±720 is kept as sent (0x0400 = 1024 minutes).
    REQUIRE(read_cosem_time(hex_bytes("07EA0B1802 0E1E2D32 0400 00"), axdr_type::date_time, t));
    CHECK(t.deviation == 1024);
}

TEST_CASE("truncation at every prefix fails cleanly at the right offset") {
    // 01 02 | 02 02 0F FE 16 1E | 09 82 00 03 AABBCC
    const auto whole = hex_bytes("0102 02020FFE161E 0982 0003 AABBCC");
    REQUIRE(parse_all(whole).size() == 5);
    // Where each prefix runs out: the offset of the first missing byte's item.
    for (std::size_t len = 0; len < whole.size(); ++len) {
        std::vector<std::uint8_t> part(whole.begin(), whole.begin() + std::ptrdiff_t(len));
        std::vector<cosem_node> nodes{cosem_node{}};  // one node before: a failure leaves it alone
        std::uint32_t pos = 0;
        frame_error e;
        INFO("prefix of " << len << " bytes");
        CHECK_FALSE(parse_axdr(part, pos, nodes, &e, 100));
        CHECK(pos == 0);
        CHECK(nodes.size() == 1);
        CHECK(e.status == decode_status::truncated);
        CHECK(e.offset >= 100);
        CHECK(e.offset <= 100 + len);
        // The strings' contents start at 12: a prefix cut inside them is reported at the contents.
        if (len >= 12) CHECK(e.offset == 112);
        if (len == 10 || len == 11) CHECK(e.offset == 110);  // inside the two length bytes
    }
}

TEST_CASE("hostile values: unknown tags, long lengths, 4 GB claims, depth bombs, node limits") {
    frame_error e;
    // 07: not a type.
    CHECK(parse_all(hex_bytes("07"), &e).empty());
    CHECK(e.status == decode_status::malformed);
    CHECK(e.expected == "a data type tag");
    CHECK(e.found == "0x07");
    // 02 01 1C: a structure whose element's tag 0x1C is not a type, at offset 2.
    CHECK(parse_all(hex_bytes("02011C"), &e).empty());
    CHECK(e.offset == 2);
    CHECK(e.found == "0x1C");
    // 09 85 ...: a length of 5 bytes is not A-XDR.
    CHECK(parse_all(hex_bytes("0985 0000000001 00"), &e).empty());
    CHECK(e.status == decode_status::malformed);
    CHECK(e.offset == 1);
    // 09 84 FFFFFFFF AA: an octet string claiming 4 GB.
    CHECK(parse_all(hex_bytes("0984FFFFFFFF AA"), &e).empty());
    CHECK(e.status == decode_status::truncated);
    CHECK(e.offset == 6);
    // 01 84 FFFFFFFF 00 00: an array claiming 4 G elements, two given.
    CHECK(parse_all(hex_bytes("0184FFFFFFFF 0000"), &e).empty());
    CHECK(e.status == decode_status::truncated);
    CHECK(e.offset == 8);
    // 01 01 repeated 1000 times: nesting stopped by the depth limit.
    std::vector<std::uint8_t> bomb;
    for (int i = 0; i < 1000; ++i) bomb.insert(bomb.end(), {0x01, 0x01});
    CHECK(parse_all(bomb, &e).empty());
    CHECK(e.status == decode_status::unsupported);
    CHECK(e.expected.find("max_depth") != std::string::npos);
    CHECK(e.offset == 64);  // the 33rd array
    // A node limit of 3: an array of 4 nulls (01 04 00 00 00 00) is stopped.
    std::vector<cosem_node> nodes;
    std::uint32_t pos = 0;
    const auto four = hex_bytes("0104 00000000");
    CHECK_FALSE(parse_axdr(four, pos, nodes, &e, 0, axdr_limits{32, 3}));
    CHECK(e.status == decode_status::unsupported);
    CHECK(e.expected.find("max_nodes") != std::string::npos);
    CHECK(nodes.empty());
    CHECK(parse_axdr(four, pos, nodes, &e, 0, axdr_limits{32, 5}));
    CHECK(nodes.size() == 5);
}

// --- the СПОДЭС corpus
// --------------------------------------------------------------------------------------

TEST_CASE("spodes_tests.jsonl: every value parses to the reference tree") {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/dlms/spodes_tests.jsonl";
    if (!std::ifstream(path)) {
        WARN("SKIPPED: corpus file absent: " << path);
        return;
    }
    const auto records = read_jsonl(path);
    REQUIRE(records.size() == 25);
    std::size_t passed = 0;
    text_read_as_time = 0;
    for (const auto& r : records) {
        INFO(r["source"].get<std::string>()
             << " " << r["id"].get<std::string>() << " " << r["context"]["test"].get<std::string>());
        const auto input = hex_bytes(r["input"].get<std::string>());
        std::string why;
        std::vector<cosem_node> nodes;
        const bool ok = matches_reference(input, r["expected"]["decoded"], why, nodes);
        INFO(why);
        CHECK(ok);
        passed += ok ? 1 : 0;
    }
    std::printf(
        "spodes_tests.jsonl: %zu/%zu values match the reference tree (%d octet strings of text the "
        "reference also reads as a date: not a date here)\n",
        passed, records.size(), text_read_as_time);
    CHECK(passed == records.size());
}

TEST_CASE("spodes_typ.jsonl: the 312 captures of real meters parse to the reference tree") {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/dlms/spodes_typ.jsonl";
    if (!std::ifstream(path)) {
        WARN("SKIPPED: corpus file absent: " << path);
        return;
    }
    const auto records = read_jsonl(path);
    REQUIRE(records.size() == 312);
    std::size_t passed = 0;
    text_read_as_time = 0;
    for (const auto& r : records) {
        const auto& ctx = r["context"];
        INFO(r["source"].get<std::string>()
             << " " << ctx["logical_name"].get<std::string>() << " class " << ctx["class_id"].get<int>()
             << " attr " << ctx["attribute"].get<int>());
        const auto input = hex_bytes(r["input"].get<std::string>());
        std::string why;
        std::vector<cosem_node> nodes;
        const bool ok = matches_reference(input, r["expected"]["decoded"], why, nodes);
        INFO(why);
        CHECK(ok);
        passed += ok ? 1 : 0;
    }
    std::printf(
        "spodes_typ.jsonl: %zu/%zu captures match the reference tree (%d octet strings of text the "
        "reference also reads as a date: not a date here)\n",
        passed, records.size(), text_read_as_time);
    CHECK(passed == records.size());
}

// --- objects
// ------------------------------------------------------------------------------------------------

namespace {

cosem_attribute attr(std::uint16_t class_id, const char* obis, std::int8_t attribute) {
    return cosem_attribute{class_id, *logical_name::parse(obis), attribute};
}

}  // namespace

TEST_CASE("a Register's value takes its scaler_unit exactly, once, and only when known") {
    dlms_session s;
    decoded_frame f;
    // 02 02 | 0F FE | 16 1E: scaler_unit {scaler −2, unit 30 (Wh)} of 1-0:1.8.0*255
    REQUIRE(decode_cosem_attribute(hex_bytes("0202 0FFE 161E"), attr(3, "1-0:1.8.0*255", 3), f, &s));
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].kind == value_kind::structure);
    CHECK(f.records[0].has_scaler);
    CHECK(f.records[0].scaler == -2);
    CHECK(f.records[0].cosem_unit == 30);
    CHECK(f.records[0].obis.to_string() == "1-0:1.8.0*255");
    CHECK(f.records[0].class_id == 3);
    CHECK(f.records[0].attribute == 3);
    REQUIRE(s.scaler_units.count(*logical_name::parse("1-0:1.8.0*255")) == 1);
    CHECK(s.scaler_units.begin()->second == scaler_unit{-2, 30});

    // 06 0001E240: double-long-unsigned 123456 → 1234.56 Wh
    const auto value = hex_bytes("06 0001E240");
    REQUIRE(decode_cosem_attribute(value, attr(3, "1-0:1.8.0*255", 2), f, &s));
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].kind == value_kind::number);
    CHECK(f.records[0].number.to_string() == "1234.56");
    CHECK(f.records[0].has_scaler);
    CHECK(f.records[0].scaler == -2);
    CHECK(f.records[0].cosem_unit == 30);
    CHECK(f.records[0].node == 0);
    CHECK(f.records[0].has_obis);
    // decoded twice with the same session: still once
    REQUIRE(decode_cosem_attribute(value, attr(3, "1-0:1.8.0*255", 2), f, &s));
    CHECK(f.records[0].number.to_string() == "1234.56");

    // no scaler_unit known (no session, or another object): raw, no scaler
    REQUIRE(decode_cosem_attribute(value, attr(3, "1-0:1.8.0*255", 2), f, nullptr));
    CHECK(f.records[0].number.to_string() == "123456");
    CHECK_FALSE(f.records[0].has_scaler);
    CHECK(f.records[0].cosem_unit == 0);
    REQUIRE(decode_cosem_attribute(value, attr(3, "1-0:2.8.0*255", 2), f, &s));
    CHECK(f.records[0].number.to_string() == "123456");
    CHECK_FALSE(f.records[0].has_scaler);
    // a Data object (class 1) is never scaled
    REQUIRE(decode_cosem_attribute(value, attr(1, "1-0:1.8.0*255", 2), f, &s));
    CHECK(f.records[0].number.to_string() == "123456");

    // scaler +3, unit 27 (W), and a negative long: 10 FF38 = −200 → −200000 W
    REQUIRE(decode_cosem_attribute(hex_bytes("0202 0F03 161B"), attr(3, "1-0:1.7.0*255", 3), f, &s));
    REQUIRE(decode_cosem_attribute(hex_bytes("10 FF38"), attr(3, "1-0:1.7.0*255", 2), f, &s));
    CHECK(f.records[0].number.to_string() == "-200000");

    // Extended Register (4) and Demand Register (5, scaler_unit attribute 4, scaling attributes 2 and 3)
    REQUIRE(decode_cosem_attribute(hex_bytes("0202 0FFF 161E"), attr(4, "1-0:1.6.0*255", 3), f, &s));
    REQUIRE(decode_cosem_attribute(hex_bytes("12 0457"), attr(4, "1-0:1.6.0*255", 2), f, &s));
    CHECK(f.records[0].number.to_string() == "111.1");
    REQUIRE(decode_cosem_attribute(hex_bytes("0202 0FFD 161B"), attr(5, "1-0:1.4.0*255", 4), f, &s));
    REQUIRE(decode_cosem_attribute(hex_bytes("06 00000457"), attr(5, "1-0:1.4.0*255", 3), f, &s));
    CHECK(f.records[0].number.to_string() == "1.111");
    CHECK(f.records[0].cosem_unit == 27);

    // a scaler_unit that is not one: 02 02 | 11 02 | 16 1E (unsigned where an integer belongs)
    CHECK_FALSE(decode_cosem_attribute(hex_bytes("0202 1102 161E"), attr(3, "1-0:1.8.0*255", 3), f, &s));
    CHECK(f.error.status == decode_status::malformed);
    CHECK(f.error.offset == 3);
    CHECK(f.records.empty());
}

TEST_CASE("scalars become records: floats shortest, strings, bytes, times where the attribute is a time") {
    decoded_frame f;
    // 17 3DCCCCCD: float32 0.1f, which as a double is 0.100000001490116…: the shortest float text is 0.1
    REQUIRE(decode_cosem_attribute(hex_bytes("17 3DCCCCCD"), attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.records[0].number.to_string() == "0.1");
    // 18 3FB999999999999A: float64 0.1
    REQUIRE(decode_cosem_attribute(hex_bytes("18 3FB999999999999A"), attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.records[0].number.to_string() == "0.1");
    // 17 C2F6E979: float32 −123.456
    REQUIRE(decode_cosem_attribute(hex_bytes("17 C2F6E979"), attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.records[0].number.to_string() == "-123.456");
    // 17 7FC00000: a NaN has no value
    REQUIRE(decode_cosem_attribute(hex_bytes("17 7FC00000"), attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.records[0].kind == value_kind::invalid);
    // 0F 9C: integer −100; 03 01: boolean true; 0D 42: bcd 42; 16 07: enum 7
    REQUIRE(decode_cosem_attribute(hex_bytes("0F9C"), attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.records[0].number.to_string() == "-100");
    REQUIRE(decode_cosem_attribute(hex_bytes("0301"), attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.records[0].number.to_string() == "1");
    REQUIRE(decode_cosem_attribute(hex_bytes("0D42"), attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.records[0].number.to_string() == "42");
    REQUIRE(decode_cosem_attribute(hex_bytes("1607"), attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.records[0].number.to_string() == "7");
    // 0A 05 "MIR C" as text
    REQUIRE(decode_cosem_attribute(hex_bytes("0A05 4D49522043"), attr(1, "0-0:96.1.1*255", 2), f));
    CHECK(f.records[0].kind == value_kind::text);
    CHECK(f.text_of(f.records[0]) == "MIR C");
    // attribute 1 (logical_name): 09 06 0000010000FF kept as bytes
    REQUIRE(decode_cosem_attribute(hex_bytes("0906 0000010000FF"), attr(8, "0-0:1.0.0*255", 1), f));
    CHECK(f.records[0].kind == value_kind::bytes);
    CHECK(to_hex(f.data_of(f.records[0])) == "0000010000ff");

    // Clock attribute 2: 09 0C | 07EA 0B 18 02 | 0E 1E 2D 00 | FF4C | 80 → 2026-11-24 14:30:45, −180, DST
    const auto clock = hex_bytes("090C 07EA0B1802 0E1E2D00 FF4C 80");
    REQUIRE(decode_cosem_attribute(clock, attr(8, "0-0:1.0.0*255", 2), f));
    REQUIRE(f.records.size() == 1);
    const auto& r = f.records[0];
    CHECK(r.kind == value_kind::date_time);
    CHECK(r.quantity == record_quantity::time_point);
    CHECK(r.when.year == 2026);
    CHECK(r.when.hour == 14);
    CHECK(r.when.deviation == -180);
    CHECK(r.when.summer);
    // the same bytes in a Data object are bytes: nothing says they are a time
    REQUIRE(decode_cosem_attribute(clock, attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.records[0].kind == value_kind::bytes);
    // Clock attribute 3 (time_zone): 10 00B4 = 180 minutes
    REQUIRE(decode_cosem_attribute(hex_bytes("1000B4"), attr(8, "0-0:1.0.0*255", 3), f));
    CHECK(f.records[0].number.to_string() == "180");
    // an A-XDR date-time (tag 0x19) anywhere is a date-time
    REQUIRE(decode_cosem_attribute(hex_bytes("19 07EA0B1802 0E1E2D00 FF4C 00"), attr(1, "0-0:96.50.0*255", 2),
                                   f));
    CHECK(f.records[0].kind == value_kind::date_time);

    // an Activity Calendar attribute is a structure record pointing at its node
    REQUIRE(decode_cosem_attribute(hex_bytes("0101 0202 1100 0100"), attr(20, "0-0:13.0.0*255", 5), f));
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].kind == value_kind::structure);
    CHECK(f.records[0].node == 0);
    // trailing bytes after the value
    CHECK_FALSE(decode_cosem_attribute(hex_bytes("1100 00"), attr(1, "0-0:96.50.0*255", 2), f));
    CHECK(f.error.status == decode_status::malformed);
    CHECK(f.error.offset == 2);
}

TEST_CASE("a profile buffer: a storage number a row, scaled columns, a null clock from the capture period") {
    dlms_session s;
    decoded_frame f;
    const auto profile = attr(7, "1-0:99.1.0*255", 2);
    // capture_objects (attribute 3):
    //   01 02                                   array of 2
    //     02 04 12 0008 09 06 0000010000FF 0F 02 12 0000    {8, 0-0:1.0.0*255, 2, 0}: the clock
    //     02 04 12 0003 09 06 0100010800FF 0F 02 12 0000    {3, 1-0:1.8.0*255, 2, 0}: A+ energy
    REQUIRE(decode_cosem_attribute(hex_bytes("0102"
                                             "0204 120008 0906 0000010000FF 0F02 120000"
                                             "0204 120003 0906 0100010800FF 0F02 120000"),
                                   attr(7, "1-0:99.1.0*255", 3), f, &s));
    CHECK(f.records.size() == 1);
    CHECK(f.records[0].kind == value_kind::structure);
    REQUIRE(s.capture_objects[profile.obis].size() == 2);
    CHECK(s.capture_objects[profile.obis][1].what == attr(3, "1-0:1.8.0*255", 2));
    // capture_period (attribute 4): 06 00000708 = 1800 s
    REQUIRE(decode_cosem_attribute(hex_bytes("06 00000708"), attr(7, "1-0:99.1.0*255", 4), f, &s));
    CHECK(s.capture_periods[profile.obis] == 1800);
    // the register's scaler_unit: −3, Wh
    REQUIRE(decode_cosem_attribute(hex_bytes("0202 0FFD 161E"), attr(3, "1-0:1.8.0*255", 3), f, &s));

    // buffer (attribute 2):
    //   01 03                                            array of 3 rows
    //     02 02 | 09 0C 07EA 0C 1F 04 17 1E 00 00 FF4C 00 | 06 00003039    2026-12-31 (Thu) 23:30, 12345
    //     02 02 | 00                                      | 06 0000303A    null clock, 12346
    //     02 02 | 09 0C 07EB 01 01 05 00 1E 00 00 FF4C 00 | 06 0000303B    2027-01-01 (Fri) 00:30, 12347
    const auto buffer = hex_bytes(
        "0103"
        "0202 090C 07EA0C1F04 171E0000 FF4C 00 06 00003039"
        "0202 00 06 0000303A"
        "0202 090C 07EB010105 001E0000 FF4C 00 06 0000303B");
    REQUIRE(decode_cosem_attribute(buffer, profile, f, &s));
    REQUIRE(f.records.size() == 6);
    for (std::size_t i = 0; i < 6; ++i) {
        INFO("record " << i);
        CHECK(f.records[i].storage == i / 2 + 1);
        CHECK(f.records[i].attribute == 2);
    }
    const auto& t1 = f.records[0];
    CHECK(t1.class_id == 8);
    CHECK(t1.obis.to_string() == "0-0:1.0.0*255");
    CHECK(t1.kind == value_kind::date_time);
    CHECK(t1.when.day == 31);
    CHECK(t1.when.hour == 23);
    CHECK(t1.when.minute == 30);
    const auto& t2 = f.records[2];
    CHECK(t2.kind == value_kind::date_time);
    CHECK(t2.when.year == 2027);
    CHECK(t2.when.month == 1);
    CHECK(t2.when.day == 1);
    CHECK(t2.when.day_of_week == 5);
    CHECK(t2.when.hour == 0);
    CHECK(t2.when.minute == 0);
    CHECK(t2.when.deviation == -180);
    CHECK(f.records[4].when.minute == 30);
    CHECK(f.records[1].class_id == 3);
    CHECK(f.records[1].obis.to_string() == "1-0:1.8.0*255");
    CHECK(f.records[1].number.to_string() == "12.345");
    CHECK(f.records[1].has_scaler);
    CHECK(f.records[1].cosem_unit == 30);
    CHECK(f.records[3].number.to_string() == "12.346");
    CHECK(f.records[5].number.to_string() == "12.347");

    // without a capture period the null clock stays null (no guessing)
    s.capture_periods.clear();
    REQUIRE(decode_cosem_attribute(buffer, profile, f, &s));
    CHECK(f.records[2].kind == value_kind::none);

    // without capture objects: a structure record a row
    REQUIRE(decode_cosem_attribute(buffer, profile, f, nullptr));
    REQUIRE(f.records.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(f.records[i].kind == value_kind::structure);
        CHECK(f.records[i].storage == i + 1);
        CHECK(f.records[i].class_id == 7);
    }

    // an empty buffer (01 00) has no rows and gives no records; so does an empty compact one
    // (13 | 01 0001 06 | 00: elements of arrays of one double-long-unsigned, no contents)
    REQUIRE(decode_cosem_attribute(hex_bytes("0100"), profile, f, &s));
    CHECK(f.records.empty());
    REQUIRE(decode_cosem_attribute(hex_bytes("13 01000106 00"), profile, f, &s));
    CHECK(f.records.empty());

    // capture objects that are not: 01 01 | 02 03 ... (a structure of 3)
    CHECK_FALSE(decode_cosem_attribute(hex_bytes("0101 0203 120008 0906 0000010000FF 0F02"),
                                       attr(7, "1-0:99.1.0*255", 3), f, &s));
    CHECK(f.error.status == decode_status::malformed);
}

TEST_CASE("spodes_tests.jsonl: capture objects as the upstream reads them") {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/dlms/spodes_tests.jsonl";
    if (!std::ifstream(path)) {
        WARN("SKIPPED: corpus file absent: " << path);
        return;
    }
    std::size_t checked = 0;
    for (const auto& r : read_jsonl(path)) {
        const auto& sem = r["expected"].value("semantics", json::object());
        if (!sem.contains("capture_objects")) continue;
        INFO(r["source"].get<std::string>() << " " << r["id"].get<std::string>());
        dlms_session s;
        decoded_frame f;
        const auto a = attr(7, "1-0:99.1.0*255", 3);
        REQUIRE(decode_cosem_attribute(hex_bytes(r["input"].get<std::string>()), a, f, &s));
        const auto& got = s.capture_objects[a.obis];
        const auto& want = sem["capture_objects"];
        REQUIRE(got.size() == want.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            CHECK(want[i]["class_id"] == got[i].what.class_id);
            CHECK(logical_name::parse(want[i]["logical_name"].get<std::string>()) == got[i].what.obis);
            CHECK(want[i]["attribute_index"] == got[i].what.attribute);
            CHECK(want[i]["data_index"] == got[i].data_index);
        }
        ++checked;
    }
    std::printf("spodes_tests.jsonl: %zu capture_objects semantics checked\n", checked);
    CHECK(checked == 3);
}

TEST_CASE("spodes_typ.jsonl: every capture decodes as its attribute without error") {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/dlms/spodes_typ.jsonl";
    if (!std::ifstream(path)) {
        WARN("SKIPPED: corpus file absent: " << path);
        return;
    }
    const auto records = read_jsonl(path);
    std::size_t passed = 0, scalers = 0, capture_lists = 0;
    decoded_frame f;
    for (const auto& r : records) {
        const auto& ctx = r["context"];
        const auto ln = logical_name::parse(ctx["logical_name"].get<std::string>());
        REQUIRE(ln);
        const cosem_attribute a{ctx["class_id"].get<std::uint16_t>(), *ln,
                                ctx["attribute"].get<std::int8_t>()};
        INFO(r["source"].get<std::string>()
             << " " << ln->to_string() << " class " << a.class_id << " attr " << int(a.attribute));
        dlms_session s;
        const bool ok = decode_cosem_attribute(hex_bytes(r["input"].get<std::string>()), a, f, &s);
        INFO(f.error.message());
        CHECK(ok);
        CHECK(!f.records.empty());
        passed += ok && !f.records.empty() ? 1 : 0;
        scalers += s.scaler_units.size();
        capture_lists += s.capture_objects.size();
    }
    std::printf(
        "spodes_typ.jsonl: %zu/%zu captures decode as their attribute (%zu scaler_units, %zu capture "
        "object lists learnt)\n",
        passed, records.size(), scalers, capture_lists);
    CHECK(passed == records.size());
    CHECK(scalers == 44);        // class 3 attribute 3 (43) and class 4 attribute 3 (1)
    CHECK(capture_lists == 62);  // class 7 attribute 3
}

namespace {

/// Whether the upstream's semantic reading `v` of an attribute (its fields in the structure's member order)
/// is what node `i` holds: arrays element by element, objects member by member, times field by field, names
/// as text or as OBIS codes, numbers as integers.
bool semantics_match(const std::vector<cosem_node>& nodes, std::span<const std::uint8_t> data,
                     std::uint32_t i, const nlohmann::ordered_json& v, const std::string& path,
                     std::string& why) {
    const cosem_node& n = nodes[i];
    const auto b = data.subspan(n.offset, n.size);
    const auto kids = children_of(nodes, i);
    if (v.is_array()) {
        if (n.type != axdr_type::array || kids.size() != v.size())
            return why = path + ": expected an array of " + std::to_string(v.size()), false;
        for (std::size_t k = 0; k < kids.size(); ++k)
            if (!semantics_match(nodes, data, kids[k], v[k], path + "/" + std::to_string(k), why))
                return false;
        return true;
    }
    if (v.is_object() && (v.contains("hour") || v.contains("year"))) {
        const axdr_type t = b.size() == 12  ? axdr_type::date_time
                            : b.size() == 5 ? axdr_type::date
                                            : axdr_type::time;
        if (n.type != axdr_type::octet_string) return why = path + ": expected a time", false;
        if (!time_matches(b, t, json::parse(v.dump()), why)) return why = path + ": " + why, false;
        return true;
    }
    if (v.is_object()) {
        if (n.type != axdr_type::structure || kids.size() != v.size())
            return why = path + ": expected a structure of " + std::to_string(v.size()), false;
        std::size_t k = 0;
        for (const auto& [key, member] : v.items())
            if (!semantics_match(nodes, data, kids[k++], member, path + "/" + key, why)) return false;
        return true;
    }
    if (v.is_number_integer()) {
        const bool ok = b.size() >= 1 && b.size() <= 8 &&
                        int_text(b.data(), b.size(),
                                 n.type == axdr_type::integer || n.type == axdr_type::long_) == v.dump();
        if (!ok) why = path + ": expected " + v.dump();
        return ok;
    }
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (std::string(b.begin(), b.end()) == s) return true;
        const auto ln = logical_name::parse(s);
        if (ln && b.size() == 6 && std::equal(b.begin(), b.end(), ln->g.begin())) return true;
        return why = path + ": expected " + v.dump() + ", found " + to_hex(b), false;
    }
    if (v.is_null()) return n.type == axdr_type::null_data;
    return why = path + ": a reading the checker does not know: " + v.dump(), false;
}

}  // namespace

TEST_CASE("spodes_tests.jsonl: Activity Calendar tables as the upstream reads them") {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/dlms/spodes_tests.jsonl";
    if (!std::ifstream(path)) {
        WARN("SKIPPED: corpus file absent: " << path);
        return;
    }
    std::ifstream in(path);
    std::string line;
    std::size_t checked = 0;
    while (std::getline(in, line)) {
        const auto r = nlohmann::ordered_json::parse(line);
        const auto sem = r["expected"].value("semantics", nlohmann::ordered_json::object());
        if (sem.empty() || sem.contains("capture_objects")) continue;
        INFO(r["source"].get<std::string>() << " " << r["id"].get<std::string>());
        decoded_frame f;
        const cosem_attribute a{r["context"]["class_id"].get<std::uint16_t>(),
                                *logical_name::parse("0.0.13.0.0.255"),
                                r["context"]["attribute"].get<std::int8_t>()};
        REQUIRE(decode_cosem_attribute(hex_bytes(r["input"].get<std::string>()), a, f));
        REQUIRE(f.records.size() == 1);
        CHECK(f.records[0].kind == value_kind::structure);
        std::string why;
        const bool ok =
            semantics_match(f.nodes, f.data, f.records[0].node, sem.begin().value(), sem.begin().key(), why);
        INFO(why);
        CHECK(ok);
        ++checked;
    }
    std::printf("spodes_tests.jsonl: %zu Activity Calendar semantics checked\n", checked);
    CHECK(checked == 3);
}
