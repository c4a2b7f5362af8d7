#include "kvant/io/frame_json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {
namespace {

using json = nlohmann::ordered_json;

std::string two(int v) {
    char b[8];
    std::snprintf(b, sizeof b, "%02d", v);
    return b;
}

/// A field of a date or time: its digits, '*' for each digit when the meter left it unspecified (DLMS), or
/// the special code in hex ("FE": the last day of the month; the begin of daylight saving for a month).
std::string field(int v, int width, bool unspecified, std::uint8_t special = 0) {
    if (unspecified) return std::string(static_cast<std::size_t>(width), '*');
    char b[8];
    if (special != 0)
        std::snprintf(b, sizeof b, "%02X", special);
    else
        std::snprintf(b, sizeof b, "%0*d", width, v);
    return b;
}

/// A record's time as the meter wrote it: "2024-01-31", "2024-01-31T12:30[:00]", "12:30:00". DLMS times add
/// hundredths when given and not 0 (".25"), and the offset from UTC their deviation gives ("+03:00" for a
/// deviation of −180; none for a deviation outside −720..720); an unspecified field is '*'s ("****-01-01").
std::string time_text(const record_time& t, value_kind k) {
    const auto u = t.unspecified;
    std::string s;
    if (k != value_kind::time) {
        s = field(t.year, 4, u & time_field::year) + "-" +
            field(t.month, 2, u & time_field::month, t.month_special) + "-" +
            field(t.day, 2, u & time_field::day, t.day_special);
        if (k == value_kind::date) return s;
        s += 'T';
    }
    s += field(t.hour, 2, u & time_field::hour) + ":" + field(t.minute, 2, u & time_field::minute);
    if (t.has_seconds || k == value_kind::time) s += ":" + field(t.second, 2, u & time_field::second);
    if (t.hundredths != 0 && !(u & time_field::hundredths)) s += "." + two(t.hundredths);
    // a deviation outside −720..720 minutes is no offset (the record keeps it as sent)
    if (t.has_deviation && !(u & time_field::deviation) && t.deviation >= -720 && t.deviation <= 720) {
        const int off = -t.deviation;  // UTC = local + deviation: the local offset is −deviation
        const int a = off < 0 ? -off : off;
        s += (off < 0 ? "-" : "+") + two(a / 60) + ":" + two(a % 60);
    }
    return s;
}

json error_object(std::string_view status, std::uint64_t offset, std::string_view message) {
    json e;
    e["status"] = status;
    e["offset"] = offset;
    e["message"] = message;
    return e;
}

/// A meter's text (M-Bus sends ASCII) as valid UTF-8: each byte that does not start a valid UTF-8 sequence
/// becomes U+FFFD, so that JSON, C strings and Python str all show the same text and none fails on it.
std::string valid_text(std::string_view t) {
    std::string s;
    s.reserve(t.size());
    for (std::size_t i = 0; i < t.size();) {
        const std::size_t n = detail::utf8_length(t, i);
        if (n == 0) {
            s += "\xEF\xBF\xBD";
            ++i;
        } else {
            s.append(t.substr(i, n));
            i += n;
        }
    }
    return s;
}

/// A big-endian integer of `n` bytes (1..8) as exact decimal text.
std::string integer_text(const std::uint8_t* p, std::uint32_t n, bool is_signed) {
    std::uint64_t v = 0;
    for (std::uint32_t i = 0; i < n; ++i) v = v << 8 | p[i];
    if (is_signed && n < 8 && (v >> (8 * n - 1)) != 0) v |= ~std::uint64_t{0} << (8 * n);
    return is_signed ? std::to_string(static_cast<std::int64_t>(v)) : std::to_string(v);
}

/// A float's shortest decimal text that reads back to the same value.
template <class F, class U>
std::string float_text(const std::uint8_t* p) {
    U bits = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) bits = static_cast<U>(bits << 8 | p[i]);
    F v;
    std::memcpy(&v, &bits, sizeof v);
    char b[40];
    const auto r = std::to_chars(b, b + sizeof b, v);
    return std::string(b, r.ptr);
}

/// An A-XDR value as JSON: arrays and structures as arrays, integers, enums and floats as exact decimal text,
/// booleans as true/false, null-data and dont-care as null, octet strings and BCD as hex text, strings as
/// text, bit strings as '0'/'1' text, and the date-time, date and time types as time_text (their bytes in hex
/// when they are not a time).
json node_json(const decoded_frame& f, std::uint32_t i) {
    if (i >= f.nodes.size()) return nullptr;
    const cosem_node& n = f.nodes[i];
    if (std::size_t(n.offset) + n.size > f.data.size()) return nullptr;
    const std::uint8_t* p = f.data.data() + n.offset;
    switch (n.type) {
        case axdr_type::array:
        case axdr_type::structure:
        case axdr_type::compact_array: {
            json a = json::array();
            for (std::uint32_t c = i + 1; c < n.end && c < f.nodes.size();
                 c = std::max(f.nodes[c].end, c + 1))
                a.push_back(node_json(f, c));
            return a;
        }
        case axdr_type::boolean:
            return n.size == 1 && p[0] != 0;
        case axdr_type::double_long:
        case axdr_type::integer:
        case axdr_type::long_:
        case axdr_type::long64:
            return n.size >= 1 && n.size <= 8 ? json(integer_text(p, n.size, true)) : json(nullptr);
        case axdr_type::double_long_unsigned:
        case axdr_type::unsigned_:
        case axdr_type::long_unsigned:
        case axdr_type::long64_unsigned:
        case axdr_type::enum_:
            return n.size >= 1 && n.size <= 8 ? json(integer_text(p, n.size, false)) : json(nullptr);
        case axdr_type::float32:
            return n.size == 4 ? json(float_text<float, std::uint32_t>(p)) : json(nullptr);
        case axdr_type::float64:
            return n.size == 8 ? json(float_text<double, std::uint64_t>(p)) : json(nullptr);
        case axdr_type::visible_string:
        case axdr_type::utf8_string:
            return valid_text(std::string_view(reinterpret_cast<const char*>(p), n.size));
        case axdr_type::bit_string: {
            std::string bits;
            for (std::uint32_t b = 0; b < n.count && b / 8 < n.size; ++b)
                bits += (p[b / 8] >> (7 - b % 8) & 1) ? '1' : '0';
            return bits;
        }
        case axdr_type::null_data:
        case axdr_type::dont_care:
            return nullptr;
        case axdr_type::date_time:
        case axdr_type::date:
        case axdr_type::time: {
            record_time t;
            if (!read_cosem_time(std::span(p, n.size), n.type, t)) return hex_text(std::span(p, n.size));
            return time_text(t, n.type == axdr_type::date   ? value_kind::date
                                : n.type == axdr_type::time ? value_kind::time
                                                            : value_kind::date_time);
        }
        default:
            return hex_text(std::span(p, n.size));
    }
}

std::string_view frame_kind_name(frame_kind k) noexcept {
    switch (k) {
        case frame_kind::iec_request:
            return "request";
        case frame_kind::iec_identification:
            return "identification";
        case frame_kind::iec_option_select:
            return "option_select";
        case frame_kind::iec_command:
            return "command";
        case frame_kind::iec_data:
            return "data";
        case frame_kind::iec_data_block:
            return "data_block";
        case frame_kind::dlms_apdu:
            return "apdu";
        case frame_kind::dlms_wrapper:
            return "wrapper";
        case frame_kind::hdlc:
            return "hdlc";
        default:
            return "";
    }
}

/// The header keys of an IEC 62056-21 message or a DLMS frame (docs/ingest.md).
void header_json(json& j, const decoded_frame& f) {
    const auto& h = f.header;
    j["message"] = frame_kind_name(h.kind);
    if (f.protocol == "iec62056-21") {
        const std::string_view ident = std::string_view(f.text).substr(h.ident_offset, h.ident_size);
        j["identification"] = ident.empty() ? json(nullptr) : json(valid_text(ident));
        j["baud"] = h.iec_baud ? json(std::string(1, h.iec_baud)) : json(nullptr);
        j["command"] = h.iec_command ? json(std::string{h.iec_command, h.iec_command_type}) : json(nullptr);
        j["bcc"] = h.kind == frame_kind::iec_command || h.kind == frame_kind::iec_data
                       ? json(h.bcc_additive ? "energomera" : "standard")
                       : json(nullptr);
        return;
    }
    j["apdu"] = h.apdu_tag;
    j["invoke_id"] = h.invoke_id;
    j["system_title"] = h.has_system_title ? json(hex_text(h.system_title)) : json(nullptr);
    j["frame_counter"] = h.encrypted ? json(h.frame_counter) : json(nullptr);
    if (h.kind == frame_kind::hdlc) {
        j["hdlc_destination"] = h.hdlc_destination;
        j["hdlc_source"] = h.hdlc_source;
        j["hdlc_control"] = h.hdlc_control;
    }
    j["awaiting_more"] = h.awaiting_more;
}

}  // namespace

std::string hex_text(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        s += digits[b >> 4];
        s += digits[b & 0x0f];
    }
    return s;
}

std::optional<std::string> record_value_text(const decoded_frame& f, const frame_record& r) {
    switch (r.kind) {
        case value_kind::number:
            return r.number.to_string();
        case value_kind::date:
        case value_kind::date_time:
        case value_kind::time:
            if (r.when.invalid) return std::nullopt;
            return time_text(r.when, r.kind);
        case value_kind::text:
            return valid_text(f.text_of(r));
        case value_kind::bytes:
            if (std::size_t(r.data_offset) + r.data_size > f.data.size()) return std::nullopt;
            return hex_text(std::span(f.data).subspan(r.data_offset, r.data_size));
        case value_kind::structure:
            return node_json(f, r.node).dump(-1, ' ', false, json::error_handler_t::replace);
        case value_kind::error_token:  // the token is the JSON's "error"
        case value_kind::none:
        case value_kind::invalid:
            return std::nullopt;
    }
    return std::nullopt;
}

std::string record_unit_text(const decoded_frame& f, const frame_record& r) {
    if (r.cosem_unit != 0) {
        const auto n = cosem_unit_name(r.cosem_unit);
        return n.empty() ? std::to_string(r.cosem_unit) : std::string(n);
    }
    if (r.unit_text_size != 0) return valid_text(f.unit_text_of(r));
    return std::string(record_unit_name(r.unit));
}

std::optional<std::string> record_obis_text(const frame_record& r) {
    if (!r.has_obis) return std::nullopt;
    const auto& g = r.obis.g;
    const std::uint8_t given = r.obis_given == 0 ? 0x3F : r.obis_given;
    if (given == 0x3F) return r.obis.to_string();
    std::string s;
    auto num = [&](int i) { return std::to_string(g[static_cast<std::size_t>(i)]); };
    if (given & 1) s += num(0) + "-";
    if (given & 2) s += num(1) + ":";
    s += num(2);
    for (int i = 3; i <= 4; ++i)
        if (given & (1 << i)) s += "." + num(i);
    if (given & 32) s += "*" + num(5);
    return s;
}

std::string frame_json(const decoded_frame& f, const frame_json_options& o) {
    json j;
    if (o.line) j["line"] = o.line;
    j["ok"] = f.ok();
    if (!f.ok()) {
        j["error"] = error_object(decode_status_text.name(f.error.status), f.error.offset, f.error.message());
        return j.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    const auto& h = f.header;
    j["protocol"] = f.protocol;
    const bool cosem = f.cosem();
    if (auto a = frame_address(f)) {
        j["address"] = a->to_string();
        j["manufacturer"] = a->manufacturer.empty() ? json(nullptr) : json(a->manufacturer);
        j["id"] = a->id;
        if (!cosem) {
            j["version"] = h.version;
            const auto m = medium_name(h.medium);
            j["medium"] = m.empty() ? json(h.medium) : json(m);
        }
    } else {
        j["address"] = nullptr;
        j["manufacturer"] = nullptr;
        j["id"] = nullptr;
        if (!cosem) {
            j["version"] = nullptr;
            j["medium"] = nullptr;
        }
    }
    if (cosem)
        header_json(j, f);
    else {
        j["access_number"] = h.access_number;
        j["status"] = h.status;
    }
    json records = json::array();
    for (const auto& r : f.records) {
        json x;
        if (cosem) {
            if (f.name_of(r).size()) x["name"] = valid_text(f.name_of(r));
            const auto obis = record_obis_text(r);
            x["obis"] = obis ? json(*obis) : json(nullptr);
            x["class_id"] = r.class_id ? json(r.class_id) : json(nullptr);
            x["attribute"] = r.attribute ? json(r.attribute) : json(nullptr);
            if (r.kind == value_kind::structure)
                x["value"] = node_json(f, r.node);
            else {
                const auto value = record_value_text(f, r);
                x["value"] = value ? json(*value) : json(nullptr);
            }
            const std::string unit = record_unit_text(f, r);
            x["unit"] = unit.empty() ? json(nullptr) : json(unit);
            x["scaler"] = r.has_scaler ? json(r.scaler) : json(nullptr);
            if (r.kind == value_kind::error_token) x["error"] = valid_text(f.text_of(r));
            if (r.kind == value_kind::number && (r.when.has_date || r.when.has_time))
                x["time"] = time_text(r.when, r.when.has_date ? value_kind::date_time : value_kind::time);
            x["storage"] = r.storage;
            x["tariff"] = r.tariff;
            x["subunit"] = r.subunit;
        } else {
            x["quantity"] = record_quantity_name(r.quantity);
            x["unit"] = record_unit_text(f, r);
            const auto value = record_value_text(f, r);
            x["value"] = value ? json(*value) : json(nullptr);
            x["function"] = record_function_text.name(r.function);
            x["storage"] = r.storage;
            x["tariff"] = r.tariff;
            x["subunit"] = r.subunit;
        }
        x["raw"] = hex_text(f.raw_of(r));
        records.push_back(std::move(x));
    }
    j["records"] = std::move(records);
    json readings = json::array(), events = json::array(), skipped = json::array();
    if (o.context) {
        reading_table t;
        std::vector<meter_event> ev;
        const frame_values v = map_frame(f, *o.context, t, ev);
        for (std::size_t i = 0; i < t.size(); ++i)
            readings.push_back({{"channel", to_string(t.channel_of(i))},
                                {"time", to_string(from_unix(t.times()[i]))},
                                {"value", to_string(decimal::from_raw(t.values()[i]))}});
        for (const auto& e : ev)
            events.push_back({{"time", to_string(e.time)},
                              {"code", e.code},
                              {"kind", to_string(e.kind)},
                              {"message", e.message}});
        for (const auto& s : v.skipped) skipped.push_back({{"record", s.record}, {"reason", s.reason}});
    }
    j["readings"] = std::move(readings);
    j["events"] = std::move(events);
    j["skipped"] = std::move(skipped);
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string frame_error_json(std::uint64_t line, std::string_view status, std::uint64_t offset,
                             std::string_view message) {
    json j;
    if (line) j["line"] = line;
    j["ok"] = false;
    j["error"] = error_object(status, offset, message);
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace v0
}  // namespace kvant
