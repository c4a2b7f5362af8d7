#include <algorithm>
#include <array>
#include <ostream>
#include <unordered_map>

#include "csv_columns.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/tariff_json.hpp"

namespace kvant {
inline namespace v0 {

namespace {

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
            write_csv_field(out, it->get_ref<const std::string&>());
        else
            out << it->dump();
    }
    out << '\n';
}

template <class T>
void export_entities(const store& s, std::ostream& out, const std::vector<std::string_view>& cols,
                     table_kind kind) {
    write_header(out, cols);
    for (const auto& e : s.all<T>()) write_object(out, nlohmann::json(e), cols, kind, std::string(key_of(e)));
}

/// Every stored reading belongs to a meter (the schema's foreign key); a database where some do not is
/// refused rather than exported short.
void check_all_written(const store& s, std::size_t written) {
    if (const std::size_t stored = s.reading_count(); stored > written)
        throw storage_error(errc::storage_schema, "export of readings: " + std::to_string(stored - written) +
                                                      " of " + std::to_string(stored) +
                                                      " stored readings belong to no meter and cannot be "
                                                      "exported");
}

void write_provenance(std::ostream& out, reading_source source, std::int64_t accepted) {
    out << to_string(source) << ',';
    if (accepted != reading_table::missing_time) out << to_string(from_unix(accepted));
    out << '\n';
}

void export_readings_long(const store& s, std::ostream& out) {
    out << "meter,timestamp,channel,value,source,accepted\n";
    std::size_t written = 0;
    series_chunk c;
    for (auto cur = s.scan({}); cur->next(c);) {
        written += c.size();
        const std::string name = to_string(c.ch);
        for (std::size_t i = 0; i < c.size(); ++i) {
            write_csv_field(out, c.meter);
            out << ',' << to_string(from_unix(c.time[i])) << ',' << name << ','
                << to_string(decimal::from_raw(c.value[i])) << ',';
            write_provenance(
                out, c.source.empty() ? reading_source::automatic : static_cast<reading_source>(c.source[i]),
                c.accepted.empty() ? reading_table::missing_time : c.accepted[i]);
        }
    }
    check_all_written(s, written);
}

/// One value of a meter's main quantity, held while that meter's registers are joined by time.
struct wide_value {
    std::int64_t time;
    std::int64_t value;
    std::int64_t accepted;
    std::uint8_t tariff;
    std::uint8_t source;
};

void export_readings_wide(const store& s, std::ostream& out) {
    out << "meter,timestamp,total,t1,t2,t3,t4,source,accepted\n";
    std::unordered_map<std::string, resource> resource_of;
    for (const auto& m : s.all<meter>()) resource_of.emplace(m.serial, m.measures);
    std::size_t written = 0;
    std::string current;
    std::vector<wide_value> held;
    const auto flush = [&] {
        std::sort(held.begin(), held.end(), [](const wide_value& a, const wide_value& b) {
            return a.time != b.time ? a.time < b.time : a.tariff < b.tariff;
        });
        for (std::size_t i = 0; i < held.size();) {
            std::size_t j = i;
            std::array<std::int64_t, 5> v;
            v.fill(decimal::missing_raw);
            for (; j < held.size() && held[j].time == held[i].time; ++j) {
                if (held[j].source != held[i].source || held[j].accepted != held[i].accepted)
                    throw storage_error(errc::storage_schema,
                                        "export of readings (wide layout): meter " + excerpt(current) +
                                            " at " + to_string(from_unix(held[i].time)) +
                                            ": registers differ in source or acceptance time, which one row "
                                            "cannot hold; export the long layout");
                v[held[j].tariff] = held[j].value;
            }
            write_csv_field(out, current);
            out << ',' << to_string(from_unix(held[i].time));
            for (const auto x : v) {
                out << ',';
                if (x != decimal::missing_raw) out << to_string(decimal::from_raw(x));
            }
            out << ',';
            write_provenance(out, static_cast<reading_source>(held[i].source), held[i].accepted);
            i = j;
        }
        held.clear();
    };
    series_chunk c;
    for (auto cur = s.scan({}); cur->next(c);) {
        if (c.meter != current) {
            flush();
            current = c.meter;
        }
        const auto r = resource_of.find(c.meter);
        if (r == resource_of.end()) continue;  // counted short below
        const channel main = channel::main(r->second);
        if (c.ch.with_tariff(register_id::total) != main || c.ch.tariff > register_id::t4)
            throw storage_error(errc::storage_schema,
                                "export of readings (wide layout): meter " + excerpt(c.meter) +
                                    " has channel " + to_string(c.ch) +
                                    ", which the wide layout (total..t4 of " + to_string(main) +
                                    ") cannot hold; export the long layout");
        written += c.size();
        for (std::size_t i = 0; i < c.size(); ++i)
            held.push_back(
                {c.time[i], c.value[i], c.accepted.empty() ? reading_table::missing_time : c.accepted[i],
                 static_cast<std::uint8_t>(c.ch.tariff), c.source.empty() ? std::uint8_t{0} : c.source[i]});
    }
    flush();
    check_all_written(s, written);
}

}  // namespace

void export_csv(const store& s, table_kind kind, std::ostream& out, const export_options& options) {
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
            if (options.layout == csv_layout::wide_format)
                export_readings_wide(s, out);
            else
                export_readings_long(s, out);
            break;
        case table_kind::events: {
            write_header(out, cols);
            const instant from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
            const instant to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
            for (const auto& e : s.events({}, from, to))
                write_object(out, nlohmann::json(e), cols, kind, e.meter + " at " + to_string(e.time));
            break;
        }
        // ---- meter state
        case table_kind::relay_changes: {
            write_header(out, cols);
            const instant from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
            const instant to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
            for (const auto& r : s.relay_history({}, from, to))
                write_object(out, nlohmann::json(r), cols, kind, r.meter + " at " + to_string(r.time));
            break;
        }
        case table_kind::sessions: {
            write_header(out, cols);
            const instant from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
            const instant to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
            for (const auto& c : s.sessions({}, from, to))
                write_object(out, nlohmann::json(c), cols, kind, c.meter + " at " + to_string(c.start));
            break;
        }
        // ---- tariffs
        case table_kind::tariff_schedules:  // JSON: an array of schedules, as an import reads it
            out << nlohmann::json(s.all<tariff_schedule>())
                       .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                << '\n';
            break;
        case table_kind::tariff_assignments:
            export_entities<tariff_assignment>(s, out, cols, kind);
            break;
        case table_kind::tariff_rates:
            export_entities<tariff_rate>(s, out, cols, kind);
            break;
        case table_kind::normatives:
            export_entities<normative>(s, out, cols, kind);
            break;
    }
}

void write_csv_field(std::ostream& out, std::string_view v) {
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

}  // namespace v0
}  // namespace kvant
