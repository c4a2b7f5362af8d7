// COSEM interface classes' attributes into records (the Blue Book; docs/dlms.md "Objects"): any value as
// one record (scalars with their value, composites as a structure record), Register / Extended Register /
// Demand Register with their scaler_unit applied exactly, Clock times, Profile Generic buffers through their
// capture objects (one storage number a row, the clock column its time, a null clock filled from the previous
// row and the capture period).
#include "cosem_objects.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "civil_date.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

namespace {

bool is_signed(axdr_type t) noexcept {
    return t == axdr_type::integer || t == axdr_type::long_ || t == axdr_type::double_long ||
           t == axdr_type::long64;
}

/// A big-endian integer of n (1..8) bytes.
exact_number read_int(const std::uint8_t* p, std::size_t n, bool sign) noexcept {
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < n; ++i) u = u << 8 | p[i];
    exact_number v;
    const unsigned bits = unsigned(n * 8);
    if (sign && ((u >> (bits - 1)) & 1u) != 0) {
        const std::uint64_t mask = bits == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << bits) - 1;
        v.magnitude = ((~u) & mask) + 1;
        v.negative = true;
    } else {
        v.magnitude = u;
    }
    return v;
}

/// The shortest decimal that reads back to the same float (or double): to_chars of the value's own type.
template <class F, class U>
bool read_float(const std::uint8_t* p, exact_number& v) noexcept {
    U bits = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) bits = static_cast<U>(bits << 8 | p[i]);
    F f;
    std::memcpy(&f, &bits, sizeof f);
    const auto x = exact_number::of(f);
    if (!x) return false;
    v = *x;
    return true;
}

/// Whether an attribute holds a point in time (an octet-string of 12 bytes there is a date-time).
bool is_time_attribute(const cosem_attribute& a) noexcept {
    switch (a.class_id) {
        case 8:
            return a.attribute == 2 || a.attribute == 5 || a.attribute == 6;  // time, DST begin, DST end
        case 4:
            return a.attribute == 5;  // capture_time
        case 5:
            return a.attribute == 6 || a.attribute == 7;  // capture_time, start_time_current
        default:
            return false;
    }
}

/// Whether an attribute is a register's value that its scaler_unit scales, and the attribute holding it.
int scaler_attribute_of(const cosem_attribute& a) noexcept {
    switch (a.class_id) {
        case 3:
        case 4:
            return a.attribute == 2 ? 3 : 0;
        case 5:
            return a.attribute == 2 || a.attribute == 3 ? 4 : 0;
        default:
            return 0;
    }
}

frame_record make_record(const decoded_frame& f, const cosem_attribute* a, std::uint32_t node) {
    frame_record r;
    const cosem_node& n = f.nodes[node];
    r.offset = n.offset;
    r.data_offset = n.offset;
    r.data_size = n.size;
    r.node = node;
    if (a != nullptr) {
        r.obis = a->obis;
        r.has_obis = true;
        r.obis_given = 0x3F;
        r.class_id = a->class_id;
        r.attribute = static_cast<std::uint8_t>(a->attribute);
    }
    return r;
}

/// The value of node `node` into `r` (kind and value). `as_time`: an octet-string of 12 bytes is a
/// date-time.
void set_value(decoded_frame& f, frame_record& r, std::uint32_t node, bool as_time) {
    const cosem_node& n = f.nodes[node];
    const std::uint8_t* p = f.data.data() + n.offset;
    const std::span<const std::uint8_t> bytes(p, n.size);
    switch (n.type) {
        case axdr_type::array:
        case axdr_type::structure:
        case axdr_type::compact_array:
            r.kind = value_kind::structure;
            return;
        case axdr_type::null_data:
        case axdr_type::dont_care:
            r.kind = value_kind::none;
            return;
        case axdr_type::boolean:
            r.kind = value_kind::number;
            r.number = exact_number{p[0] != 0 ? 1u : 0u, 0, false};
            return;
        case axdr_type::bcd: {
            const unsigned hi = p[0] >> 4, lo = p[0] & 15;
            if (hi > 9 || lo > 9) {
                r.kind = value_kind::invalid;
                return;
            }
            r.kind = value_kind::number;
            r.number = exact_number{hi * 10 + lo, 0, false};
            return;
        }
        case axdr_type::float32:
            r.kind = read_float<float, std::uint32_t>(p, r.number) ? value_kind::number : value_kind::invalid;
            return;
        case axdr_type::float64:
            r.kind =
                read_float<double, std::uint64_t>(p, r.number) ? value_kind::number : value_kind::invalid;
            return;
        case axdr_type::visible_string:
        case axdr_type::utf8_string:
            r.kind = value_kind::text;
            r.text_offset = static_cast<std::uint32_t>(f.text.size());
            r.text_size = n.size;
            f.text.append(reinterpret_cast<const char*>(p), n.size);
            return;
        case axdr_type::date_time:
        case axdr_type::date:
        case axdr_type::time:
            if (read_cosem_time(bytes, n.type, r.when)) {
                r.kind = n.type == axdr_type::date_time ? value_kind::date_time
                         : n.type == axdr_type::date    ? value_kind::date
                                                        : value_kind::time;
                r.quantity = record_quantity::time_point;
            } else {
                r.kind = value_kind::invalid;
            }
            return;
        case axdr_type::octet_string:
            if (as_time && n.size == 12 && read_cosem_time(bytes, axdr_type::date_time, r.when)) {
                r.kind = value_kind::date_time;
                r.quantity = record_quantity::time_point;
                return;
            }
            r.kind = value_kind::bytes;
            return;
        case axdr_type::bit_string:
            r.kind = value_kind::bytes;
            return;
        case axdr_type::integer:
        case axdr_type::long_:
        case axdr_type::double_long:
        case axdr_type::long64:
        case axdr_type::unsigned_:
        case axdr_type::long_unsigned:
        case axdr_type::double_long_unsigned:
        case axdr_type::long64_unsigned:
        case axdr_type::enum_:
            if (n.size >= 1 && n.size <= 8) {
                r.kind = value_kind::number;
                r.number = read_int(p, n.size, is_signed(n.type));
                return;
            }
            break;
    }
    r.kind = value_kind::invalid;
}

/// The session's scaler_unit for the value attribute `a`, when `a` is a register's value and it is known.
const scaler_unit* scaler_for(const cosem_attribute& a, const dlms_session* s) {
    if (s == nullptr || scaler_attribute_of(a) == 0) return nullptr;
    const auto it = s->scaler_units.find(a.obis);
    return it == s->scaler_units.end() ? nullptr : &it->second;
}

/// Applies a scaler_unit to a number record: exactly, by the decimal exponent.
void apply_scaler(frame_record& r, const scaler_unit* su) {
    if (su == nullptr || r.kind != value_kind::number) return;
    r.scaler = su->scaler;
    r.has_scaler = true;
    r.cosem_unit = su->unit;
    r.exponent = su->scaler;
    if (r.number.magnitude != 0) r.number.exponent = static_cast<std::int16_t>(r.number.exponent + r.scaler);
}

bool fail(decoded_frame& f, decode_status st, std::uint32_t offset, std::string expected, std::string found) {
    f.error = frame_error{st, offset, std::move(expected), std::move(found)};
    return false;
}

std::string found_type(const cosem_node& n) {
    const auto name = axdr_type_name(n.type);
    return name.empty() ? std::string("a value") : std::string(name);
}

/// scaler_unit ::= structure { scaler integer, unit enum }.
bool read_scaler_unit(decoded_frame& f, std::uint32_t node, scaler_unit& out) {
    const auto& nodes = f.nodes;
    const cosem_node& n = nodes[node];
    if (n.type != axdr_type::structure || n.count != 2)
        return fail(f, decode_status::malformed, n.offset, "a scaler_unit (structure of integer and enum)",
                    found_type(n) + " of " + std::to_string(n.count));
    const cosem_node& sc = nodes[node + 1];
    const cosem_node& un = nodes[sc.end];
    if (sc.type != axdr_type::integer)
        return fail(f, decode_status::malformed, sc.offset, "the scaler (integer)", found_type(sc));
    if (un.type != axdr_type::enum_)
        return fail(f, decode_status::malformed, un.offset, "the unit (enum)", found_type(un));
    out.scaler = static_cast<std::int8_t>(f.data[sc.offset]);
    out.unit = f.data[un.offset];
    return true;
}

/// capture_objects ::= array of structure { class_id long-unsigned, logical_name octet-string(6),
/// attribute_index integer, data_index long-unsigned }.
bool read_capture_objects(decoded_frame& f, std::uint32_t node, std::vector<capture_object>& out) {
    const auto& nodes = f.nodes;
    const cosem_node& n = nodes[node];
    if (n.type != axdr_type::array)
        return fail(f, decode_status::malformed, n.offset, "capture_objects (an array)", found_type(n));
    out.clear();
    for (const std::uint32_t c : children_of(nodes, node)) {
        const cosem_node& s = nodes[c];
        if (s.type != axdr_type::structure || s.count != 4)
            return fail(f, decode_status::malformed, s.offset, "a capture object (structure of 4)",
                        found_type(s) + " of " + std::to_string(s.count));
        const auto m = children_of(nodes, c);
        const cosem_node &ci = nodes[m[0]], &ln = nodes[m[1]], &ai = nodes[m[2]], &di = nodes[m[3]];
        if (ci.type != axdr_type::long_unsigned || ln.type != axdr_type::octet_string || ln.size != 6 ||
            ai.type != axdr_type::integer || di.type != axdr_type::long_unsigned)
            return fail(
                f, decode_status::malformed, s.offset,
                "a capture object {long-unsigned, octet-string(6), integer, long-unsigned}",
                found_type(ci) + ", " + found_type(ln) + ", " + found_type(ai) + ", " + found_type(di));
        capture_object o;
        o.what.class_id = static_cast<std::uint16_t>(f.data[ci.offset] << 8 | f.data[ci.offset + 1]);
        std::memcpy(o.what.obis.g.data(), f.data.data() + ln.offset, 6);
        o.what.attribute = static_cast<std::int8_t>(f.data[ai.offset]);
        o.data_index = static_cast<std::uint16_t>(f.data[di.offset] << 8 | f.data[di.offset + 1]);
        out.push_back(o);
    }
    return true;
}

/// A complete local time plus `seconds`, or false when the time has unspecified fields.
bool add_seconds(const record_time& from, std::uint32_t seconds, record_time& out) noexcept {
    constexpr std::uint16_t needed =
        time_field::year | time_field::month | time_field::day | time_field::hour | time_field::minute;
    if (!from.has_date || !from.has_time || (from.unspecified & needed) != 0 || from.month_special != 0 ||
        from.day_special != 0)
        return false;
    const std::int64_t t = (days_from_civil(from.year, from.month, from.day) * 24 + from.hour) * 3600 +
                           std::int64_t(from.minute) * 60 + from.second + seconds;
    const std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    const std::int64_t sod = t - days * 86400;
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, y, m, d);
    if (y < 0 || y > 0x7FFE) return false;
    out = from;
    out.year = static_cast<std::int16_t>(y);
    out.month = static_cast<std::uint8_t>(m);
    out.day = static_cast<std::uint8_t>(d);
    out.hour = static_cast<std::uint8_t>(sod / 3600);
    out.minute = static_cast<std::uint8_t>(sod / 60 % 60);
    out.second = static_cast<std::uint8_t>(sod % 60);
    out.has_seconds = true;
    out.unspecified &= static_cast<std::uint16_t>(~time_field::second);
    if ((from.unspecified & time_field::day_of_week) == 0 && from.day_of_week != 0)
        out.day_of_week = static_cast<std::uint8_t>((days + 3) % 7 + 1 + ((days + 3) % 7 < 0 ? 7 : 0));
    return true;
}

bool is_clock_column(const capture_object& o) noexcept {
    return o.what.class_id == 8 && o.what.attribute == 2 && o.data_index == 0;
}

/// A Profile Generic buffer (attribute 2): a row a storage number, through the session's capture objects.
void append_buffer(decoded_frame& f, const cosem_attribute& a, std::uint32_t node, dlms_session* s) {
    const cosem_node& buf = f.nodes[node];
    if (buf.type != axdr_type::array && buf.type != axdr_type::compact_array) {
        frame_record r = make_record(f, &a, node);
        set_value(f, r, node, false);
        f.records.push_back(r);
        return;
    }
    const std::vector<capture_object>* columns = nullptr;
    std::uint32_t period = 0;
    if (s != nullptr) {
        if (const auto it = s->capture_objects.find(a.obis); it != s->capture_objects.end())
            columns = &it->second;
        if (const auto it = s->capture_periods.find(a.obis); it != s->capture_periods.end())
            period = it->second;
    }
    // What each column is, worked out once: its record's identity, scaler_unit and whether it is a time.
    struct column {
        frame_record proto;
        const scaler_unit* su = nullptr;
        bool as_time = false, clock = false;
    };
    std::vector<column> cols;
    if (columns != nullptr) {
        cols.reserve(columns->size());
        for (const capture_object& o : *columns) {
            column c;
            c.proto.has_obis = true;
            c.proto.obis = o.what.obis;
            c.proto.obis_given = 0x3F;
            c.proto.class_id = o.what.class_id;
            c.proto.attribute = static_cast<std::uint8_t>(o.what.attribute);
            c.as_time = o.data_index == 0 && is_time_attribute(o.what);
            c.su = o.data_index == 0 ? scaler_for(o.what, s) : nullptr;
            c.clock = is_clock_column(o);
            cols.push_back(c);
        }
        f.records.reserve(f.records.size() + std::size_t(buf.count) * cols.size());
    }
    std::optional<record_time> previous;
    std::uint64_t storage = 0;
    for (std::uint32_t row = node + 1; row < buf.end && row < f.nodes.size(); row = f.nodes[row].end) {
        ++storage;
        const cosem_node& rn = f.nodes[row];
        if (columns == nullptr || rn.type != axdr_type::structure || rn.count != columns->size()) {
            // Nothing says what the columns are (or the row does not fit them): the row as it is.
            frame_record r = make_record(f, &a, row);
            set_value(f, r, row, false);
            r.storage = storage;
            f.records.push_back(r);
            previous.reset();
            continue;
        }
        std::size_t col = 0;
        for (std::uint32_t c = row + 1; c < rn.end; c = f.nodes[c].end, ++col) {
            const column& k = cols[col];
            frame_record& r = f.records.emplace_back(k.proto);
            const cosem_node& cn = f.nodes[c];
            r.offset = cn.offset;
            r.data_offset = cn.offset;
            r.data_size = cn.size;
            r.node = c;
            r.storage = storage;
            set_value(f, r, c, k.as_time);
            apply_scaler(r, k.su);
            if (k.clock) {
                if (r.kind == value_kind::date_time) {
                    previous = r.when;
                } else if (f.nodes[c].type == axdr_type::null_data && previous && period != 0) {
                    // A compressed profile (СПОДЭС): a null clock is the previous row's time plus the period.
                    record_time t;
                    if (add_seconds(*previous, period, t)) {
                        r.kind = value_kind::date_time;
                        r.quantity = record_quantity::time_point;
                        r.when = t;
                        previous = t;
                    } else {
                        previous.reset();
                    }
                } else {
                    previous.reset();
                }
            }
        }
    }
}

}  // namespace

bool append_attribute_records(decoded_frame& f, const cosem_attribute* a, std::uint32_t node,
                              dlms_session* s) {
    if (node >= f.nodes.size()) {
        f.error = frame_error{decode_status::malformed, 0, "an A-XDR value", "none"};
        return false;
    }
    if (a == nullptr) {
        frame_record r = make_record(f, nullptr, node);
        set_value(f, r, node, false);
        f.records.push_back(r);
        return true;
    }
    // scaler_unit: learnt, and given as a record whose scaler and unit are the attribute's.
    if (is_scaler_unit_attribute(*a)) {
        scaler_unit su;
        if (!read_scaler_unit(f, node, su)) return false;
        if (s != nullptr) s->scaler_units[a->obis] = su;
        frame_record r = make_record(f, a, node);
        r.kind = value_kind::structure;
        r.scaler = su.scaler;
        r.has_scaler = true;
        r.cosem_unit = su.unit;
        f.records.push_back(r);
        return true;
    }
    if (a->class_id == 7) {
        if (a->attribute == 2) {
            append_buffer(f, *a, node, s);
            return true;
        }
        if (a->attribute == 3) {
            std::vector<capture_object> objects;
            if (!read_capture_objects(f, node, objects)) return false;
            if (s != nullptr) s->capture_objects[a->obis] = std::move(objects);
        } else if (a->attribute == 4 && f.nodes[node].type == axdr_type::double_long_unsigned &&
                   s != nullptr) {
            const auto v = read_int(f.data.data() + f.nodes[node].offset, 4, false);
            s->capture_periods[a->obis] = static_cast<std::uint32_t>(v.magnitude);
        }
    }
    frame_record r = make_record(f, a, node);
    set_value(f, r, node, is_time_attribute(*a));
    apply_scaler(r, scaler_for(*a, s));
    f.records.push_back(r);
    return true;
}

}  // namespace detail

bool decode_cosem_attribute(std::span<const std::uint8_t> axdr, const cosem_attribute& a, decoded_frame& out,
                            dlms_session* session) {
    out.clear();
    out.protocol = "dlms";
    out.header.kind = frame_kind::dlms_apdu;
    out.data.assign(axdr.begin(), axdr.end());
    std::uint32_t pos = 0;
    if (!parse_axdr(out.data, pos, out.nodes, &out.error)) return false;
    if (pos != out.data.size()) {
        out.error = frame_error{decode_status::malformed, pos, "the end of the value",
                                std::to_string(out.data.size() - pos) + " more bytes"};
        return false;
    }
    if (!detail::append_attribute_records(out, &a, 0, session)) {
        out.records.clear();
        return false;
    }
    return true;
}

}  // namespace v0
}  // namespace kvant
