// The variable data structure of EN 13757-3 (records: DIB, VIB, data) and the transport layer headers.
// Every length is checked before a byte is read; nothing here throws on bytes (only std::bad_alloc).
#include "mbus_records.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "mbus_vif.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {
bool fail(decoded_frame& out, decode_status st, std::size_t offset, std::string expected, std::string found) {
    out.error.status = st;
    out.error.offset = std::uint32_t(offset);
    out.error.expected = std::move(expected);
    out.error.found = std::move(found);
    return false;
}

std::string hex_byte(std::uint8_t b) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string s = "0x";
    s += hex[b >> 4];
    s += hex[b & 0xF];
    return s;
}

namespace {

constexpr std::size_t max_difes = 10;  // EN 13757-3: at most ten DIFEs
constexpr std::size_t max_vifes = 10;  // and ten VIFEs

std::string record_name(std::size_t index) {
    return "record " + std::to_string(index);
}

std::string bytes_left(std::size_t n) {
    return n == 1 ? "1 byte" : std::to_string(n) + " bytes";
}

// Data field sizes by the DIF's low four bits; 0xD (variable) and 0xF (special) are handled apart.
constexpr std::uint8_t field_size[16] = {0, 1, 2, 3, 4, 4, 6, 8, 0, 1, 2, 3, 4, 0, 6, 0};

const char* field_name(std::uint8_t field) {
    switch (field) {
        case 0x1:
            return "8-bit integer";
        case 0x2:
            return "16-bit integer";
        case 0x3:
            return "24-bit integer";
        case 0x4:
            return "32-bit integer";
        case 0x5:
            return "32-bit real";
        case 0x6:
            return "48-bit integer";
        case 0x7:
            return "64-bit integer";
        case 0x9:
            return "2-digit BCD";
        case 0xA:
            return "4-digit BCD";
        case 0xB:
            return "6-digit BCD";
        case 0xC:
            return "8-digit BCD";
        case 0xE:
            return "12-digit BCD";
        default:
            return "data";
    }
}

// Little-endian two's complement integer of n (1..8) bytes.
void read_signed(const std::uint8_t* p, std::size_t n, exact_number& v) {
    std::uint64_t u = 0;
    for (std::size_t i = n; i-- > 0;) u = (u << 8) | p[i];
    const unsigned bits = unsigned(n * 8);
    const bool neg = (u >> (bits - 1)) & 1u;
    if (!neg) {
        v.magnitude = u;
        v.negative = false;
        return;
    }
    // |u − 2^bits| = 2^bits − u, computed without overflowing at 64 bits
    const std::uint64_t mask = bits == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << bits) - 1;
    v.magnitude = ((~u) & mask) + 1;
    v.negative = true;
}

void read_unsigned(const std::uint8_t* p, std::size_t n, exact_number& v) {
    std::uint64_t u = 0;
    for (std::size_t i = n; i-- > 0;) u = (u << 8) | p[i];
    v.magnitude = u;
    v.negative = false;
}

// BCD, least significant byte first. A highest nibble 0xF means negative (EN 13757-3 Annex B, type A);
// any other nibble above 9 makes the value invalid. `force_negative`: LVAR 0xD0..0xD9.
bool read_bcd(const std::uint8_t* p, std::size_t n, bool force_negative, exact_number& v) {
    std::uint64_t m = 0;
    bool neg = force_negative;
    for (std::size_t i = n; i-- > 0;) {
        const std::uint8_t hi = p[i] >> 4, lo = p[i] & 0xF;
        if (i == n - 1 && hi == 0xF) {
            neg = true;
        } else {
            if (hi > 9) return false;
            m = m * 10 + hi;
        }
        if (lo > 9) return false;
        m = m * 10 + lo;
    }
    v.magnitude = m;
    v.negative = neg && m != 0;
    return true;
}

// A 32-bit IEEE 754 real as the shortest decimal that reads back to the same float (never via double).
bool read_real(const std::uint8_t* p, exact_number& v) {
    const std::uint32_t bits = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
                               std::uint32_t(p[3]) << 24;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    const auto x = exact_number::of(f);
    if (!x) return false;
    v = *x;
    return true;
}

// The 7-bit year: 0..80 are 2000..2080, 81..127 years since 1900 (1981..2027), as libmbus reads them.
int full_year(int y) {
    return y <= 80 ? 2000 + y : 1900 + y;
}

// Type G (2 bytes): date.
void read_type_g(const std::uint8_t* p, record_time& t) {
    t.day = p[0] & 0x1F;
    t.month = p[1] & 0x0F;
    t.year = std::int16_t(full_year(((p[0] & 0xE0) >> 5) | ((p[1] & 0xF0) >> 1)));
    t.has_date = true;
    t.invalid = p[0] == 0xFF && p[1] == 0xFF;
}

// Type F (4 bytes): date and time to the minute, IV (invalid) and SU (summer time) bits.
void read_type_f(const std::uint8_t* p, record_time& t) {
    t.minute = p[0] & 0x3F;
    t.invalid = (p[0] & 0x80) != 0;
    t.hour = p[1] & 0x1F;
    t.summer = (p[1] & 0x80) != 0;
    t.day = p[2] & 0x1F;
    t.month = p[3] & 0x0F;
    t.year = std::int16_t(full_year(((p[2] & 0xE0) >> 5) | ((p[3] & 0xF0) >> 1)));
    t.has_date = t.has_time = true;
}

// Type I (6 bytes): date and time to the second; IV in the minute byte's bit 7, SU in its bit 6.
void read_type_i(const std::uint8_t* p, record_time& t) {
    t.second = p[0] & 0x3F;
    t.minute = p[1] & 0x3F;
    t.invalid = (p[1] & 0x80) != 0;
    t.summer = (p[1] & 0x40) != 0;
    t.hour = p[2] & 0x1F;
    t.day = p[3] & 0x1F;
    t.month = p[4] & 0x0F;
    t.year = std::int16_t(full_year(((p[3] & 0xE0) >> 5) | ((p[4] & 0xF0) >> 1)));
    t.has_date = t.has_time = t.has_seconds = true;
}

// Type J (3 bytes): time of day.
void read_type_j(const std::uint8_t* p, record_time& t) {
    t.second = p[0] & 0x3F;
    t.minute = p[1] & 0x3F;
    t.hour = p[2] & 0x1F;
    t.has_time = t.has_seconds = true;
}

bool is_time_quantity(record_quantity q) {
    return q == record_quantity::time_point || q == record_quantity::tariff_start ||
           q == record_quantity::battery_change;
}

// Bit fields: their integers are not signed.
bool is_bit_field(record_quantity q) {
    return q == record_quantity::error_flags || q == record_quantity::error_mask ||
           q == record_quantity::digital_output || q == record_quantity::digital_input;
}

// VIFEs saying the value is a date (time) of the quantity: 0x39 start date of; E100 uf1b and E110 1f1b.
bool is_date_modifier(std::uint8_t code) {
    return code == 0x39 || ((code & 0xF2) == 0x42) || ((code & 0xFA) == 0x6A);
}

// Applies one combinable (orthogonal) VIFE, EN 13757-3 Table 15.
void apply_vife(frame_record& r, std::uint8_t code) {
    if (code <= 0x1F) {
        r.error_code = code;
    } else if (code <= 0x35) {
        r.per = code;
    } else if (code == 0x39 || (code >= 0x40 && code <= 0x6F)) {
        // the value is no longer of the VIF's quantity itself: a limit, a count, a date or a duration of it
        r.modifier = code;
        constexpr record_unit durations[4] = {record_unit::s, record_unit::min, record_unit::h,
                                              record_unit::d};
        if (code == 0x41 || code == 0x49) {  // number of exceeds
            r.unit = record_unit::none;
            r.exponent = 0;
        } else if (code >= 0x50 && code <= 0x67) {  // duration of (limit exceed)
            r.unit = durations[code & 3];
            r.exponent = 0;
        } else if (is_date_modifier(code)) {
            r.unit = record_unit::none;
            r.exponent = 0;
        }
    } else if (code == 0x3B) {
        r.accumulate_positive = true;
    } else if (code == 0x3C) {
        r.accumulate_negative = true;
    } else if (code == 0x3E) {
        r.at_base_conditions = true;
    } else if (code >= 0x70 && code <= 0x77) {
        r.exponent = std::int16_t(r.exponent + (code & 7) - 6);
    } else if (code >= 0x78 && code <= 0x7B) {
        r.additive_correction = true;
    } else if (code == 0x7D) {
        r.exponent = std::int16_t(r.exponent + 3);
    }
}

}  // namespace

void manufacturer_letters(std::uint16_t code, std::array<char, 4>& out) noexcept {
    out[0] = char(((code >> 10) & 0x1F) + 64);
    out[1] = char(((code >> 5) & 0x1F) + 64);
    out[2] = char((code & 0x1F) + 64);
    out[3] = '\0';
}

int lvar_size(std::uint8_t lvar) noexcept {
    if (lvar <= 0xBF) return lvar;                               // ASCII text
    if (lvar >= 0xC0 && lvar <= 0xC9) return lvar - 0xC0;        // positive BCD, 2 digits a byte
    if (lvar >= 0xD0 && lvar <= 0xD9) return lvar - 0xD0;        // negative BCD
    if (lvar >= 0xE0 && lvar <= 0xEF) return lvar - 0xE0;        // binary number
    if (lvar >= 0xF0 && lvar <= 0xF4) return 4 * (lvar - 0xEC);  // binary number, 16..32 bytes
    if (lvar == 0xF5) return 48;
    if (lvar == 0xF6) return 64;
    return -1;
}

bool parse_long_header(decoded_frame& out, std::size_t at, bool msb_first) {
    const auto& d = out.data;
    if (d.size() < at || d.size() - at < 12)
        return fail(out, decode_status::truncated, at,
                    "a 12-byte long header (id, manufacturer, version, medium, access number, status, "
                    "configuration)",
                    bytes_left(d.size() < at ? 0 : d.size() - at));
    const std::uint8_t* p = d.data() + at;
    auto& h = out.header;
    h.id = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
    h.manufacturer_code = std::uint16_t(p[4] | p[5] << 8);
    if (msb_first) {
        h.id = std::uint32_t(p[3]) | std::uint32_t(p[2]) << 8 | std::uint32_t(p[1]) << 16 |
               std::uint32_t(p[0]) << 24;
        h.manufacturer_code = std::uint16_t(p[5] | p[4] << 8);
    }
    manufacturer_letters(h.manufacturer_code, h.manufacturer);
    h.version = p[6];
    h.medium = p[7];
    h.has_address = true;
    return parse_short_header(out, at + 8);
}

bool parse_short_header(decoded_frame& out, std::size_t at) {
    const auto& d = out.data;
    if (d.size() < at || d.size() - at < 4)
        return fail(out, decode_status::truncated, at,
                    "a 4-byte short header (access number, status, configuration)",
                    bytes_left(d.size() < at ? 0 : d.size() - at));
    const std::uint8_t* p = d.data() + at;
    auto& h = out.header;
    h.access_number = p[0];
    h.status = p[1];
    h.configuration = std::uint16_t(p[2] | p[3] << 8);
    h.security_mode = std::uint8_t((h.configuration >> 8) & 0x1F);
    return true;
}

namespace {

// The error paths of the VIFE loop, out of line so that the loop stays small.
[[gnu::cold, gnu::noinline]] bool vife_missing(decoded_frame& out, std::size_t start, std::size_t index,
                                               std::uint8_t last) {
    return fail(out, decode_status::truncated, start, record_name(index) + ": a VIFE after " + hex_byte(last),
                "end of data");
}
[[gnu::cold, gnu::noinline]] bool too_many_vifes(decoded_frame& out, std::size_t pos, std::size_t index,
                                                 std::uint8_t found) {
    return fail(out, decode_status::malformed, pos, record_name(index) + ": at most 10 VIFEs (EN 13757-3)",
                "an 11th VIFE " + hex_byte(found));
}

bool parse_records(decoded_frame& out, std::size_t from, bool msb_first) {
    const std::uint8_t* const d = out.data.data();
    const std::size_t n = out.data.size();
    std::size_t pos = from;
    while (pos < n) {
        const std::size_t start = pos;
        const std::uint8_t dif = d[pos];
        if (dif == 0x2F) {  // idle filler
            ++pos;
            continue;
        }
        const std::size_t index = out.records.size();
        if (dif == 0x0F || dif == 0x1F) {
            // manufacturer-specific data to the end; 0x1F: and more records follow in the next telegram
            frame_record& r = out.records.emplace_back();
            r.offset = std::uint32_t(start);
            r.dib_size = 1;
            r.dif = dif;
            r.data_offset = std::uint32_t(start + 1);
            r.data_size = std::uint16_t(n - start - 1);
            r.quantity = record_quantity::manufacturer_specific;
            r.kind = value_kind::bytes;
            if (dif == 0x1F) out.header.more_records_follow = true;
            return true;
        }
        if ((dif & 0x0F) == 0x0F)
            return fail(
                out, decode_status::malformed, start,
                record_name(index) +
                    ": a DIF (special functions 0x3F..0x7F and an extension bit with data field 0xF are "
                    "reserved in a response)",
                hex_byte(dif));

        // built in place; copied from a blank (vector moves) rather than value-initialised (a `rep stos`)
        static constexpr frame_record blank{};
        frame_record& r = out.records.emplace_back(blank);
        r.offset = std::uint32_t(start);
        r.dif = dif;
        r.function = record_function((dif >> 4) & 3);
        r.storage = (dif >> 6) & 1;
        ++pos;
        // DIFEs
        std::uint8_t last = dif;
        std::size_t difes = 0;
        while (last & 0x80) {
            if (pos >= n)
                return fail(out, decode_status::truncated, start,
                            record_name(index) + ": a DIFE after " + hex_byte(last), "end of data");
            if (difes == max_difes)
                return fail(out, decode_status::malformed, pos,
                            record_name(index) + ": at most 10 DIFEs (EN 13757-3)",
                            "an 11th DIFE " + hex_byte(d[pos]));
            last = d[pos++];
            r.storage |= std::uint64_t(last & 0x0F) << (1 + 4 * difes);
            r.tariff |= std::uint32_t((last >> 4) & 3) << (2 * difes);
            r.subunit = std::uint16_t(r.subunit | (((last >> 6) & 1) << difes));
            ++difes;
        }
        r.dib_size = std::uint16_t(pos - start);

        // VIB
        const std::size_t vib_start = pos;
        if (pos >= n)
            return fail(out, decode_status::truncated, start, record_name(index) + ": a VIF", "end of data");
        const std::uint8_t vif = d[pos++];
        r.vif = vif;
        const std::uint8_t code = vif & 0x7F;
        bool manufacturer_vifes = false;
        last = vif;
        const auto next_vife = [&](std::uint8_t& out_code) -> bool {
            if (pos >= n) [[unlikely]]
                return vife_missing(out, start, index, last);
            if (r.vife_count == max_vifes) [[unlikely]]
                return too_many_vifes(out, pos, index, d[pos]);
            last = d[pos++];
            r.vife[r.vife_count++] = last;
            out_code = last & 0x7F;
            return true;
        };
        if (code == 0x7B || code == 0x7D) {
            if (vif & 0x80) {
                // 0xFB, 0xFD: the next byte is a code of the extension table
                std::uint8_t ext = 0;
                if (!next_vife(ext)) return false;
                const auto& m = (code == 0x7D ? fd_vif_table() : fb_vif_table())[ext];
                r.quantity = m.quantity;
                r.unit = m.unit;
                r.exponent = m.exponent;
            } else {
                r.quantity = record_quantity::other;  // an extension code without its extension
            }
        } else if (code == 0x7C) {
            // plain-text unit: a length byte and the text (last character first), then the VIFEs
            if (pos >= n)
                return fail(out, decode_status::truncated, start,
                            record_name(index) + ": the length of a plain-text VIF", "end of data");
            const std::size_t len = d[pos];
            if (n - pos - 1 < len)
                return fail(
                    out, decode_status::truncated, start,
                    record_name(index) + ": a plain-text VIF of " + std::to_string(len) + " characters",
                    bytes_left(n - pos - 1));
            r.unit_text_offset = std::uint32_t(out.text.size());
            r.unit_text_size = std::uint32_t(len);
            for (std::size_t i = len; i > 0; --i) out.text.push_back(char(d[pos + i]));
            pos += 1 + len;
            r.quantity = record_quantity::plain_text_unit;
        } else {
            const auto& m = primary_vif_table()[code];
            r.quantity = m.quantity;
            r.unit = m.unit;
            r.exponent = m.exponent;
            manufacturer_vifes = code == 0x7F;  // the VIFEs of a manufacturer VIF are its own
        }
        while (last & 0x80) {
            std::uint8_t c = 0;
            if (!next_vife(c)) return false;
            if (manufacturer_vifes) continue;
            if (c == 0x7F) {  // the following VIFEs are manufacturer specific
                manufacturer_vifes = true;
                continue;
            }
            apply_vife(r, c);
        }
        r.vib_size = std::uint16_t(pos - vib_start);

        // data
        const std::uint8_t field = dif & 0x0F;
        r.data_offset = std::uint32_t(pos);
        std::size_t size = field_size[field];
        std::size_t value_at = pos;
        std::uint8_t lvar = 0;
        if (field == 0xD) {
            if (pos >= n)
                return fail(out, decode_status::truncated, start,
                            record_name(index) + ": the length byte (LVAR) of variable-length data",
                            "end of data");
            lvar = d[pos];
            value_at = pos + 1;
            const int announced = lvar_size(lvar);
            if (announced < 0)
                return fail(out, decode_status::malformed, pos,
                            record_name(index) +
                                ": an LVAR of 0x00..0xC9, 0xD0..0xD9 or 0xE0..0xF6 (EN 13757-3 "
                                "Table 5)",
                            hex_byte(lvar));
            size = std::size_t(announced);
            if (n - value_at < size)
                return fail(out, decode_status::truncated, start,
                            record_name(index) + ": " + std::to_string(size) +
                                " bytes of variable-length data (LVAR " + hex_byte(lvar) + ")",
                            bytes_left(n - value_at));
            r.data_size = std::uint16_t(size + 1);
        } else {
            if (n - pos < size)
                return fail(out, decode_status::truncated, start,
                            record_name(index) + ": " + bytes_left(size) + " of " + field_name(field),
                            bytes_left(n - pos));
            r.data_size = std::uint16_t(size);
        }
        const std::uint8_t* p = d + value_at;
        std::uint8_t reversed[8];
        if (msb_first && field != 0xD && size > 1) {  // mode 2: read the value least significant byte first
            for (std::size_t i = 0; i < size; ++i) reversed[i] = p[size - 1 - i];
            p = reversed;
        }

        switch (field) {
            case 0x0:
            case 0x8:  // no data; selection for readout
                r.kind = value_kind::none;
                break;
            case 0x1:
            case 0x2:
            case 0x3:
            case 0x4:
            case 0x6:
            case 0x7:
                if ((is_time_quantity(r.quantity) || is_date_modifier(r.modifier)) &&
                    (size == 2 || size == 3 || size == 4 || size == 6)) {
                    if (size == 2) {
                        read_type_g(p, r.when);
                        r.kind = value_kind::date;
                    } else if (size == 3) {
                        read_type_j(p, r.when);
                        r.kind = value_kind::time;
                    } else if (size == 4) {
                        read_type_f(p, r.when);
                        r.kind = value_kind::date_time;
                    } else {
                        read_type_i(p, r.when);
                        r.kind = value_kind::date_time;
                    }
                    break;
                }
                if (is_bit_field(r.quantity))
                    read_unsigned(p, size, r.number);
                else
                    read_signed(p, size, r.number);
                r.kind = value_kind::number;
                break;
            case 0x5:
                r.kind = read_real(p, r.number) ? value_kind::number : value_kind::invalid;
                break;
            case 0x9:
            case 0xA:
            case 0xB:
            case 0xC:
            case 0xE:
                r.kind = read_bcd(p, size, false, r.number) ? value_kind::number : value_kind::invalid;
                break;
            case 0xD:
                if (lvar <= 0xBF) {
                    r.text_offset = std::uint32_t(out.text.size());
                    r.text_size = std::uint32_t(size);
                    for (std::size_t i = size; i > 0; --i) out.text.push_back(char(p[i - 1]));
                    r.kind = value_kind::text;
                } else if (lvar <= 0xD9) {
                    r.kind =
                        read_bcd(p, size, lvar >= 0xD0, r.number) ? value_kind::number : value_kind::invalid;
                    if (size == 0) r.kind = value_kind::none;
                } else if (lvar <= 0xEF && size >= 1 && size <= 8) {
                    read_signed(p, size, r.number);
                    r.kind = value_kind::number;
                } else {
                    r.kind = size == 0 ? value_kind::none : value_kind::bytes;
                }
                break;
            default:
                break;
        }
        if (r.kind == value_kind::number) r.number.exponent = std::int16_t(r.number.exponent + r.exponent);
        pos = value_at + size;
    }
    return true;
}

}  // namespace

bool parse_mbus_records(decoded_frame& out, std::size_t from, bool msb_first) {
    if (parse_records(out, from, msb_first)) return true;
    out.records.clear();  // only a decoded frame carries records (a failed one would hold half a record)
    return false;
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
