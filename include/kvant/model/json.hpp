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

// ---- organization
inline void to_json(nlohmann::json& j, const organization& o) {
    using namespace detail::json;
    j = json::object();
    j["id"] = o.id;
    j["name"] = o.name;
    j["kind"] = to_string(o.kind);
    put(j, "inn", o.inn);
    put(j, "kpp", o.kpp);
    put(j, "ogrn", o.ogrn);
    put(j, "legal_address", o.legal_address);
    put(j, "actual_address", o.actual_address);
    put(j, "zone", o.time_zone);
    j["billing_start_day"] = o.billing_start_day;
}
inline void from_json(const nlohmann::json& j, organization& o) {
    using namespace detail::json;
    const char* e = "organization";
    o.id = text(j, e, "id", true);
    o.name = text(j, e, "name");
    o.kind = choice(j, e, "kind", organization_kind_text, organization_kind::other);
    o.inn = text(j, e, "inn");
    o.kpp = text(j, e, "kpp");
    o.ogrn = text(j, e, "ogrn");
    o.legal_address = text(j, e, "legal_address");
    o.actual_address = text(j, e, "actual_address");
    o.time_zone = tz(j, e, "zone");
    o.billing_start_day = integer(j, e, "billing_start_day").value_or(1);
}

// ---- abonent
inline void to_json(nlohmann::json& j, const abonent& a) {
    using namespace detail::json;
    j = json::object();
    j["id"] = a.id;
    j["organization"] = a.organization;
    j["kind"] = to_string(a.kind);
    j["name"] = a.name;
    put(j, "phone", a.phone);
    put(j, "email", a.email);
    put(j, "registered", a.registered);
}
inline void from_json(const nlohmann::json& j, abonent& a) {
    using namespace detail::json;
    const char* e = "abonent";
    a.id = text(j, e, "id", true);
    a.organization = text(j, e, "organization", true);
    a.kind = choice(j, e, "kind", abonent_kind_text, abonent_kind::person);
    a.name = text(j, e, "name");
    a.phone = text(j, e, "phone");
    a.email = text(j, e, "email");
    a.registered = when(j, e, "registered");
}

// ---- account
inline void to_json(nlohmann::json& j, const account& a) {
    using namespace detail::json;
    j = json::object();
    j["number"] = a.number;
    j["abonent"] = a.abonent;
    put(j, "address", a.address);
    put(j, "building", a.building);
    j["building_type"] = to_string(a.type);
    put(j, "apartment", a.apartment);
    put(j, "area", a.area);
    put(j, "contract_start", a.contract_start);
    put(j, "contract_end", a.contract_end);
    put(j, "residents", a.residents);
}
inline void from_json(const nlohmann::json& j, account& a) {
    using namespace detail::json;
    const char* e = "account";
    a.number = text(j, e, "number", true);
    a.abonent = text(j, e, "abonent", true);
    a.address = text(j, e, "address");
    a.building = text(j, e, "building");
    a.type = choice(j, e, "building_type", building_type_text, building_type::apartment);
    a.apartment = text(j, e, "apartment");
    a.area = dec(j, e, "area");
    a.contract_start = day(j, e, "contract_start");
    a.contract_end = day(j, e, "contract_end");
    a.residents = integer(j, e, "residents");
}

// ---- metering_point
inline void to_json(nlohmann::json& j, const metering_point& p) {
    using namespace detail::json;
    j = json::object();
    j["code"] = p.code;
    j["account"] = p.account;
    put(j, "name", p.name);
    put(j, "place", p.place);
    put(j, "place_type", p.place_type);
    put(j, "amenities", p.amenities);
}
inline void from_json(const nlohmann::json& j, metering_point& p) {
    using namespace detail::json;
    const char* e = "metering_point";
    p.code = text(j, e, "code", true);
    p.account = text(j, e, "account", true);
    p.name = text(j, e, "name");
    p.place = text(j, e, "place");
    p.place_type = text(j, e, "place_type");
    p.amenities = text(j, e, "amenities");
}

// ---- meter_model
inline void to_json(nlohmann::json& j, const meter_model& m) {
    using namespace detail::json;
    j = json::object();
    j["id"] = m.id;
    j["name"] = m.name;
    put(j, "execution", m.execution);
    put(j, "manufacturer", m.manufacturer);
    put(j, "registry_number", m.registry_number);
    j["resource"] = to_string(m.measures);
    j["verification_interval_years"] = m.verification_interval_years;
    put(j, "service_life_years", m.service_life_years);
    put(j, "accuracy_class", m.accuracy_class);
    put(j, "phases", m.phases);
    j["connection_type"] = to_string(m.connection);
    put(j, "nominal_voltage", m.nominal_voltage);
    put(j, "nominal_current", m.nominal_current);
    put(j, "max_current", m.max_current);
    put(j, "meter_constant", m.meter_constant);
    put(j, "register_digits", m.register_digits);
    j["tariff_registers"] = m.tariff_registers;
}
inline void from_json(const nlohmann::json& j, meter_model& m) {
    using namespace detail::json;
    const char* e = "meter_model";
    m.id = text(j, e, "id", true);
    m.name = text(j, e, "name");
    m.execution = text(j, e, "execution");
    m.manufacturer = text(j, e, "manufacturer");
    m.registry_number = text(j, e, "registry_number");
    m.measures = choice(j, e, "resource", resource_text, resource::electricity);
    m.verification_interval_years = integer(j, e, "verification_interval_years").value_or(0);
    m.service_life_years = integer(j, e, "service_life_years");
    m.accuracy_class = text(j, e, "accuracy_class");
    m.phases = integer(j, e, "phases");
    m.connection = choice(j, e, "connection_type", connection_type_text, connection_type::direct);
    m.nominal_voltage = dec(j, e, "nominal_voltage");
    m.nominal_current = dec(j, e, "nominal_current");
    m.max_current = dec(j, e, "max_current");
    m.meter_constant = integer(j, e, "meter_constant");
    m.register_digits = integer(j, e, "register_digits");
    m.tariff_registers = integer(j, e, "tariff_registers").value_or(1);
}

// ---- meter
inline void to_json(nlohmann::json& j, const meter& m) {
    using namespace detail::json;
    j = json::object();
    j["serial"] = m.serial;
    put(j, "model", m.model);
    put(j, "point", m.point);
    j["role"] = to_string(m.role);
    j["resource"] = to_string(m.measures);
    put(j, "zone", m.time_zone);
    j["transformer_ratio"] = to_string(m.transformer_ratio);
    put(j, "register_digits", m.register_digits);
    put(j, "tariff_registers", m.tariff_registers);
    put(j, "manufactured", m.manufactured);
    put(j, "installed", m.installed);
    put(j, "removed", m.removed);
    put(j, "last_verification", m.last_verification);
    put(j, "latitude", m.latitude);
    put(j, "longitude", m.longitude);
    if (!m.under_control) j["under_control"] = false;
}
inline void from_json(const nlohmann::json& j, meter& m) {
    using namespace detail::json;
    const char* e = "meter";
    m.serial = text(j, e, "serial", true);
    m.model = text(j, e, "model");
    m.point = text(j, e, "point");
    m.role = choice(j, e, "role", meter_role_text, meter_role::individual);
    m.measures = choice(j, e, "resource", resource_text, resource::electricity);
    m.time_zone = tz(j, e, "zone");
    m.transformer_ratio = dec(j, e, "transformer_ratio").value_or(decimal::from_integer(1));
    m.register_digits = integer(j, e, "register_digits");
    m.tariff_registers = integer(j, e, "tariff_registers");
    m.manufactured = day(j, e, "manufactured");
    m.installed = day(j, e, "installed");
    m.removed = day(j, e, "removed");
    m.last_verification = day(j, e, "last_verification");
    m.latitude = dec(j, e, "latitude");
    m.longitude = dec(j, e, "longitude");
    m.under_control = flag(j, e, "under_control").value_or(true);
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

// ---- meter_event
inline void to_json(nlohmann::json& j, const meter_event& ev) {
    using namespace detail::json;
    j = json::object();
    j["meter"] = ev.meter;
    j["time"] = to_string(ev.time);
    j["code"] = ev.code;
    j["kind"] = to_string(ev.kind);
    put(j, "journal", ev.journal);
    put(j, "message", ev.message);
}
inline void from_json(const nlohmann::json& j, meter_event& ev) {
    using namespace detail::json;
    const char* e = "meter_event";
    ev.meter = text(j, e, "meter", true);
    ev.time = *when(j, e, "time", true);
    const auto code = integer(j, e, "code");
    if (!code) fail(e, "code", "required value is missing", errc::missing_field);
    ev.code = *code;
    ev.kind = choice(j, e, "kind", event_kind_text, event_kind::other);
    ev.journal = integer(j, e, "journal");
    ev.message = text(j, e, "message");
}

// ---- meter state: relay_change, comm_session (docs/state.md)
inline void to_json(nlohmann::json& j, const relay_change& r) {
    using namespace detail::json;
    j = json::object();
    j["meter"] = r.meter;
    j["time"] = to_string(r.time);
    j["position"] = to_string(r.position);
    j["reason"] = to_string(r.reason);
    put(j, "by", r.by);
    put(j, "note", r.note);
}
inline void from_json(const nlohmann::json& j, relay_change& r) {
    using namespace detail::json;
    const char* e = "relay_change";
    r.meter = text(j, e, "meter", true);
    r.time = *when(j, e, "time", true);
    if (text(j, e, "position").empty()) fail(e, "position", "required value is missing", errc::missing_field);
    r.position = choice(j, e, "position", relay_position_text, relay_position::off);
    r.reason = choice(j, e, "reason", relay_reason_text, relay_reason::unknown);
    r.by = text(j, e, "by");
    r.note = text(j, e, "note");
}
inline void to_json(nlohmann::json& j, const comm_session& c) {
    using namespace detail::json;
    j = json::object();
    j["meter"] = c.meter;
    j["start"] = to_string(c.start);
    j["end"] = to_string(c.end);
    j["channel"] = to_string(c.channel);
    j["result"] = to_string(c.result);
    put(j, "note", c.note);
}
inline void from_json(const nlohmann::json& j, comm_session& c) {
    using namespace detail::json;
    const char* e = "comm_session";
    c.meter = text(j, e, "meter", true);
    c.start = *when(j, e, "start", true);
    c.end = *when(j, e, "end", true);
    c.channel = choice(j, e, "channel", link_channel_text, link_channel::other);
    if (text(j, e, "result").empty()) fail(e, "result", "required value is missing", errc::missing_field);
    c.result = choice(j, e, "result", session_result_text, session_result::ok);
    c.note = text(j, e, "note");
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
    j["message_ru"] = a.message_ru;
    j["message_en"] = a.message_en;
    j["status"] = to_string(a.status);
    put(j, "resolved_at", a.resolved_at);
    put(j, "resolved_by", a.resolved_by);
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
    a.message_ru = text(j, e, "message_ru");
    a.message_en = text(j, e, "message_en");
    a.status = choice(j, e, "status", anomaly_status_text, anomaly_status::open);
    a.resolved_at = when(j, e, "resolved_at");
    a.resolved_by = text(j, e, "resolved_by");
}

}  // namespace v0
}  // namespace kvant
