/// \file
/// JSON for every entity of the model, through nlohmann/json's ADL hooks (`to_json` / `from_json` beside the
/// types), in this separate header so that the core does not need json.
///
/// Choices: decimals are JSON strings ("352.248") so that no reader turns them into binary floating point;
/// on input an integer number is accepted too, a fractional JSON number is refused. Instants are ISO 8601 UTC
/// strings, dates `YYYY-MM-DD`, zones their canonical name, enums their stable names. Absent optional fields
/// are omitted; `null` reads as absent. A missing required key or a wrong type gives parse_error(errc::json)
/// naming the entity and the key.
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>

#include "kvant/core/text.hpp"
#include "kvant/model/abonent.hpp"
#include "kvant/model/account.hpp"
#include "kvant/model/anomaly.hpp"
#include "kvant/model/comm_session.hpp"
#include "kvant/model/entry_record.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/model/meter_event.hpp"
#include "kvant/model/meter_model.hpp"
#include "kvant/model/metering_point.hpp"
#include "kvant/model/organization.hpp"
#include "kvant/model/reading.hpp"
#include "kvant/model/relay.hpp"

namespace kvant {
inline namespace v0 {

namespace detail::json {
using nlohmann::json;

[[noreturn]] inline void fail(const char* entity, const char* key, const std::string& what,
                              errc code = errc::json, std::int64_t offset = -1) {
    throw parse_error(code, std::string(entity) + ": " + what, location{"", 0, key, offset});
}

// Readers: each takes the object, the entity name (for messages) and the key.
inline const json* member(const json& j, const char* entity, const char* key, bool required) {
    if (!j.is_object()) fail(entity, key, "expected a JSON object");
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (required) fail(entity, key, "required value is missing", errc::missing_field);
        return nullptr;
    }
    return &*it;
}
inline std::string text(const json& j, const char* entity, const char* key, bool required = false) {
    const json* v = member(j, entity, key, required);
    if (!v) return {};
    if (v->is_string()) {
        const auto& s = v->get_ref<const std::string&>();
        // every text enters here once: valid UTF-8, no control character, bounded (core/text.hpp)
        if (auto p = check_text(s))
            fail(entity, key, p->reason + " in " + excerpt(s), errc::invalid_text,
                 static_cast<std::int64_t>(p->offset));
        return s;
    }
    if (v->is_number_unsigned()) return std::to_string(v->get<std::uint64_t>());  // above INT64_MAX too
    if (v->is_number_integer()) return std::to_string(v->get<std::int64_t>());
    fail(entity, key, "expected a string");
}
/// An integer; text of digits is accepted too (CSV cells arrive as text).
inline std::optional<int> integer(const json& j, const char* entity, const char* key) {
    const json* v = member(j, entity, key, false);
    if (!v) return std::nullopt;
    if (v->is_number_integer()) {
        const auto n = v->get<std::int64_t>();
        if ((v->is_number_unsigned() && v->get<std::uint64_t>() > 999'999'999ULL) || n < -999'999'999 ||
            n > 999'999'999)
            fail(entity, key, v->dump() + " is outside -999999999..999999999", errc::invalid_number);
        return static_cast<int>(n);
    }
    if (v->is_string()) {
        const auto& s = v->get_ref<const std::string&>();
        std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
        bool ok = i < s.size() && s.size() - i <= 9;
        for (std::size_t k = i; ok && k < s.size(); ++k) ok = s[k] >= '0' && s[k] <= '9';
        if (ok) return std::stoi(s);
        fail(entity, key, excerpt(s) + " is not an integer of at most 9 digits", errc::invalid_number);
    }
    fail(entity, key, "expected an integer", errc::invalid_number);
}
/// A boolean: JSON true/false, or the text true/false/1/0 (CSV cells arrive as text).
inline std::optional<bool> flag(const json& j, const char* entity, const char* key) {
    const json* v = member(j, entity, key, false);
    if (!v) return std::nullopt;
    if (v->is_boolean()) return v->get<bool>();
    if (v->is_string()) {
        const auto& s = v->get_ref<const std::string&>();
        if (s == "true" || s == "1") return true;
        if (s == "false" || s == "0") return false;
        if (s.empty()) return std::nullopt;
        fail(entity, key, excerpt(s) + " is not true, false, 1 or 0", errc::json);
    }
    fail(entity, key, "expected true or false", errc::json);
}
inline std::optional<decimal> dec(const json& j, const char* entity, const char* key) {
    const json* v = member(j, entity, key, false);
    if (!v) return std::nullopt;
    if (v->is_number_integer()) {
        // the same 12 integer digits as decimal text: a larger number would wrap in from_integer
        if (v->is_number_unsigned()
                ? v->get<std::uint64_t>() > 999'999'999'999ULL
                : (v->get<std::int64_t>() > 999'999'999'999LL || v->get<std::int64_t>() < -999'999'999'999LL))
            fail(entity, key, v->dump() + ": more than 12 integer digits", errc::invalid_number);
        return decimal::from_integer(v->get<std::int64_t>());
    }
    if (!v->is_string())
        fail(entity, key, "expected a decimal as a string (\"352.248\") to keep it exact",
             errc::invalid_number);
    decimal d;
    const auto st = decimal::try_parse(v->get<std::string>(), d);
    if (st != decimal_status::ok)
        fail(entity, key, excerpt(v->get<std::string>()) + ": " + std::string(describe(st)),
             errc::invalid_number);
    return d;
}
inline std::optional<calendar_date> day(const json& j, const char* entity, const char* key) {
    const std::string s = text(j, entity, key);
    if (s.empty()) return std::nullopt;
    calendar_date d;
    const auto st = try_parse_date(s, d);
    if (st == time_status::syntax)
        fail(entity, key, excerpt(s) + ": not a date (expected YYYY-MM-DD or DD.MM.YYYY)",
             errc::invalid_date);
    if (st != time_status::ok)
        fail(entity, key, excerpt(s) + ": " + std::string(describe(st)), errc::invalid_date);
    return d;
}
inline std::optional<instant> when(const json& j, const char* entity, const char* key,
                                   bool required = false) {
    const std::string s = text(j, entity, key, required);
    if (s.empty()) return std::nullopt;
    instant t;
    const auto st = try_parse_instant(s, t);
    if (st != time_status::ok)
        fail(entity, key, excerpt(s) + ": " + std::string(describe(st)), errc::invalid_timestamp);
    return t;
}
inline std::optional<zone> tz(const json& j, const char* entity, const char* key) {
    const json* v = member(j, entity, key, false);
    if (!v) return std::nullopt;
    std::string s;
    if (v->is_number_integer())
        s = std::to_string(*integer(j, entity, key));  // range-checked, never narrowed
    else if (v->is_string())
        s = text(j, entity, key);
    if (s.empty())
        fail(entity, key, "expected a zone name, an offset or minutes east of UTC", errc::invalid_zone);
    try {
        return zone::parse(s);
    } catch (const error& e) {
        fail(entity, key, std::string(e.message()), errc::invalid_zone);
    }
}
template <class E, std::size_t N>
E choice(const json& j, const char* entity, const char* key, const kvant::detail::enum_text<E, N>& table,
         E fallback) {
    const std::string s = text(j, entity, key);
    if (s.empty()) return fallback;
    if (auto v = table.find(s)) return *v;
    try {
        table.parse(s);
    } catch (const error& e) {
        fail(entity, key, std::string(e.message()), errc::invalid_enum);
    }
    return fallback;
}

// Writers: put a value only when present.
inline void put(json& j, const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
}
inline void put(json& j, const char* key, const std::optional<int>& v) {
    if (v) j[key] = *v;
}
inline void put(json& j, const char* key, const std::optional<decimal>& v) {
    if (v) j[key] = to_string(*v);
}
inline void put(json& j, const char* key, const std::optional<calendar_date>& v) {
    if (v) j[key] = to_string(*v);
}
inline void put(json& j, const char* key, const std::optional<instant>& v) {
    if (v) j[key] = to_string(*v);
}
inline void put(json& j, const char* key, const std::optional<zone>& v) {
    if (v) j[key] = v->name();
}
// Field codecs (model/fields.hpp): write puts a value (an optional one only when present, text only when
// not empty unless required); read leaves the default when the key is absent, and refuses a missing required
// key.
[[noreturn]] inline void missing(const char* entity, const char* key) {
    fail(entity, key, "required value is missing", errc::missing_field);
}
inline void write(json& j, const char* key, const std::string& v, bool required) {
    if (required || !v.empty()) j[key] = v;
}
inline void write(json& j, const char* key, bool v, bool) {
    j[key] = v;
}
inline void write(json& j, const char* key, int v, bool) {
    j[key] = v;
}
inline void write(json& j, const char* key, const decimal& v, bool) {
    j[key] = to_string(v);
}
inline void write(json& j, const char* key, const instant& v, bool) {
    j[key] = to_string(v);
}
inline void write(json& j, const char* key, const calendar_date& v, bool) {
    j[key] = to_string(v);
}
template <named_enum E>
void write(json& j, const char* key, E v, bool) {
    j[key] = to_string(v);
}
template <class V>
void write(json& j, const char* key, const std::optional<V>& v, bool) {
    put(j, key, v);
}

inline void read(const json& j, const char* entity, const char* key, bool required, std::string& out) {
    out = text(j, entity, key, required);
}
inline void read(const json& j, const char* entity, const char* key, bool required, bool& out) {
    if (auto v = flag(j, entity, key))
        out = *v;
    else if (required)
        missing(entity, key);
}
inline void read(const json& j, const char* entity, const char* key, bool required, int& out) {
    if (auto v = integer(j, entity, key))
        out = *v;
    else if (required)
        missing(entity, key);
}
inline void read(const json& j, const char* entity, const char* key, bool required, decimal& out) {
    if (auto v = dec(j, entity, key))
        out = *v;
    else if (required)
        missing(entity, key);
}
inline void read(const json& j, const char* entity, const char* key, bool required, instant& out) {
    if (auto v = when(j, entity, key, required)) out = *v;
}
inline void read(const json& j, const char* entity, const char* key, bool required, calendar_date& out) {
    if (auto v = day(j, entity, key))
        out = *v;
    else if (required)
        missing(entity, key);
}
template <named_enum E>
void read(const json& j, const char* entity, const char* key, bool required, E& out) {
    const std::string s = text(j, entity, key, required);
    if (s.empty()) {
        if (required) missing(entity, key);
        return;
    }
    try {
        out = parse_enum<E>(s);
    } catch (const error& e) {
        fail(entity, key, std::string(e.message()), errc::invalid_enum);
    }
}
inline void read(const json& j, const char* entity, const char* key, bool, std::optional<int>& out) {
    out = integer(j, entity, key);
}
inline void read(const json& j, const char* entity, const char* key, bool, std::optional<decimal>& out) {
    out = dec(j, entity, key);
}
inline void read(const json& j, const char* entity, const char* key, bool,
                 std::optional<calendar_date>& out) {
    out = day(j, entity, key);
}
inline void read(const json& j, const char* entity, const char* key, bool, std::optional<instant>& out) {
    out = when(j, entity, key);
}
inline void read(const json& j, const char* entity, const char* key, bool, std::optional<zone>& out) {
    out = tz(j, entity, key);
}
}  // namespace detail::json

/// JSON text parsed into a document: nlohmann's parse errors (syntax, invalid UTF-8 in a string) come out as
/// parse_error(errc::json) naming `source` and the byte offset, never as a raw `[json.exception...]`.
inline nlohmann::json parse_json(std::string_view text, const std::string& source) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        // e.what() quotes no input beyond a short token; keep only nlohmann's reason after its prefix.
        // nlohmann counts bytes from 1 (n + 1 is the end of the input); a location's offset counts from 0.
        std::string_view w = e.what();
        if (const auto p = w.find("] "); p != std::string_view::npos) w.remove_prefix(p + 2);
        throw parse_error(errc::json, "not JSON: " + std::string(w.substr(0, 200)),
                          location{source, 0, "", e.byte > 0 ? static_cast<std::int64_t>(e.byte) - 1 : -1});
    } catch (const nlohmann::json::exception& e) {  // a number beyond a double (out_of_range.406), ...
        std::string_view w = e.what();
        if (const auto p = w.find("] "); p != std::string_view::npos) w.remove_prefix(p + 2);
        throw parse_error(errc::json, "not JSON: " + std::string(w.substr(0, 200)),
                          location{source, 0, "", -1});
    }
}

/// A document read as an entity (or a tariff schedule): the entity's own errors keep their key and gain
/// `source`; anything nlohmann throws (a wrong type deep inside) becomes parse_error(errc::json) naming
/// `source`.
template <class T>
T from_json_document(const nlohmann::json& j, const std::string& source) {
    try {
        return j.get<T>();
    } catch (const parse_error& e) {
        location at = e.where();
        if (at.file.empty()) at.file = source;
        throw parse_error(e.code(), e.reason(), std::move(at));
    } catch (const nlohmann::json::exception& e) {
        std::string_view w = e.what();
        if (const auto p = w.find("] "); p != std::string_view::npos) w.remove_prefix(p + 2);
        throw parse_error(errc::json, std::string(w.substr(0, 200)), location{source, 0, "", -1});
    }
}

// ---- every described entity (model/fields.hpp): organization, abonent, account, metering_point,
// meter_model, meter, meter_event, relay_change, comm_session, ...
template <described T>
void to_json(nlohmann::json& j, const T& e) {
    j = nlohmann::json::object();
    for_each_field<T>(
        [&](const auto& f) { detail::json::write(j, f.name.data(), e.*(f.member), f.required); });
}
template <described T>
void from_json(const nlohmann::json& j, T& e) {
    e = T{};
    const char* entity = description<T>::entity.data();
    if (!j.is_object()) detail::json::fail(entity, "", "expected a JSON object");
    for_each_field<T>(
        [&](const auto& f) { detail::json::read(j, entity, f.name.data(), f.required, e.*(f.member)); });
}

// ---- reading
// {"meter": "…", "time": "…", "values": {"active_import": "48880.1", "1.8.1": "…", "heat_energy@GJ": "…"},
//  "source": "automatic", "accepted": "…"}. The keys of "values" are channel names or OBIS codes
// (docs/channels.md). The wide keys of earlier files, "total" and "t1".."t8", are still read, as the tariffs
// of active energy import (a host that knows the meter's resource re-bases them: docs/channels.md). A channel
// named twice (by two names, or in "values" and by a wide key) is an error; values come out in channel order.
inline void to_json(nlohmann::json& j, const reading& r) {
    using namespace detail::json;
    j = json::object();
    j["meter"] = r.meter;
    j["time"] = to_string(r.time);
    json values = json::object();
    for (const auto& v : r.values) values[to_string(v.ch)] = to_string(v.value);
    j["values"] = std::move(values);
    j["source"] = to_string(r.source);
    put(j, "accepted", r.accepted);
}
inline void from_json(const nlohmann::json& j, reading& r) {
    using namespace detail::json;
    const char* e = "reading";
    r.meter = text(j, e, "meter", true);
    r.time = *when(j, e, "time", true);
    r.values.clear();
    // one value a channel, however it is named: "1.8.0", "1-0:1.8.0*255", "active_import" and the legacy
    // "total" are one channel, and naming it twice is an error rather than a silent choice
    std::vector<std::string> named;
    const auto add = [&](const channel& c, decimal v, const std::string& key) {
        for (std::size_t k = 0; k < r.values.size(); ++k)
            if (r.values[k].ch == c)
                fail(e, key.c_str(),
                     "channel " + to_string(c) + " is given twice (also as '" + named[k] + "')", errc::json);
        r.values.push_back({c, v});
        named.push_back(key);
    };
    for (std::size_t i = 0; i < register_count; ++i) {
        const auto reg = static_cast<register_id>(i);
        const std::string key(to_string(reg));
        if (auto v = dec(j, e, key.c_str())) add(channel::of(quantity::active_import, reg), *v, key);
    }
    if (j.contains("values")) {
        const auto& vs = j.at("values");
        if (!vs.is_object()) fail(e, "values", "must be an object of channel: value", errc::json);
        for (const auto& [name, value] : vs.items()) {
            const channel c = parse_channel(name, location{"", 0, "values", -1});
            if (auto v = dec(vs, e, name.c_str())) add(c, *v, name);
        }
    }
    // in channel order (that of a store's reads and of reading_table::to_readings), whatever the key order
    std::stable_sort(r.values.begin(), r.values.end(),
                     [](const channel_value& a, const channel_value& b) { return a.ch < b.ch; });
    r.source = choice(j, e, "source", reading_source_text, reading_source::automatic);
    r.accepted = when(j, e, "accepted");
}

// ---- message: {"code": "reading_decrease", "params": {"meter": "98990006", ...}}
inline void to_json(nlohmann::json& j, const message& m) {
    j = nlohmann::json::object();
    j["code"] = to_string(m.code);
    j["params"] = m.params;
}
inline message message_of(const nlohmann::json& j, const char* entity) {
    using namespace detail::json;
    if (!j.is_object()) fail(entity, "message", "expected a JSON object");
    message m;
    m.code = choice(j, entity, "code", message_code_text, message_code::legacy_text);
    if (j.contains("params")) {
        const auto& p = j.at("params");
        if (!p.is_object()) fail(entity, "params", "the message's parameters are not a JSON object");
        for (const auto& [k, v] : p.items()) {
            if (!v.is_string())
                fail(entity, "params", "message parameter " + excerpt(k) + " is not a string");
            m.params[k] = v.get<std::string>();
        }
    }
    return m;
}

// ---- anomaly
inline void to_json(nlohmann::json& j, const anomaly& a) {
    using namespace detail::json;
    j = json::object();
    j["key"] = a.key;
    j["type"] = to_string(a.type);
    j["severity"] = to_string(a.level);
    j["meter"] = a.meter;
    put(j, "account", a.account);
    j["from"] = to_string(a.from);
    j["to"] = to_string(a.to);
    j["message"] = a.text;
    j["status"] = to_string(a.status);
    put(j, "resolved_at", a.resolved_at);
    put(j, "resolved_by", a.resolved_by);
    put(j, "first_detected", a.first_detected);
    put(j, "last_detected", a.last_detected);
}
inline void from_json(const nlohmann::json& j, anomaly& a) {
    using namespace detail::json;
    const char* e = "anomaly";
    a.key = text(j, e, "key", true);
    a.type = choice(j, e, "type", anomaly_type_text, anomaly_type::reading_decrease);
    a.level = choice(j, e, "severity", anomaly_severity_text, anomaly_severity::warning);
    a.meter = text(j, e, "meter");
    a.account = text(j, e, "account");
    a.from = *when(j, e, "from", true);
    a.to = *when(j, e, "to", true);
    if (j.contains("message")) {
        a.text = message_of(j.at("message"), e);
    } else {  // schema 3 and earlier: the two finished strings, kept as they are
        a.text = {message_code::legacy_text, {}};
        if (auto ru = text(j, e, "message_ru"); !ru.empty()) a.text.set("ru", std::move(ru));
        if (auto en = text(j, e, "message_en"); !en.empty()) a.text.set("en", std::move(en));
    }
    a.status = choice(j, e, "status", anomaly_status_text, anomaly_status::open);
    a.resolved_at = when(j, e, "resolved_at");
    a.resolved_by = text(j, e, "resolved_by");
    a.first_detected = when(j, e, "first_detected");
    a.last_detected = when(j, e, "last_detected");
}

// ---- entry record (the manual-entry log): {"reading": {...}, "entered_by": "…", "entered_at": "…",
//      "outcome": "accepted", "confirmation": "none", "findings": [{"code": …, "params": {…}}, …]}
inline void to_json(nlohmann::json& j, const entry_record& r) {
    j = nlohmann::json::object();
    j["reading"] = r.entered;
    j["entered_by"] = r.entered_by;
    j["entered_at"] = to_string(r.entered_at);
    j["outcome"] = to_string(r.outcome);
    j["confirmation"] = to_string(r.confirmation);
    j["findings"] = r.findings;
}
inline void from_json(const nlohmann::json& j, entry_record& r) {
    using namespace detail::json;
    const char* e = "entry record";
    r.entered = member(j, e, "reading", true)->get<reading>();
    r.entered_by = text(j, e, "entered_by", true);
    r.entered_at = *when(j, e, "entered_at", true);
    r.outcome = choice(j, e, "outcome", entry_outcome_text, entry_outcome::accepted);
    r.confirmation = choice(j, e, "confirmation", entry_confirmation_text, entry_confirmation::none);
    r.findings.clear();
    if (const auto* f = member(j, e, "findings", false)) {
        if (!f->is_array()) fail(e, "findings", "expected a JSON array");
        for (const auto& m : *f) r.findings.push_back(message_of(m, e));
    }
}

}  // namespace v0
}  // namespace kvant

/// Described entities of any namespace (a host's own included) convert with nlohmann::json like the
/// library's: json j = e; j.get<T>().
template <class T>
requires kvant::described<T>
struct nlohmann::adl_serializer<T, void> {
    static void to_json(nlohmann::json& j, const T& e) { kvant::to_json(j, e); }
    static void from_json(const nlohmann::json& j, T& e) { kvant::from_json(j, e); }
};
