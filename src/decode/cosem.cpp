// OBIS codes, the A-XDR parser, the date-time decoder and the unit table (include/kvant/decode/cosem.hpp).
// docs/dlms.md "A-XDR" has the choices.
#include "kvant/decode/cosem.hpp"

#include <charconv>
#include <cstdio>

#include "kvant/decode/decoded_frame.hpp"

namespace kvant {
inline namespace v0 {

std::string logical_name::to_string() const {
    char b[32];
    const int n = std::snprintf(b, sizeof b, "%u-%u:%u.%u.%u*%u", unsigned(g[0]), unsigned(g[1]),
                                unsigned(g[2]), unsigned(g[3]), unsigned(g[4]), unsigned(g[5]));
    return std::string(b, n > 0 ? std::size_t(n) : 0);
}

std::optional<logical_name> logical_name::parse(std::string_view text) noexcept {
    // Six groups of 0..255; the separators are either "-", ":", ".", ".", "*" (or "." for the last) or all
    // dots.
    logical_name ln;
    std::size_t pos = 0;
    char seps[5]{};
    for (int i = 0; i < 6; ++i) {
        if (i > 0) {
            if (pos >= text.size()) return std::nullopt;
            seps[i - 1] = text[pos++];
        }
        unsigned v = 0;
        const char* b = text.data() + pos;
        const char* e = text.data() + text.size();
        if (b == e || *b < '0' || *b > '9') return std::nullopt;
        const auto r = std::from_chars(b, e, v);
        if (r.ec != std::errc{} || v > 255 || r.ptr - b > 3) return std::nullopt;
        ln.g[std::size_t(i)] = static_cast<std::uint8_t>(v);
        pos = std::size_t(r.ptr - text.data());
    }
    if (pos != text.size()) return std::nullopt;
    const bool dotted =
        seps[0] == '.' && seps[1] == '.' && seps[2] == '.' && seps[3] == '.' && seps[4] == '.';
    const bool obis = seps[0] == '-' && seps[1] == ':' && seps[2] == '.' && seps[3] == '.' &&
                      (seps[4] == '*' || seps[4] == '.');
    if (!dotted && !obis) return std::nullopt;
    return ln;
}

std::string_view axdr_type_name(axdr_type t) noexcept {
    switch (t) {
        case axdr_type::null_data:
            return "null-data";
        case axdr_type::array:
            return "array";
        case axdr_type::structure:
            return "structure";
        case axdr_type::boolean:
            return "boolean";
        case axdr_type::bit_string:
            return "bit-string";
        case axdr_type::double_long:
            return "double-long";
        case axdr_type::double_long_unsigned:
            return "double-long-unsigned";
        case axdr_type::octet_string:
            return "octet-string";
        case axdr_type::visible_string:
            return "visible-string";
        case axdr_type::utf8_string:
            return "utf8-string";
        case axdr_type::bcd:
            return "bcd";
        case axdr_type::integer:
            return "integer";
        case axdr_type::long_:
            return "long";
        case axdr_type::unsigned_:
            return "unsigned";
        case axdr_type::long_unsigned:
            return "long-unsigned";
        case axdr_type::compact_array:
            return "compact-array";
        case axdr_type::long64:
            return "long64";
        case axdr_type::long64_unsigned:
            return "long64-unsigned";
        case axdr_type::enum_:
            return "enum";
        case axdr_type::float32:
            return "float32";
        case axdr_type::float64:
            return "float64";
        case axdr_type::date_time:
            return "date-time";
        case axdr_type::date:
            return "date";
        case axdr_type::time:
            return "time";
        case axdr_type::dont_care:
            return "dont-care";
    }
    return {};
}

namespace {

std::string hex_byte(std::uint8_t b) {
    static constexpr char digits[] = "0123456789ABCDEF";
    return std::string{'0', 'x', digits[b >> 4], digits[b & 15]};
}

/// Bytes of a fixed-width type; -1 for a variable-length or composite type, -2 for a tag that is no type.
int fixed_width(std::uint8_t tag) noexcept {
    switch (static_cast<axdr_type>(tag)) {
        case axdr_type::null_data:
        case axdr_type::dont_care:
            return 0;
        case axdr_type::boolean:
        case axdr_type::bcd:
        case axdr_type::integer:
        case axdr_type::unsigned_:
        case axdr_type::enum_:
            return 1;
        case axdr_type::long_:
        case axdr_type::long_unsigned:
            return 2;
        case axdr_type::double_long:
        case axdr_type::double_long_unsigned:
        case axdr_type::float32:
        case axdr_type::time:
            return 4;
        case axdr_type::date:
            return 5;
        case axdr_type::long64:
        case axdr_type::long64_unsigned:
        case axdr_type::float64:
            return 8;
        case axdr_type::date_time:
            return 12;
        case axdr_type::array:
        case axdr_type::structure:
        case axdr_type::bit_string:
        case axdr_type::octet_string:
        case axdr_type::visible_string:
        case axdr_type::utf8_string:
        case axdr_type::compact_array:
            return -1;
    }
    return -2;
}

/// A compact array's type description, parsed: a flat pre-order list like the nodes.
struct type_desc {
    std::uint8_t tag = 0;
    std::uint32_t count = 0;  ///< array: elements; structure: members
    std::uint32_t end = 0;    ///< one past this description's subtree
};

class parser {
  public:
    parser(std::span<const std::uint8_t> b, std::vector<cosem_node>& n, frame_error* e, std::uint32_t base,
           const axdr_limits& l)
        : bytes_(b), nodes_(n), error_(e), base_(base), limits_(l) {}

    bool value(std::uint32_t& pos, std::uint32_t depth) {
        if (pos >= bytes_.size()) return fail(decode_status::truncated, pos, "a data type tag", "the end");
        const std::uint8_t tag = bytes_[pos];
        if (fixed_width(tag) == -2)
            return fail(decode_status::malformed, pos, "a data type tag", hex_byte(tag));
        ++pos;
        return content(tag, pos, depth, true);
    }

    /// The content of a value of type `tag` at `pos` (after its tag). `tagged`: elements of arrays and
    /// structures carry their own tags (false inside a compact array's contents, where `desc` says).
    bool content(std::uint8_t tag, std::uint32_t& pos, std::uint32_t depth, bool tagged,
                 const std::vector<type_desc>* desc = nullptr, std::uint32_t di = 0) {
        const auto t = static_cast<axdr_type>(tag);
        const std::uint32_t self = static_cast<std::uint32_t>(nodes_.size());
        if (!push(t, pos)) return false;
        const int w = fixed_width(tag);
        if (w >= 0) {
            if (bytes_.size() - pos < std::size_t(w))
                return fail(decode_status::truncated, pos, bytes_text(w, t), bytes_left(pos));
            nodes_[self].offset = pos;
            nodes_[self].size = std::uint32_t(w);
            pos += std::uint32_t(w);
            nodes_[self].end = self + 1;
            return true;
        }
        switch (t) {
            case axdr_type::octet_string:
            case axdr_type::visible_string:
            case axdr_type::utf8_string:
            case axdr_type::bit_string: {
                std::uint32_t n = 0;
                if (!length(pos, n)) return false;
                std::uint64_t bytes = n;
                if (t == axdr_type::bit_string) {
                    nodes_[self].count = n;
                    bytes = (std::uint64_t(n) + 7) / 8;
                }
                if (bytes_.size() - pos < bytes)
                    return fail(decode_status::truncated, pos,
                                std::to_string(bytes) + " bytes of " + std::string(axdr_type_name(t)),
                                bytes_left(pos));
                nodes_[self].offset = pos;
                nodes_[self].size = std::uint32_t(bytes);
                pos += std::uint32_t(bytes);
                nodes_[self].end = self + 1;
                return true;
            }
            case axdr_type::array:
            case axdr_type::structure: {
                if (depth + 1 > limits_.max_depth)
                    return fail(decode_status::unsupported, pos - (tagged ? 1 : 0),
                                "nesting within max_depth " + std::to_string(limits_.max_depth),
                                "deeper nesting");
                std::uint32_t n = 0;
                if (tagged) {
                    if (!length(pos, n)) return false;
                } else {
                    n = (*desc)[di].count;
                }
                nodes_[self].offset = pos;
                nodes_[self].count = n;
                if (tagged) {
                    for (std::uint32_t i = 0; i < n; ++i)
                        if (!value(pos, depth + 1)) return false;
                } else {
                    // A compact array's element: an array repeats its one member description; a structure
                    // walks its members' descriptions.
                    const std::uint32_t first = di + 1;
                    std::uint32_t member = first;
                    for (std::uint32_t i = 0; i < n; ++i) {
                        const std::uint32_t d = t == axdr_type::array ? first : member;
                        if (!content((*desc)[d].tag, pos, depth + 1, false, desc, d)) return false;
                        member = (*desc)[d].end;
                    }
                }
                nodes_[self].size = pos - nodes_[self].offset;
                nodes_[self].end = static_cast<std::uint32_t>(nodes_.size());
                return true;
            }
            case axdr_type::compact_array: {
                if (!tagged)
                    return fail(decode_status::malformed, pos, "a type inside a compact array",
                                "compact-array");
                if (depth + 1 > limits_.max_depth)
                    return fail(decode_status::unsupported, pos - 1,
                                "nesting within max_depth " + std::to_string(limits_.max_depth),
                                "deeper nesting");
                std::vector<type_desc> d;
                bool empty_element = true;
                if (!description(pos, d, depth + 1, empty_element)) return false;
                std::uint32_t n = 0;
                if (!length(pos, n)) return false;
                if (bytes_.size() - pos < n)
                    return fail(decode_status::truncated, pos,
                                std::to_string(n) + " bytes of compact-array contents", bytes_left(pos));
                nodes_[self].offset = pos;
                nodes_[self].size = n;
                const std::uint32_t stop = pos + n;
                if (n > 0 && empty_element)
                    return fail(decode_status::malformed, pos, "no contents for elements of no bytes",
                                std::to_string(n) + " bytes");
                // Elements until the contents are used up; each must end within them.
                const auto whole = bytes_;
                bytes_ = bytes_.first(stop);
                std::uint32_t count = 0;
                bool ok = true;
                while (pos < stop) {
                    if (!content(d[0].tag, pos, depth + 1, false, &d, 0)) {
                        ok = false;
                        break;
                    }
                    ++count;
                }
                bytes_ = whole;
                if (!ok) return false;
                nodes_[self].count = count;
                nodes_[self].end = static_cast<std::uint32_t>(nodes_.size());
                return true;
            }
            default:
                break;
        }
        return fail(decode_status::malformed, pos - 1, "a data type tag", hex_byte(tag));
    }

    /// TypeDescription (Blue Book: array: Unsigned16 count and one description; structure: a length and
    /// that many descriptions; any other type: its tag). `empty`: whether an element takes no bytes.
    bool description(std::uint32_t& pos, std::vector<type_desc>& d, std::uint32_t depth, bool& empty) {
        if (depth > limits_.max_depth)
            return fail(decode_status::unsupported, pos,
                        "nesting within max_depth " + std::to_string(limits_.max_depth), "deeper nesting");
        if (d.size() >= limits_.max_nodes)
            return fail(decode_status::unsupported, pos,
                        "at most max_nodes " + std::to_string(limits_.max_nodes) + " nodes", "more");
        if (pos >= bytes_.size()) return fail(decode_status::truncated, pos, "a type description", "the end");
        const std::uint8_t tag = bytes_[pos];
        const int w = fixed_width(tag);
        if (w == -2 || tag == std::uint8_t(axdr_type::compact_array))
            return fail(decode_status::malformed, pos, "a type description", hex_byte(tag));
        // Every part of an element takes bytes: no null-data, dont-care, empty structure or empty array, so
        // that a few bytes of contents cannot expand into millions of nodes.
        if (w == 0)
            return fail(decode_status::malformed, pos, "a type description with contents",
                        std::string(axdr_type_name(static_cast<axdr_type>(tag))));
        ++pos;
        const std::size_t self = d.size();
        d.push_back(type_desc{tag, 0, 0});
        if (w > 0) empty = false;
        if (tag == std::uint8_t(axdr_type::array)) {
            if (bytes_.size() - pos < 2)
                return fail(decode_status::truncated, pos, "2 bytes of an array's element count",
                            bytes_left(pos));
            d[self].count = std::uint32_t(bytes_[pos]) << 8 | bytes_[pos + 1];
            if (d[self].count == 0)
                return fail(decode_status::malformed, pos, "an array description of 1..65535 elements", "0");
            pos += 2;
            bool inner_empty = true;
            if (!description(pos, d, depth + 1, inner_empty)) return false;
            if (d[self].count > 0 && !inner_empty) empty = false;
        } else if (tag == std::uint8_t(axdr_type::structure)) {
            std::uint32_t n = 0;
            const std::uint32_t at = pos;
            if (!length(pos, n)) return false;
            if (n == 0) return fail(decode_status::malformed, at, "a structure description of members", "0");
            d[self].count = n;
            for (std::uint32_t i = 0; i < n; ++i)
                if (!description(pos, d, depth + 1, empty)) return false;
        } else if (w == -1) {
            empty = false;  // strings carry at least their length
        }
        d[self].end = static_cast<std::uint32_t>(d.size());
        return true;
    }

    /// The A-XDR length: one byte below 0x80, or 0x8N and N (1..4) big-endian bytes.
    bool length(std::uint32_t& pos, std::uint32_t& n) {
        if (pos >= bytes_.size()) return fail(decode_status::truncated, pos, "a length", "the end");
        const std::uint8_t b = bytes_[pos];
        if (b < 0x80) {
            n = b;
            ++pos;
            return true;
        }
        const unsigned k = b & 0x7F;
        if (k == 0 || k > 4)
            return fail(decode_status::malformed, pos, "a length of 1..4 bytes (0x81..0x84)", hex_byte(b));
        if (bytes_.size() - pos - 1 < k)
            return fail(decode_status::truncated, pos + 1, std::to_string(k) + " bytes of a length",
                        bytes_left(pos + 1));
        std::uint32_t v = 0;
        for (unsigned i = 1; i <= k; ++i) v = v << 8 | bytes_[pos + i];
        pos += 1 + k;
        n = v;
        return true;
    }

  private:
    bool push(axdr_type t, std::uint32_t pos) {
        if (nodes_.size() - start_ >= limits_.max_nodes)
            return fail(decode_status::unsupported, pos,
                        "at most max_nodes " + std::to_string(limits_.max_nodes) + " nodes", "more");
        cosem_node n;
        n.type = t;
        n.offset = pos;
        nodes_.push_back(n);
        return true;
    }
    std::string bytes_text(int w, axdr_type t) const {
        return std::to_string(w) + " bytes of " + std::string(axdr_type_name(t));
    }
    std::string bytes_left(std::uint32_t pos) const {
        const std::size_t left = pos <= bytes_.size() ? bytes_.size() - pos : 0;
        return left == 1 ? std::string("1 byte") : std::to_string(left) + " bytes";
    }
    bool fail(decode_status s, std::uint32_t pos, std::string expected, std::string found) {
        if (error_ != nullptr) *error_ = frame_error{s, base_ + pos, std::move(expected), std::move(found)};
        return false;
    }

    std::span<const std::uint8_t> bytes_;
    std::vector<cosem_node>& nodes_;
    frame_error* error_;
    std::uint32_t base_;
    const axdr_limits& limits_;

  public:
    std::size_t start_ = 0;
};

}  // namespace

bool parse_axdr(std::span<const std::uint8_t> bytes, std::uint32_t& pos, std::vector<cosem_node>& nodes,
                frame_error* error, std::uint32_t base, const axdr_limits& limits) {
    // Offsets are 32-bit: a longer buffer is read only as far as 32 bits reach.
    if (bytes.size() > 0xFFFFFFF0u) bytes = bytes.first(0xFFFFFFF0u);
    const std::size_t before = nodes.size();
    parser p(bytes, nodes, error, base, limits);
    p.start_ = before;
    std::uint32_t at = pos;
    if (!p.value(at, 0)) {
        nodes.resize(before);
        return false;
    }
    pos = at;
    return true;
}

bool read_cosem_time(std::span<const std::uint8_t> b, axdr_type type, record_time& out) noexcept {
    record_time t;
    std::size_t i = 0;
    const bool date = type == axdr_type::date_time || type == axdr_type::date;
    const bool time = type == axdr_type::date_time || type == axdr_type::time;
    const std::size_t want = type == axdr_type::date_time ? 12
                             : type == axdr_type::date    ? 5
                             : type == axdr_type::time    ? 4
                                                          : 0;
    if (want == 0 || b.size() != want) return false;
    if (date) {
        t.has_date = true;
        const unsigned year = unsigned(b[0]) << 8 | b[1];
        if (year == 0xFFFF)
            t.unspecified |= time_field::year;
        else if (year > 0x7FFF)
            return false;
        else
            t.year = static_cast<std::int16_t>(year);
        const std::uint8_t month = b[2], day = b[3], dow = b[4];
        if (month == 0xFF)
            t.unspecified |= time_field::month;
        else if (month == 0xFD || month == 0xFE)
            t.month_special = month;
        else if (month >= 1 && month <= 12)
            t.month = month;
        else
            return false;
        if (day == 0xFF)
            t.unspecified |= time_field::day;
        else if (day == 0xFD || day == 0xFE)
            t.day_special = day;
        else if (day >= 1 && day <= 31)
            t.day = day;
        else
            return false;
        if (dow == 0xFF)
            t.unspecified |= time_field::day_of_week;
        else if (dow >= 1 && dow <= 7)
            t.day_of_week = dow;
        else
            return false;
        i = 5;
    }
    if (time) {
        t.has_time = true;
        const std::uint8_t h = b[i], m = b[i + 1], s = b[i + 2], c = b[i + 3];
        if (h == 0xFF)
            t.unspecified |= time_field::hour;
        else if (h <= 23)
            t.hour = h;
        else
            return false;
        if (m == 0xFF)
            t.unspecified |= time_field::minute;
        else if (m <= 59)
            t.minute = m;
        else
            return false;
        if (s == 0xFF)
            t.unspecified |= time_field::second;
        else if (s <= 59) {
            t.second = s;
            t.has_seconds = true;
        } else
            return false;
        if (c == 0xFF)
            t.unspecified |= time_field::hundredths;
        else if (c <= 99)
            t.hundredths = c;
        else
            return false;
        i += 4;
    }
    if (type == axdr_type::date_time) {
        const std::uint16_t dev = static_cast<std::uint16_t>(b[9] << 8 | b[10]);
        if (dev == 0x8000) {
            t.unspecified |= time_field::deviation;
        } else {
            // Kept as sent even beyond ±720 minutes (docs/dlms.md): the host sees what the meter said.
            t.deviation = static_cast<std::int16_t>(dev);
            t.has_deviation = true;
        }
        const std::uint8_t cs = b[11];
        if (cs == 0xFF) {
            t.unspecified |= time_field::clock_status;
        } else {
            t.clock_status = cs;
            t.has_clock_status = true;
            t.invalid = (cs & 0x01) != 0;
            t.summer = (cs & 0x80) != 0;
        }
    }
    out = t;
    return true;
}

std::string_view cosem_unit_name(std::uint8_t code) noexcept {
    switch (code) {
        case 1:
            return "a";
        case 2:
            return "mo";
        case 3:
            return "wk";
        case 4:
            return "d";
        case 5:
            return "h";
        case 6:
            return "min";
        case 7:
            return "s";
        case 8:
            return "°";
        case 9:
            return "°C";
        case 10:
            return "currency";
        case 11:
            return "m";
        case 12:
            return "m/s";
        case 13:
            return "m3";
        case 14:
            return "m3 (corrected)";
        case 15:
            return "m3/h";
        case 16:
            return "m3/h (corrected)";
        case 17:
            return "m3/d";
        case 18:
            return "m3/d (corrected)";
        case 19:
            return "l";
        case 20:
            return "kg";
        case 21:
            return "N";
        case 22:
            return "Nm";
        case 23:
            return "Pa";
        case 24:
            return "bar";
        case 25:
            return "J";
        case 26:
            return "J/h";
        case 27:
            return "W";
        case 28:
            return "VA";
        case 29:
            return "var";
        case 30:
            return "Wh";
        case 31:
            return "VAh";
        case 32:
            return "varh";
        case 33:
            return "A";
        case 34:
            return "C";
        case 35:
            return "V";
        case 36:
            return "V/m";
        case 37:
            return "F";
        case 38:
            return "Ω";
        case 39:
            return "Ωm2/m";
        case 40:
            return "Wb";
        case 41:
            return "T";
        case 42:
            return "A/m";
        case 43:
            return "H";
        case 44:
            return "Hz";
        case 45:
            return "1/(Wh)";
        case 46:
            return "1/(varh)";
        case 47:
            return "1/(VAh)";
        case 48:
            return "V2h";
        case 49:
            return "A2h";
        case 50:
            return "kg/s";
        case 51:
            return "S";
        case 52:
            return "K";
        case 53:
            return "1/(V2h)";
        case 54:
            return "1/(A2h)";
        case 55:
            return "1/m3";
        case 56:
            return "%";
        case 57:
            return "Ah";
        case 60:
            return "Wh/m3";
        case 61:
            return "J/m3";
        case 62:
            return "Mol %";
        case 63:
            return "g/m3";
        case 64:
            return "Pa s";
        case 65:
            return "J/kg";
        case 66:
            return "g/cm2";
        case 67:
            return "atm";
        case 70:
            return "dBm";
        case 71:
            return "dBµV";
        case 72:
            return "dB";
        case 254:
            return "other";
        case 255:
            return "count";
        default:
            return {};
    }
}

}  // namespace v0
}  // namespace kvant
