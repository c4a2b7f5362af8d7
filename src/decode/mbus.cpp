// Wired M-Bus: the EN 13757-2 link layer frames and the application data of a long frame by its CI field.
#include "kvant/decode/mbus.hpp"

#include <string>

#include "mbus_records.hpp"
#include "mbus_vif.hpp"

namespace kvant {
inline namespace v0 {
namespace {

using detail::hex_byte;

std::string count(std::size_t n, const char* what) {
    return std::to_string(n) + " " + what;
}

using detail::fail;

constexpr std::size_t data_at = 7;  // 0x68 L L 0x68 C A CI: the application data starts here

// The fixed data structure (CI 0x73, EN 13757-3 Annex G): id (4), access number, status, medium and units
// (2), counter 1 (4), counter 2 (4).
bool parse_fixed(decoded_frame& out) {
    constexpr std::size_t fixed_size = 16;
    const std::size_t have = out.data.size() - data_at;
    if (have < fixed_size)
        return fail(out, decode_status::truncated, out.data.size(),
                    "16 bytes of fixed data structure (CI 0x73)", count(have, "bytes"));
    if (have > fixed_size)
        return fail(out, decode_status::malformed, data_at + fixed_size,
                    "the end of a 16-byte fixed data structure (CI 0x73)", count(have, "bytes"));
    const std::uint8_t* p = out.data.data() + data_at;
    auto& h = out.header;
    h.access_number = p[4];
    h.status = p[5];
    const bool binary = (h.status & 0x80) != 0;    // counters (and id) binary, else BCD
    const bool historic = (h.status & 0x40) != 0;  // counters stored at a fixed date
    h.id = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
    h.medium = std::uint8_t(((p[6] & 0xC0) >> 6) | ((p[7] & 0xC0) >> 4));
    const auto& units = detail::fixed_unit_table();
    const std::uint8_t unit_code[2] = {std::uint8_t(p[6] & 0x3F), std::uint8_t(p[7] & 0x3F)};
    for (int i = 0; i < 2; ++i) {
        frame_record r;
        r.offset = std::uint32_t(data_at + 8 + 4 * std::size_t(i));
        r.data_offset = r.offset;
        r.data_size = 4;
        std::uint8_t code = unit_code[i];
        r.storage = historic ? 1 : 0;
        if (i == 1 && code == 0x3E) {  // counter 2 in counter 1's unit, a historic value
            code = unit_code[0];
            r.storage = 1;
        }
        const auto& m = units[code];
        r.quantity = m.quantity;
        r.unit = m.unit;
        r.exponent = m.exponent;
        const std::uint8_t* c = p + 8 + 4 * i;
        r.kind = value_kind::number;
        if (binary) {
            r.number.magnitude = std::uint64_t(c[0]) | std::uint64_t(c[1]) << 8 | std::uint64_t(c[2]) << 16 |
                                 std::uint64_t(c[3]) << 24;
        } else {
            std::uint64_t v = 0;
            for (int k = 3; k >= 0; --k) {
                if ((c[k] >> 4) > 9 || (c[k] & 0xF) > 9) r.kind = value_kind::invalid;
                v = v * 100 + std::uint64_t(c[k] >> 4) * 10 + (c[k] & 0xF);
            }
            r.number.magnitude = v;
        }
        r.number.exponent = r.exponent;
        if (r.kind == value_kind::invalid) r.number = {};
        out.records.push_back(r);
    }
    return true;
}

}  // namespace

bool mbus_identify(std::span<const std::uint8_t> b) noexcept {
    if (b.empty()) return false;
    if (b[0] == 0xE5) return b.size() == 1;
    if (b[0] == 0x10) return b.size() == 5 && b[4] == 0x16;
    if (b[0] == 0x68) return b.size() >= 4 && b[1] == b[2] && b[3] == 0x68;
    return false;
}

bool decode_mbus(std::span<const std::uint8_t> bytes, decoded_frame& out) {
    out.clear();
    out.protocol = "mbus";
    const std::size_t n = bytes.size();
    if (n == 0)
        return fail(out, decode_status::truncated, 0, "a start byte (0xE5, 0x10 or 0x68)", "end of input");
    const std::uint8_t start = bytes[0];
    auto& h = out.header;
    if (start == 0xE5) {
        h.kind = frame_kind::single_character;
        if (n > 1)
            return fail(out, decode_status::malformed, 1, "the end of a single character frame (0xE5)",
                        count(n - 1, "more bytes"));
        return true;
    }
    if (start == 0x10) {
        h.kind = frame_kind::short_frame;
        if (n < 5)
            return fail(out, decode_status::truncated, n, "a 5-byte short frame (0x10 C A CS 0x16)",
                        count(n, "bytes"));
        if (bytes[4] != 0x16)
            return fail(out, decode_status::malformed, 4, "0x16 (stop byte)", hex_byte(bytes[4]));
        if (n > 5)
            return fail(out, decode_status::malformed, 5, "the end of the frame after its stop byte",
                        count(n - 5, "more bytes"));
        const std::uint8_t cs = std::uint8_t(bytes[1] + bytes[2]);
        if (bytes[3] != cs)
            return fail(out, decode_status::checksum, 3, "a checksum of " + hex_byte(cs), hex_byte(bytes[3]));
        h.c_field = bytes[1];
        h.a_field = bytes[2];
        out.data.assign(bytes.begin(), bytes.begin() + 3);
        return true;
    }
    if (start != 0x68)
        return fail(out, decode_status::malformed, 0, "a start byte (0xE5, 0x10 or 0x68)", hex_byte(start));
    if (n < 4)
        return fail(out, decode_status::truncated, n, "the 4-byte header of a long frame (0x68 L L 0x68)",
                    count(n, n == 1 ? "byte" : "bytes"));
    const std::uint8_t l = bytes[1];
    if (bytes[2] != l)
        return fail(out, decode_status::malformed, 2,
                    "the second L field equal to the first (" + hex_byte(l) + ")", hex_byte(bytes[2]));
    if (bytes[3] != 0x68)
        return fail(out, decode_status::malformed, 3, "0x68 (second start byte)", hex_byte(bytes[3]));
    if (l < 3)
        return fail(out, decode_status::malformed, 1, "an L field of at least 3 (C, A and CI)", hex_byte(l));
    // L counts C, A, CI and the user data (at most 252 bytes, EN 13757-2): a frame is L + 6 bytes
    const std::size_t total = std::size_t(l) + 6;
    if (n < total)
        return fail(out, decode_status::truncated, n,
                    count(total, "bytes, as the L field") + " " + hex_byte(l) + " says", count(n, "bytes"));
    if (bytes[total - 1] != 0x16)
        return fail(out, decode_status::malformed, total - 1, "0x16 (stop byte)", hex_byte(bytes[total - 1]));
    if (n > total)
        return fail(out, decode_status::malformed, total,
                    "the end of the frame after its stop byte (the L field " + hex_byte(l) + " says " +
                        count(total, "bytes") + ")",
                    count(n - total, n - total == 1 ? "more byte" : "more bytes"));
    std::uint8_t sum = 0;
    for (std::size_t i = 4; i < 4 + std::size_t(l); ++i) sum = std::uint8_t(sum + bytes[i]);
    if (bytes[4 + l] != sum)
        return fail(out, decode_status::checksum, 4 + std::size_t(l), "a checksum of " + hex_byte(sum),
                    hex_byte(bytes[4 + l]));

    h.c_field = bytes[4];
    h.a_field = bytes[5];
    h.ci = bytes[6];
    // the records point into the frame as given: their offsets are the input's
    out.data.assign(bytes.begin(), bytes.begin() + 4 + l);
    h.kind = l == 3 ? frame_kind::control : frame_kind::long_frame;

    switch (h.ci) {
        case 0x70:  // application error: its code (if any) becomes the status; no records
            if (l >= 4) h.status = bytes[7];
            return true;
        case 0x72:
        case 0x76:  // mode 2 (EN 1434-3): the header's and the records' multi-byte fields MSB first
            if (!detail::parse_long_header(out, data_at, h.ci == 0x76)) return false;
            break;
        case 0x7A:
            if (!detail::parse_short_header(out, data_at)) return false;
            break;
        case 0x78:
            break;
        case 0x73:
            return parse_fixed(out);
        default:
            if (h.kind == frame_kind::control) return true;  // a control frame carries no application data
            return fail(out, decode_status::unsupported, 6,
                        "a CI field of a slave's response (0x70, 0x72, 0x73, 0x76, 0x78, 0x7A)",
                        hex_byte(h.ci));
    }
    // Wired meters fill the 0x72 header's last two bytes (EN 13757-3:2004 "signature") with anything
    // (0xFFFF, 0x27B6 in the corpus), and wired M-Bus is read unencrypted: the field is kept as read in
    // `configuration`, no security mode is taken from it, and the records are read as plain.
    h.security_mode = 0;
    const std::size_t records_at = h.ci == 0x78 ? data_at : h.ci == 0x7A ? data_at + 4 : data_at + 12;
    return detail::parse_mbus_records(out, records_at, h.ci == 0x76);
}

}  // namespace v0
}  // namespace kvant
