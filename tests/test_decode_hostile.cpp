// Hostile tests of the M-Bus decoders (issue 12). Each case names its input, what EN 13757-3/-4 or the
// project's own docs say, and what libkvant does. Cases tagged [finding] fail on the code as it is: they show
// a defect. The others guard behaviour that was checked by hand and is right (signed values, negative BCD).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/error.hpp"
#include "kvant/decode/decoder.hpp"
#include "kvant/decode/frame_mapping.hpp"
#include "kvant/decode/mbus.hpp"
#include "kvant/decode/wmbus.hpp"
#include "kvant/model/device_address.hpp"

using namespace kvant;

namespace {

using bytes_t = std::vector<std::uint8_t>;

bytes_t hex(std::string_view s) {
    bytes_t out;
    int hi = -1;
    for (char c : s) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) continue;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(std::uint8_t(hi * 16 + v));
            hi = -1;
        }
    }
    return out;
}

// 0x68 L L 0x68 C=08 A=01 CI data CS 0x16
bytes_t long_frame(std::uint8_t ci, const bytes_t& data) {
    bytes_t f;
    f.reserve(data.size() + 9);
    for (std::uint8_t b : {std::uint8_t(0x68), std::uint8_t(data.size() + 3), std::uint8_t(data.size() + 3),
                           std::uint8_t(0x68), std::uint8_t(0x08), std::uint8_t(0x01), ci})
        f.push_back(b);
    for (std::uint8_t b : data) f.push_back(b);
    std::uint8_t cs = 0;
    for (std::size_t i = 4; i < f.size(); ++i) cs = std::uint8_t(cs + f[i]);
    f.push_back(cs);
    f.push_back(0x16);
    return f;
}

// long header: id 12345678, manufacturer 0x4024 (PAD), version 1, medium 7 (water), access 0x55, status 0,
// signature 0000
const bytes_t long_header = hex("78563412 2440 01 07 55 00 0000");

bytes_t with_header(const bytes_t& records) {
    bytes_t d = long_header;
    d.insert(d.end(), records.begin(), records.end());
    return d;
}

// A wireless telegram without its CRCs: L, then the body (C M A CI ...).
bytes_t stripped(const bytes_t& body) {
    bytes_t t;
    t.reserve(body.size() + 1);
    t.push_back(std::uint8_t(body.size()));
    for (std::uint8_t b : body) t.push_back(b);
    return t;
}

std::uint16_t crc16_en13757(const bytes_t& b) {
    std::uint16_t crc = 0;
    for (auto x : b) {
        crc ^= std::uint16_t(x << 8);
        for (int i = 0; i < 8; ++i)
            crc = (crc & 0x8000) ? std::uint16_t((crc << 1) ^ 0x3D65) : std::uint16_t(crc << 1);
    }
    return std::uint16_t(~crc);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Guards: signed values (the peers' users' first complaint) are right.

// Input: 0x72 long frame, record 03 13 FE FF FF (24-bit integer, volume 10^-3 m3).
// EN 13757-3 Annex B type B: binary integers are signed two's complement: FFFFFE = -2 -> -0.002 m3.
// libkvant: -0.002 (right).
TEST_CASE("hostile: 24-bit two's complement is negative", "[decode_hostile]") {
    decoded_frame f;
    REQUIRE(decode_mbus(long_frame(0x72, with_header(hex("0313 FEFFFF"))), f));
    REQUIRE(f.records.size() == 1);
    CHECK(f.records[0].number.to_string() == "-0.002");
}

// Input: record 07 13 00..00 80 (64-bit integer INT64_MIN). Type B: -9223372036854775808 x 10^-3 m3.
// libkvant: exact, no overflow (right).
TEST_CASE("hostile: 64-bit INT64_MIN is exact", "[decode_hostile]") {
    decoded_frame f;
    REQUIRE(decode_mbus(long_frame(0x72, with_header(hex("0713 0000000000000080"))), f));
    CHECK(f.records[0].number.to_string() == "-9223372036854775.808");
}

// Input: record 0B 13 45 23 F1 (6-digit BCD, MSD nibble F). EN 13757-3 Annex B type A: F in the most
// significant nibble = negative: -12345 x 10^-3 = -12.345. LVAR D2 34 12: negative BCD -1234 -> -1.234.
// libkvant: right.
TEST_CASE("hostile: negative BCD, fixed and variable length", "[decode_hostile]") {
    decoded_frame f;
    REQUIRE(decode_mbus(long_frame(0x72, with_header(hex("0B13 4523F1  0D13 D2 3412  0261 FBFF"))), f));
    REQUIRE(f.records.size() == 3);
    CHECK(f.records[0].number.to_string() == "-12.345");
    CHECK(f.records[1].number.to_string() == "-1.234");
    CHECK(f.records[2].number.to_string() == "-0.05");  // temperature difference -5 x 10^-2 K
}

// Input: 32-bit real 0x BFC00000 (-1.5) with VIF 13. Type H (IEEE 754): -1.5 x 10^-3 = -0.0015. Right.
TEST_CASE("hostile: negative 32-bit real", "[decode_hostile]") {
    decoded_frame f;
    REQUIRE(decode_mbus(long_frame(0x72, with_header(hex("0513 0000C0BF"))), f));
    CHECK(f.records[0].number.to_string() == "-0.0015");
}

// Input: a volume record, then DIF 0F and three bytes AA BB CC. EN 13757-3 Table 6: DIF 0Fh = manufacturer
// specific data to the end of the telegram. libkvant keeps it as a bytes record (right: not dropped).
TEST_CASE("hostile: manufacturer-specific data after DIF 0F is kept", "[decode_hostile]") {
    decoded_frame f;
    REQUIRE(decode_mbus(long_frame(0x72, with_header(hex("0413 01000000 0F AABBCC"))), f));
    REQUIRE(f.records.size() == 2);
    CHECK(f.records[1].quantity == record_quantity::manufacturer_specific);
    CHECK(f.records[1].data_size == 3);
}

// Every prefix of a good wired and wireless frame is refused without a crash (short telegrams).
TEST_CASE("hostile: every prefix of short telegrams is refused cleanly", "[decode_hostile]") {
    const bytes_t wired = long_frame(0x72, with_header(hex("0413 01000000 02FD17 0180")));
    for (std::size_t n = 0; n < wired.size(); ++n) {
        decoded_frame f;
        CHECK_FALSE(decode_mbus(std::span<const std::uint8_t>(wired.data(), n), f));
    }
    const bytes_t body = hex("44 2D2C 78563412 01 07 7A 55000000 0413 01000000");
    for (std::size_t n = 0; n <= body.size(); ++n) {
        bytes_t t;
        t.reserve(n + 1);
        t.push_back(std::uint8_t(n));
        for (std::size_t i = 0; i < n; ++i) t.push_back(body[i]);
        decoded_frame f;
        decoder_config cfg;
        cfg.crc = crc_mode::absent;
        const bool ok = decode_wmbus(t, cfg, f);
        // n == 14 ends right after the short header: a valid telegram without records
        if (n < body.size() && n != 14) CHECK_FALSE(ok);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Findings

// [finding, fixed] Input: a wired long frame with CI 0x76 and the record 04 13 00 00 01 02.
// EN 13757-3 (CI table; also libmbus MBUS_CONTROL_INFO_DATA_RESP_VARIABLE_MSB = 0x76): 0x76 is the variable
// data response of mode 2, multi-byte values sent most significant byte first. The value is 0x00000102 = 258
// l = 0.258 m3. libkvant reads 0x76 exactly like 0x72 (little-endian) and reports 33619.968 m3 without any
// warning: a silently wrong number (it should read MSB first, or refuse 0x76 as unsupported).
TEST_CASE("hostile (a fixed finding): CI 0x76 (mode 2) is read most significant byte first",
          "[decode_hostile][finding]") {
    decoded_frame f;
    const bool ok = decode_mbus(long_frame(0x76, with_header(hex("0413 00000102"))), f);
    if (ok) {
        REQUIRE(f.records.size() == 1);
        CHECK(f.records[0].number.to_string() == "0.258");
    } else {
        CHECK(f.error.status == decode_status::unsupported);
    }
}

// [finding, fixed] Input: a stripped wireless telegram (C 44, M 00 00, A 78563412 01 07, CI 7A, mode 0, one
// volume record). docs/ingest.md: a manufacturer letter 0 shows as '@' and 27..31 as '[ \ ] ^ _', "so that
// every frame's address can be registered"; the wired decoder does this. The wireless decoder writes '?'
// instead (manufacturer_letters in wmbus.cpp): the frame's address is "mbus:???-12345678-01-07", which
// parse_device_address refuses, so such a meter can never be registered or matched by `kvant ingest`, and the
// same meter gives a different manufacturer over wired and wireless M-Bus.
TEST_CASE("hostile (a fixed finding): wireless manufacturer code 0 shows '@' as wired does",
          "[decode_hostile][finding]") {
    decoder_config cfg;
    cfg.crc = crc_mode::absent;
    decoded_frame f;
    REQUIRE(decode_wmbus(stripped(hex("44 0000 78563412 01 07 7A 55000000 0413 01000000")), cfg, f));
    CHECK(std::string(f.header.manufacturer.data()) == "@@@");
    const auto a = frame_address(f);
    REQUIRE(a);
    CHECK_NOTHROW(parse_device_address("mbus:" + a->manufacturer + "-" + a->id));

    decoded_frame g;  // 0x043B: A, A, letter 27 -> '['
    REQUIRE(decode_wmbus(stripped(hex("44 3B04 78563412 01 07 7A 55000000 0413 01000000")), cfg, g));
    CHECK(std::string(g.header.manufacturer.data()) == "AA[");
}

// [finding, fixed] Input: a full frame (CI 7A, mode 0) with one record 0D 13 F5 + 48 data bytes (LVAR F5h),
// which the format cache learns, then the compact frame (CI 79) of the same format: signature CRC(0D 13),
// full-frame CRC of the rebuilt record, data F5 + the 48 bytes. EN 13757-3 Table 5: LVAR F5h = binary number
// of 48 bytes, F6h = 64 bytes; the full-frame parser accepts both. The compact frame's rebuild (lvar_size in
// wmbus.cpp) stops at F4h and refuses the compact frame as malformed ("an LVAR byte 0x00..0xF4").
TEST_CASE("hostile (a fixed finding): a compact frame takes LVAR F5 as its full frame does",
          "[decode_hostile][finding]") {
    wmbus_format_cache cache;
    decoder_config cfg;
    cfg.crc = crc_mode::absent;
    cfg.formats = &cache;
    bytes_t record = hex("0D13 F5");
    for (int i = 0; i < 48; ++i) record.push_back(std::uint8_t(i));
    bytes_t full_body = hex("44 2D2C 78563412 01 07 7A 55000000");
    full_body.insert(full_body.end(), record.begin(), record.end());
    decoded_frame full;
    REQUIRE(decode_wmbus(stripped(full_body), cfg, full));
    REQUIRE(full.records.size() == 1);

    const std::uint16_t sig = crc16_en13757(hex("0D13"));
    const std::uint16_t fcrc = crc16_en13757(record);
    bytes_t compact_body = hex("44 2D2C 78563412 01 07 79");
    compact_body.push_back(std::uint8_t(sig & 0xFF));
    compact_body.push_back(std::uint8_t(sig >> 8));
    compact_body.push_back(std::uint8_t(fcrc & 0xFF));
    compact_body.push_back(std::uint8_t(fcrc >> 8));
    compact_body.insert(compact_body.end(), record.begin() + 2, record.end());
    decoded_frame compact;
    const bool ok = decode_wmbus(stripped(compact_body), cfg, compact);
    INFO(compact.error.message());
    CHECK(ok);
}
