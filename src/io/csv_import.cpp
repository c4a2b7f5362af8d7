#include <fstream>
#include <map>
#include <sstream>

#include "csv_columns.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/model/json.hpp"

namespace kvant {
inline namespace v0 {

import_report& import_report::operator+=(const import_report& o) {
    rows += o.rows;
    stats += o.stats;
    warning_count += o.warning_count;
    warnings.insert(warnings.end(), o.warnings.begin(), o.warnings.end());
    return *this;
}

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw storage_error(errc::storage_io, "cannot read " + file.string());
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    std::string text;
    if (!ec) {  // a regular file: one read of known size
        text.resize(static_cast<std::size_t>(size));
        in.read(text.data(), static_cast<std::streamsize>(size));
        text.resize(static_cast<std::size_t>(in.gcount()));
    } else {  // a pipe or device: read to the end
        std::ostringstream ss;
        ss << in.rdbuf();
        text = std::move(ss).str();
    }
    if (in.bad()) throw storage_error(errc::storage_io, "error while reading " + file.string());
    return text;
}

namespace {

using nlohmann::json;

void note(import_report& rep, const import_options& o, location where, issue what) {
    ++rep.warning_count;
    if (rep.warnings.size() < o.max_warnings) rep.warnings.push_back({std::move(where), std::move(what)});
}

/// Refuses error-level issues (naming the first one's field) and records warnings.
void judge(const issues& found, const csv_reader& rd, import_report& rep, const import_options& o) {
    std::string errors;
    std::string first_field;
    for (const auto& i : found) {
        if (i.level == severity::error) {
            if (first_field.empty()) first_field = i.field;
            errors += (errors.empty() ? "" : "; ") + i.entity + " " + i.key + ": " +
                      (i.field.empty() ? "" : "field " + excerpt(i.field) + ": ") + i.message;
        } else {
            note(rep, o, rd.where(i.field), i);
        }
    }
    if (!errors.empty()) throw validation_error(errc::validation, errors, rd.where(first_field));
}

void check_width(const std::vector<std::string_view>& f, const csv_header& h, const csv_reader& rd) {
    if (f.size() != h.size())
        throw parse_error(errc::csv_syntax,
                          "expected " + std::to_string(h.size()) + " fields as in the header, found " +
                              std::to_string(f.size()),
                          rd.where());
}

/// The row as a JSON object of its non-empty cells (CSV columns are JSON keys; events say "timestamp" for
/// "time").
json row_object(const std::vector<std::string_view>& f, const csv_header& h) {
    json j = json::object();
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i].empty()) continue;
        const std::string& name = h.names()[i];
        j[name == "timestamp" ? "time" : name] = std::string(f[i]);
    }
    return j;
}

template <class T>
T entity_from_row(const json& j, const csv_reader& rd) {
    try {
        return j.get<T>();
    } catch (const parse_error& e) {
        std::string field = e.where().field == "time" ? "timestamp" : e.where().field;
        // the reason without the "entity: " part, which the file and line make redundant
        std::string_view m = e.reason();
        if (const auto p = m.find(": "); p != std::string_view::npos) m.remove_prefix(p + 2);
        throw parse_error(e.code(), std::string(m), rd.where(std::move(field)));
    }
}

issues validate_in(const store&, const organization& e) {
    return validate(e);
}
issues validate_in(const store&, const abonent& e) {
    return validate(e);
}
issues validate_in(const store&, const account& e) {
    return validate(e);
}
issues validate_in(const store&, const metering_point& e) {
    return validate(e);
}
issues validate_in(const store&, const meter_model& e) {
    return validate(e);
}
issues validate_in(const store& s, const meter& e) {
    const auto model = e.model.empty() ? std::nullopt : s.find<meter_model>(e.model);
    return validate(e, model ? &*model : nullptr);
}

/// Fills in what a CSV row may leave out and the entity can take from the store.
template <class T>
void complete(const store&, T&, const json&) {}
template <>
void complete(const store& s, meter& m, const json& j) {
    if (!j.contains("resource") && !m.model.empty())
        if (const auto model = s.find<meter_model>(m.model)) m.measures = model->measures;
}

template <class T>
std::string key_of(const T& e) {
    if constexpr (std::is_same_v<T, account>)
        return e.number;
    else if constexpr (std::is_same_v<T, metering_point>)
        return e.code;
    else if constexpr (std::is_same_v<T, meter>)
        return e.serial;
    else
        return e.id;
}

template <class T>
import_report import_entities(store& s, csv_reader& rd, const csv_header& h, const import_options& o) {
    import_report rep;
    std::vector<std::string_view> f;
    while (rd.next(f)) {
        ++rep.rows;
        check_width(f, h, rd);
        const json j = row_object(f, h);
        T e = entity_from_row<T>(j, rd);
        complete(s, e, j);
        judge(validate_in(s, e), rd, rep, o);
        const auto before = s.find<T>(key_of(e));
        try {
            s.put(e);
        } catch (const validation_error& ve) {
            throw validation_error(ve.code(), ve.reason(), rd.where(ve.where().field));
        }
        if (!before)
            ++rep.stats.inserted;
        else if (*before == e)
            ++rep.stats.unchanged;
        else
            ++rep.stats.replaced;
    }
    return rep;
}

import_report import_events(store& s, csv_reader& rd, const csv_header& h, const import_options& o) {
    import_report rep;
    std::vector<std::string_view> f;
    while (rd.next(f)) {
        ++rep.rows;
        check_width(f, h, rd);
        json j = row_object(f, h);
        // timestamps without an offset follow the import's default, as for readings
        if (j.contains("time")) {
            instant t;
            const std::string ts = j["time"].get<std::string>();
            const auto st = try_parse_instant(ts, t, o.default_offset_minutes);
            if (st != time_status::ok)
                throw parse_error(errc::invalid_timestamp, excerpt(ts) + ": " + std::string(describe(st)),
                                  rd.where("timestamp"));
            j["time"] = to_string(t);
        }
        const auto e = entity_from_row<meter_event>(j, rd);
        judge(validate(e), rd, rep, o);
        try {
            rep.stats += s.put_events(std::span<const meter_event>(&e, 1), o.conflict);
        } catch (const validation_error& ve) {
            throw validation_error(ve.code(), ve.reason(), rd.where(ve.where().field));
        } catch (const storage_error& se) {
            throw storage_error(se.code(), rd.where().to_string() + ": " + std::string(se.message()));
        }
    }
    return rep;
}

import_report import_readings(store& s, std::string_view text, const std::string& source,
                              const import_options& o) {
    import_report rep;
    std::vector<std::uint64_t> lines;
    const reading_table batch = parse_readings_csv(text, source, o, &lines);
    rep.rows = batch.size();
    // look every meter up once
    std::vector<std::optional<meter>> found;
    std::vector<const meter*> meter_of_slot;
    std::vector<int> tariffs;
    std::map<std::string, std::optional<meter_model>, std::less<>> models;
    found.reserve(batch.meters().size());
    for (const auto& serial : batch.meters()) {
        found.push_back(s.find<meter>(serial));
        const meter_model* model = nullptr;
        if (found.back() && !found.back()->model.empty()) {
            auto it = models.find(found.back()->model);
            if (it == models.end())
                it = models.emplace(found.back()->model, s.find<meter_model>(found.back()->model)).first;
            model = it->second ? &*it->second : nullptr;
        }
        tariffs.push_back(found.back() ? effective_tariff_registers(*found.back(), model) : 1);
    }
    for (const auto& m : found) meter_of_slot.push_back(m ? &*m : nullptr);
    for (auto& ri : validate(batch, meter_of_slot, tariffs, std::numeric_limits<std::size_t>::max())) {
        location where{source, lines[ri.row], ri.what.field, -1};
        if (ri.what.level == severity::error) {
            const errc code = ri.what.field == "meter" ? errc::unknown_reference : errc::validation;
            throw validation_error(code, ri.what.message, where);
        }
        note(rep, o, std::move(where), std::move(ri.what));
    }
    try {
        rep.stats = s.put_readings(batch, o.conflict);
    } catch (const reading_conflict& c) {
        throw storage_error(errc::storage_conflict, location{source, lines[c.row()], "", -1}.to_string() +
                                                        ": " + std::string(c.message()));
    }
    return rep;
}

}  // namespace

reading_table parse_readings_csv(std::string_view text, const std::string& source, const import_options& o,
                                 std::vector<std::uint64_t>* lines) {
    csv_reader rd(text, source, o.delimiter);
    std::vector<std::string_view> f;
    if (!rd.next(f))
        throw parse_error(errc::csv_header, "empty file: expected a header row", location{source, 1, "", -1});
    const auto& cols = detail::columns_of(table_kind::readings);
    const csv_header h(f, rd.where(), cols.all, cols.required);
    const int c_meter = h.index("meter"), c_time = h.index("timestamp"), c_source = h.index("source"),
              c_accepted = h.index("accepted");
    if (h.index("value") >= 0 && h.index("total") >= 0)
        throw parse_error(errc::csv_header, "both 'value' and 'total' name the total register; keep one",
                          rd.where("value"));
    std::array<int, register_count> c_reg{h.index("value") >= 0 ? h.index("value") : h.index("total"),
                                          h.index("t1"), h.index("t2"), h.index("t3"), h.index("t4")};
    bool any_register = false;
    for (int c : c_reg) any_register = any_register || c >= 0;
    if (!any_register)
        throw parse_error(errc::csv_header, "no register column (value, total or t1..t4)", rd.where());

    reading_table out;
    out.reserve(text.size() / 40);
    if (lines) lines->reserve(text.size() / 40);
    std::array<std::int64_t, register_count> v;
    while (rd.next(f)) {
        check_width(f, h, rd);
        const std::string_view serial = f[static_cast<std::size_t>(c_meter)];
        if (serial.empty()) throw parse_error(errc::missing_field, "meter is empty", rd.where("meter"));
        instant t;
        const auto ts = f[static_cast<std::size_t>(c_time)];
        if (const auto st = try_parse_instant(ts, t, o.default_offset_minutes); st != time_status::ok)
            throw parse_error(errc::invalid_timestamp,
                              excerpt(std::string(ts)) + ": " + std::string(describe(st)),
                              rd.where("timestamp"));
        for (std::size_t r = 0; r < register_count; ++r) {
            v[r] = decimal::missing_raw;
            if (c_reg[r] < 0) continue;
            const auto cell = f[static_cast<std::size_t>(c_reg[r])];
            if (cell.empty()) continue;
            decimal d;
            if (const auto st = decimal::try_parse(cell, d); st != decimal_status::ok)
                throw parse_error(errc::invalid_number,
                                  excerpt(std::string(cell)) + ": " + std::string(describe(st)),
                                  rd.where(h.names()[static_cast<std::size_t>(c_reg[r])]));
            v[r] = d.raw();
        }
        reading_source src = reading_source::automatic;
        if (c_source >= 0 && !f[static_cast<std::size_t>(c_source)].empty())
            src = reading_source_text.parse(f[static_cast<std::size_t>(c_source)], rd.where("source"));
        std::int64_t acc = reading_table::missing_time;
        if (c_accepted >= 0 && !f[static_cast<std::size_t>(c_accepted)].empty())
            acc = to_unix(parse_instant(f[static_cast<std::size_t>(c_accepted)], rd.where("accepted"),
                                        o.default_offset_minutes));
        out.push(out.meter_slot(serial), to_unix(t), v, src, acc);
        if (lines) lines->push_back(rd.line());
    }
    return out;
}

std::vector<meter> parse_meters_csv(std::string_view text, const std::string& source,
                                    const import_options& o) {
    csv_reader rd(text, source, o.delimiter);
    std::vector<std::string_view> f;
    if (!rd.next(f))
        throw parse_error(errc::csv_header, "empty file: expected a header row", location{source, 1, "", -1});
    const auto& cols = detail::columns_of(table_kind::meters);
    const csv_header h(f, rd.where(), cols.all, cols.required);
    std::vector<meter> out;
    import_report ignored;
    while (rd.next(f)) {
        check_width(f, h, rd);
        out.push_back(entity_from_row<meter>(row_object(f, h), rd));
        judge(validate(out.back()), rd, ignored, o);
    }
    return out;
}

import_report import_csv(store& s, table_kind kind, std::string_view text, const std::string& source,
                         const import_options& o) {
    transaction tx(s);
    import_report rep;
    if (kind == table_kind::readings) {
        rep = import_readings(s, text, source, o);
    } else {
        csv_reader rd(text, source, o.delimiter);
        std::vector<std::string_view> f;
        if (!rd.next(f))
            throw parse_error(errc::csv_header, "empty file: expected a header row",
                              location{source, 1, "", -1});
        const auto& cols = detail::columns_of(kind);
        const csv_header h(f, rd.where(), cols.all, cols.required);
        switch (kind) {
            case table_kind::organizations:
                rep = import_entities<organization>(s, rd, h, o);
                break;
            case table_kind::abonents:
                rep = import_entities<abonent>(s, rd, h, o);
                break;
            case table_kind::accounts:
                rep = import_entities<account>(s, rd, h, o);
                break;
            case table_kind::metering_points:
                rep = import_entities<metering_point>(s, rd, h, o);
                break;
            case table_kind::meter_models:
                rep = import_entities<meter_model>(s, rd, h, o);
                break;
            case table_kind::meters:
                rep = import_entities<meter>(s, rd, h, o);
                break;
            case table_kind::events:
                rep = import_events(s, rd, h, o);
                break;
            case table_kind::readings:
                break;
        }
    }
    tx.commit();
    return rep;
}

import_report import_csv_file(store& s, table_kind kind, const std::filesystem::path& file,
                              const import_options& o) {
    const std::string text = read_file(file);
    return import_csv(s, kind, text, file.string(), o);
}

import_report import_csv_files(store& s, std::vector<std::pair<table_kind, std::filesystem::path>> files,
                               const import_options& o) {
    std::stable_sort(files.begin(), files.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    transaction tx(s);
    import_report rep;
    for (const auto& [kind, file] : files) rep += import_csv_file(s, kind, file, o);
    tx.commit();
    return rep;
}

}  // namespace v0
}  // namespace kvant
