// Internal: how entities are stored as rows, shared by the SQLite and PostgreSQL backends (docs/storage.md).
// An entity row is its key column, its reference columns and the whole entity as a JSON document (`doc`,
// model/json.hpp); the traits below name each type's table and columns, to_doc() writes a document and
// from_doc() reads one back, a document that does not read back being errc::storage_corrupt naming the table
// and key. The ranges a stored value must lie in to be read are here too, so that both backends refuse the
// same rows with the same words.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvant/core/error.hpp"
#include "kvant/core/text.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/tariff_json.hpp"
#include "kvant/model/validation.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {
namespace detail::rows {

// How each entity type maps to its table: name, key column, reference columns.
template <class T>
struct table;
template <>
struct table<anomaly> {
    static constexpr const char* name = "anomalies";
};
template <>
struct table<entry_record> {
    static constexpr const char* name = "entry_log";
};
template <>
struct table<organization> {
    static constexpr const char* name = "organizations";
    static constexpr const char* key_column = "id";
    static constexpr std::array<const char*, 0> ref_columns{};
    static const std::string& key(const organization& o) { return o.id; }
    static std::array<std::string, 0> refs(const organization&) { return {}; }
};
template <>
struct table<abonent> {
    static constexpr const char* name = "abonents";
    static constexpr const char* key_column = "id";
    static constexpr std::array<const char*, 1> ref_columns{"organization"};
    static const std::string& key(const abonent& a) { return a.id; }
    static std::array<std::string, 1> refs(const abonent& a) { return {a.organization}; }
};
template <>
struct table<account> {
    static constexpr const char* name = "accounts";
    static constexpr const char* key_column = "number";
    static constexpr std::array<const char*, 1> ref_columns{"abonent"};
    static const std::string& key(const account& a) { return a.number; }
    static std::array<std::string, 1> refs(const account& a) { return {a.abonent}; }
};
template <>
struct table<metering_point> {
    static constexpr const char* name = "metering_points";
    static constexpr const char* key_column = "code";
    static constexpr std::array<const char*, 1> ref_columns{"account"};
    static const std::string& key(const metering_point& p) { return p.code; }
    static std::array<std::string, 1> refs(const metering_point& p) { return {p.account}; }
};
template <>
struct table<meter_model> {
    static constexpr const char* name = "meter_models";
    static constexpr const char* key_column = "id";
    static constexpr std::array<const char*, 0> ref_columns{};
    static const std::string& key(const meter_model& m) { return m.id; }
    static std::array<std::string, 0> refs(const meter_model&) { return {}; }
};
template <>
struct table<meter> {
    static constexpr const char* name = "meters";
    static constexpr const char* key_column = "serial";
    static constexpr std::array<const char*, 2> ref_columns{"model", "point"};
    static const std::string& key(const meter& m) { return m.serial; }
    static std::array<std::string, 2> refs(const meter& m) { return {m.model, m.point}; }
};

// ---- tariffs
template <>
struct table<tariff_schedule> {
    static constexpr const char* name = "tariff_schedules";
    static constexpr const char* key_column = "id";
    static constexpr std::array<const char*, 0> ref_columns{};
    static const std::string& key(const tariff_schedule& s) { return s.id; }
    static std::array<std::string, 0> refs(const tariff_schedule&) { return {}; }
};
template <>
struct table<tariff_assignment> {
    static constexpr const char* name = "tariff_assignments";
    static constexpr const char* key_column = "key";
    static constexpr std::array<const char*, 1> ref_columns{"schedule"};
    static std::string key(const tariff_assignment& a) { return key_of(a); }
    static std::array<std::string, 1> refs(const tariff_assignment& a) { return {a.schedule}; }
};
template <>
struct table<tariff_rate> {
    static constexpr const char* name = "tariff_rates";
    static constexpr const char* key_column = "key";
    static constexpr std::array<const char*, 1> ref_columns{"schedule"};
    static std::string key(const tariff_rate& r) { return key_of(r); }
    static std::array<std::string, 1> refs(const tariff_rate& r) { return {r.schedule}; }
};
template <>
struct table<normative> {
    static constexpr const char* name = "normatives";
    static constexpr const char* key_column = "key";
    static constexpr std::array<const char*, 1> ref_columns{"organization"};
    static std::string key(const normative& n) { return key_of(n); }
    static std::array<std::string, 1> refs(const normative& n) { return {n.organization}; }
};

/// The upsert of an entity row: `INSERT INTO t(key,refs…,doc) VALUES(…) ON CONFLICT(key) DO UPDATE SET
/// refs…,doc`, its placeholders made by `placeholder(i)` for i = 1.. ("?" for SQLite, "$i" for PostgreSQL).
/// Only our own table and column names go into the text.
template <class T, class Placeholder>
std::string upsert_sql(Placeholder placeholder) {
    using t = table<T>;
    int i = 1;
    std::string cols = t::key_column, vals = placeholder(i++), set;
    for (const char* c : t::ref_columns) {
        cols += std::string(",") + c;
        vals += "," + placeholder(i++);
        set += std::string(c) + "=excluded." + c + ",";
    }
    return std::string("INSERT INTO ") + t::name + "(" + cols + ",doc) VALUES(" + vals + "," +
           placeholder(i) + ") ON CONFLICT(" + t::key_column + ") DO UPDATE SET " + set + "doc=excluded.doc";
}

/// A stored text for a message: a bounded excerpt (core/text.hpp), invalid bytes escaped.
inline std::string quote(std::string_view raw) {
    return excerpt(raw);
}

/// Every string inside a parsed document made valid text (a control character escaped as \u001b in the
/// JSON comes out as U+FFFD like any other invalid byte, a text past max_text_bytes is cut), so that a
/// document an older release stored reads back.
inline void repair_strings(nlohmann::json& j) {
    if (j.is_string()) {
        auto& t = j.get_ref<std::string&>();
        if (first_invalid_byte(t) || t.size() > max_text_bytes) t = repair_text(t);
    } else if (j.is_structured()) {
        for (auto& v : j) repair_strings(v);
    }
}

/// A document to store: JSON text that is valid UTF-8 whatever the strings hold (an invalid byte becomes
/// U+FFFD instead of a json type_error that would make the write, or a later detection, fail).
template <class T>
std::string to_doc(const T& e) {
    return nlohmann::json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// Why a stored document does not read back as a T, or nothing when it does (the entity in `out`).
template <class T>
std::optional<std::string> read_doc(std::string_view doc, T& out) {
    try {
        auto j = nlohmann::json::parse(doc);
        repair_strings(j);
        out = j.get<T>();
        return std::nullopt;
    } catch (const std::exception& e) {
        std::string_view w = e.what();
        if (w.starts_with("[json.exception.")) w.remove_prefix(std::min(w.size(), w.find("] ") + 2));
        return "does not read back (" + std::string(w) + ")";
    }
}

/// The entity a stored document holds; a document that does not read back at all is errc::storage_corrupt
/// naming the table and key.
template <class T>
T from_doc(std::string_view doc, const std::string& key) {
    T out;
    if (auto p = read_doc(doc, out))
        throw storage_error(errc::storage_corrupt, std::string("stored ") + table<T>::name + " row " +
                                                       quote(key) + ": column 'doc' " + *p +
                                                       "; kvant validate lists every such row");
    return out;
}

// ---- tariffs: a row read back must hold its key and pass validation

/// Why a tariff row read back does not hold: its document's key is not the row's, or it fails validation
/// (a price edited to -5 by hand must not bill); nothing when it holds.
inline std::optional<std::string> tariff_row_problem(const tariff_schedule& s, const std::string& key) {
    if (s.id != key) return "holds id " + quote(s.id);
    if (const auto p = check(s); !p.empty()) return p.front();
    return std::nullopt;
}
template <class T>
std::optional<std::string> tariff_row_problem(const T& e, const std::string& key) {
    if (key_of(e) != key) return std::string("holds another key");
    for (const auto& i : validate(e))
        if (i.level == severity::error) return i.to_string();
    return std::nullopt;
}
/// A key of key_of() for messages: its parts joined by '/'.
inline std::string shown_key(std::string k) {
    std::replace(k.begin(), k.end(), '\x1f', '/');
    return k;
}
/// The tariff entity of a stored row (document and key as stored), or errc::storage_corrupt naming it.
template <class T>
T tariff_row(std::string_view doc, const std::string& key) {
    T out = from_doc<T>(doc, shown_key(key));
    if (auto p = tariff_row_problem(out, key))
        throw storage_error(errc::storage_corrupt, std::string("stored ") + table<T>::name + " row " +
                                                       quote(shown_key(key)) + ": column 'doc' " + *p +
                                                       "; kvant validate lists every such row");
    return out;
}

// ---- the ranges a stored value must lie in to be read; reads and check() share them

/// Register values: integers in millionths within the decimal text range (12 integer digits), or NULL.
inline constexpr std::int64_t max_register_raw = 999'999'999'999'999'999;
/// Times of readings and events: the plausible range of every write (model/validation.hpp, 1970..2099), so
/// that one row written by hand or by an older release cannot stretch a report over millennia; a row outside
/// is storage_corrupt naming it. Anomalies' begins and the change log's times: what ISO 8601 text can say
/// (years 1..9999).
inline constexpr std::int64_t min_unix = plausible_first_unix;
inline constexpr std::int64_t max_unix = plausible_end_unix - 1;
inline constexpr std::int64_t min_iso_unix = -62'135'596'800;
inline constexpr std::int64_t max_iso_unix = 253'402'300'799;
/// Reading sources: 0..3.
inline constexpr std::int64_t max_source = static_cast<std::int64_t>(reading_source_text.names.size()) - 1;

/// Why an integer read from column storage is not in [lo, hi], or nothing when it is.
inline std::optional<std::string> range_problem(std::int64_t v, std::int64_t lo, std::int64_t hi,
                                                const char* meaning) {
    if (v >= lo && v <= hi) return std::nullopt;
    return "holds " + std::to_string(v) + ", outside " + std::to_string(lo) + ".." + std::to_string(hi) +
           " (" + meaning + ")";
}

}  // namespace detail::rows
}  // namespace v0
}  // namespace kvant
