#include <algorithm>
#include <ostream>

#include "csv_columns.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/model/json.hpp"

namespace kvant {
inline namespace v0 {

namespace {

/// A field as RFC 4180 wants it: quoted when it holds the delimiter, a quote or a line break.
void write_field(std::ostream& out, std::string_view v) {
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
        out << v;
        return;
    }
    out << '"';
    for (char c : v) {
        if (c == '"') out << '"';
        out << c;
    }
    out << '"';
}

void write_header(std::ostream& out, const std::vector<std::string_view>& cols) {
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (i) out << ',';
        out << cols[i];
    }
    out << '\n';
}

/// What export cannot write faithfully is an error naming the table, the row's key and the field: never a
/// dropped row or a dropped value.
[[noreturn]] void cannot_export(table_kind kind, const std::string& key, const std::string& field,
                                const std::string& why) {
    throw storage_error(errc::storage_schema, "export of " + std::string(to_string(kind)) + ": row " +
                                                  excerpt(key) + ": field '" + field + "': " + why);
}

/// An entity's JSON object written in the kind's column order (absent keys as empty cells). Every key of the
/// object must have a column, and every text must be valid text (core/text.hpp), else the export fails.
void write_object(std::ostream& out, const nlohmann::json& j, const std::vector<std::string_view>& cols,
                  table_kind kind, const std::string& row_key) {
    for (const auto& [k, v] : j.items()) {
        const std::string col = k == "time" ? "timestamp" : k;
        if (std::find(cols.begin(), cols.end(), col) == cols.end())
            cannot_export(kind, row_key, k, "the CSV format has no column for it");
        if (v.is_string())
            if (auto p = check_text(v.get_ref<const std::string&>()))
                cannot_export(kind, row_key, col,
                              "byte " + std::to_string(p->offset) + ": " + p->reason +
                                  " (the stored value would not import again)");
    }
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (i) out << ',';
        const std::string key = cols[i] == "timestamp" ? "time" : std::string(cols[i]);
        const auto it = j.find(key);
        if (it == j.end()) continue;
        if (it->is_string())
            write_field(out, it->get_ref<const std::string&>());
        else
            out << it->dump();
    }
    out << '\n';
}

template <class T>
void export_entities(const store& s, std::ostream& out, const std::vector<std::string_view>& cols,
                     table_kind kind) {
    write_header(out, cols);
    for (const auto& e : s.all<T>()) write_object(out, nlohmann::json(e), cols, kind, detail::key_of(e));
}

void export_readings(const store& s, std::ostream& out) {
    out << "meter,timestamp,channel,value,source,accepted\n";
    std::size_t written = 0;
    series_chunk c;
    for (auto cur = s.scan({}); cur->next(c);) {
        written += c.size();
        const std::string name = to_string(c.ch);
        for (std::size_t i = 0; i < c.size(); ++i) {
            write_field(out, c.meter);
            out << ',' << to_string(from_unix(c.time[i])) << ',' << name << ','
                << to_string(decimal::from_raw(c.value[i])) << ','
                << to_string(c.source.empty() ? reading_source::automatic
                                              : static_cast<reading_source>(c.source[i]))
                << ',';
            if (!c.accepted.empty() && c.accepted[i] != reading_table::missing_time)
                out << to_string(from_unix(c.accepted[i]));
            out << '\n';
        }
    }
    // every stored reading belongs to a meter (the schema's foreign key); a database where some do not is
    // refused rather than exported short
    if (const std::size_t stored = s.reading_count(); stored > written)
        throw storage_error(errc::storage_schema, "export of readings: " + std::to_string(stored - written) +
                                                      " of " + std::to_string(stored) +
                                                      " stored readings belong to no meter and cannot be "
                                                      "exported");
}

}  // namespace

void export_csv(const store& s, table_kind kind, std::ostream& out) {
    const auto& cols = detail::columns_of(kind).all;
    switch (kind) {
        case table_kind::organizations:
            export_entities<organization>(s, out, cols, kind);
            break;
        case table_kind::abonents:
            export_entities<abonent>(s, out, cols, kind);
            break;
        case table_kind::accounts:
            export_entities<account>(s, out, cols, kind);
            break;
        case table_kind::metering_points:
            export_entities<metering_point>(s, out, cols, kind);
            break;
        case table_kind::meter_models:
            export_entities<meter_model>(s, out, cols, kind);
            break;
        case table_kind::meters:
            export_entities<meter>(s, out, cols, kind);
            break;
        case table_kind::readings:
            export_readings(s, out);
            break;
        case table_kind::events: {
            write_header(out, cols);
            const instant from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
            const instant to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
            for (const auto& e : s.events({}, from, to))
                write_object(out, nlohmann::json(e), cols, kind, e.meter + " at " + to_string(e.time));
            break;
        }
    }
}

}  // namespace v0
}  // namespace kvant
