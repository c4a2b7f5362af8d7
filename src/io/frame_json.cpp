#include "kvant/io/frame_json.hpp"

#include <cstdio>
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

/// A record's time as the meter wrote it: "2024-01-31", "2024-01-31T12:30[:00]", "12:30:00".
std::string time_text(const record_time& t, value_kind k) {
    std::string s;
    if (k != value_kind::time) {
        char b[16];
        std::snprintf(b, sizeof b, "%04d-%02d-%02d", int(t.year), int(t.month), int(t.day));
        s = b;
        if (k == value_kind::date) return s;
        s += 'T';
    }
    s += two(t.hour) + ":" + two(t.minute);
    if (t.has_seconds || k == value_kind::time) s += ":" + two(t.second);
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
        case value_kind::error_token:
            return valid_text(f.text_of(r));
        case value_kind::structure:
        case value_kind::none:
        case value_kind::invalid:
            return std::nullopt;
    }
    return std::nullopt;
}

std::string record_unit_text(const decoded_frame& f, const frame_record& r) {
    return r.quantity == record_quantity::plain_text_unit ? valid_text(f.unit_text_of(r))
                                                          : std::string(record_unit_name(r.unit));
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
    if (auto a = frame_address(f)) {
        j["address"] = a->to_string();
        j["manufacturer"] = a->manufacturer;
        j["id"] = a->id;
        j["version"] = h.version;
        const auto m = medium_name(h.medium);
        j["medium"] = m.empty() ? json(h.medium) : json(m);
    } else {
        j["address"] = nullptr;
        j["manufacturer"] = nullptr;
        j["id"] = nullptr;
        j["version"] = nullptr;
        j["medium"] = nullptr;
    }
    j["access_number"] = h.access_number;
    j["status"] = h.status;
    json records = json::array();
    for (const auto& r : f.records) {
        json x;
        x["quantity"] = record_quantity_name(r.quantity);
        x["unit"] = record_unit_text(f, r);
        const auto value = record_value_text(f, r);
        x["value"] = value ? json(*value) : json(nullptr);
        x["function"] = record_function_text.name(r.function);
        x["storage"] = r.storage;
        x["tariff"] = r.tariff;
        x["subunit"] = r.subunit;
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
