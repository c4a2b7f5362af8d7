#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "csv_columns.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/validation.hpp"
#include "readings_parser.hpp"

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

using detail::conflicting_repeat;
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

template <class T>
constexpr const char* entity_name() {
    if constexpr (std::is_same_v<T, organization>)
        return "organization";
    else if constexpr (std::is_same_v<T, abonent>)
        return "abonent";
    else if constexpr (std::is_same_v<T, account>)
        return "account";
    else if constexpr (std::is_same_v<T, metering_point>)
        return "metering point";
    else if constexpr (std::is_same_v<T, meter_model>)
        return "meter model";
    else
        return "meter";
}

/// The first key of two JSON objects whose values differ ("" when none does).
std::string first_difference(const json& a, const json& b) {
    for (const auto& [k, v] : a.items())
        if (!b.contains(k) || b[k] != v) return k == "time" ? "timestamp" : k;
    for (const auto& [k, v] : b.items())
        if (!a.contains(k)) return k == "time" ? "timestamp" : k;
    return {};
}

/// Entities of one type parsed by an import, not yet written, by key.
template <class T>
struct pending {
    std::vector<T> items;
    std::vector<location> where;
    std::unordered_map<std::string, std::size_t> index;
};

/// Everything one import will write, parsed and checked before the store's write lock is taken. Lookups
/// (a meter's model, a reading's meter) see what the import itself brings first, then the store.
class plan {
  public:
    explicit plan(const store& s) : s_(s) {}

    template <class T>
    std::optional<T> find(const std::string& key) const {
        const auto& p = std::get<pending<T>>(entities_);
        if (const auto it = p.index.find(key); it != p.index.end()) return p.items[it->second];
        return s_.find<T>(key);
    }
    bool has_meter(const std::string& serial) const {
        if (std::get<pending<meter>>(entities_).index.count(serial) || known_meters_.count(serial))
            return true;
        if (!s_.find<meter>(serial)) return false;
        known_meters_.insert(serial);
        return true;
    }

    template <class T>
    void add(T e, location where) {
        auto& p = std::get<pending<T>>(entities_);
        std::string key = detail::key_of(e);
        if (const auto it = p.index.find(key); it != p.index.end()) {
            const T& prev = p.items[it->second];
            if (prev == e) {
                ++report.stats.unchanged;
                return;
            }
            conflicting_repeat(std::string(entity_name<T>()) + " " + excerpt(key), p.where[it->second],
                               std::move(where), first_difference(json(prev), json(e)));
        }
        p.index.emplace(std::move(key), p.items.size());
        p.items.push_back(std::move(e));
        p.where.push_back(std::move(where));
    }

    void add_event(meter_event e, location where) {
        auto key = std::make_tuple(e.meter, to_unix(e.time), e.code);
        if (const auto it = event_index_.find(key); it != event_index_.end()) {
            const meter_event& prev = events_[it->second];
            if (prev == e) {
                ++report.stats.unchanged;
                return;
            }
            conflicting_repeat("event " + std::to_string(e.code) + " of meter " + excerpt(e.meter) + " at " +
                                   to_string(e.time),
                               event_where_[it->second], std::move(where),
                               first_difference(json(prev), json(e)));
        }
        event_index_.emplace(std::move(key), events_.size());
        events_.push_back(std::move(e));
        event_where_.push_back(std::move(where));
    }

    void add_readings(reading_table batch, detail::row_lines lines, std::string source) {
        readings_.push_back({std::move(batch), std::move(lines), std::move(source)});
    }

    /// Writes everything, in reference order, into `s` (the caller holds the transaction).
    void write(store& s, on_conflict policy) {
        write_all<organization>(s);
        write_all<abonent>(s);
        write_all<account>(s);
        write_all<metering_point>(s);
        write_all<meter_model>(s);
        write_all<meter>(s);
        for (const auto& r : readings_) {
            try {
                report.stats += s.put_readings(r.batch, policy);
            } catch (const reading_conflict& c) {
                throw storage_error(errc::storage_conflict,
                                    location{r.source, r.lines[c.row()], "", -1}.to_string() + ": " +
                                        std::string(c.message()));
            } catch (const validation_error& ve) {
                throw validation_error(ve.code(), ve.reason(), location{r.source, 0, ve.where().field, -1});
            }
        }
        for (std::size_t i = 0; i < events_.size(); ++i) {
            try {
                report.stats += s.put_events(std::span<const meter_event>(&events_[i], 1), policy);
            } catch (const validation_error& ve) {
                location at = event_where_[i];
                at.field = ve.where().field;
                throw validation_error(ve.code(), ve.reason(), std::move(at));
            } catch (const storage_error& se) {
                throw storage_error(se.code(),
                                    event_where_[i].to_string() + ": " + std::string(se.message()));
            }
        }
    }

    import_report report;

  private:
    template <class T>
    void write_all(store& s) {
        auto& p = std::get<pending<T>>(entities_);
        for (std::size_t i = 0; i < p.items.size(); ++i) {
            const T& e = p.items[i];
            const auto before = s.find<T>(detail::key_of(e));
            try {
                s.put(e);
            } catch (const validation_error& ve) {
                location at = p.where[i];
                at.field = ve.where().field;
                throw validation_error(ve.code(), ve.reason(), std::move(at));
            }
            if (!before)
                ++report.stats.inserted;
            else if (*before == e)
                ++report.stats.unchanged;
            else
                ++report.stats.replaced;
        }
    }

    struct readings_file {
        reading_table batch;
        detail::row_lines lines;
        std::string source;
    };
    const store& s_;
    mutable std::unordered_set<std::string> known_meters_;
    std::tuple<pending<organization>, pending<abonent>, pending<account>, pending<metering_point>,
               pending<meter_model>, pending<meter>>
        entities_;
    std::vector<readings_file> readings_;
    std::vector<meter_event> events_;
    std::vector<location> event_where_;
    std::map<std::tuple<std::string, std::int64_t, int>, std::size_t> event_index_;
};

template <class T>
issues validate_in(const plan&, const T& e) {
    return validate(e);
}
issues validate_in(const plan& p, const meter& e) {
    const auto model = e.model.empty() ? std::nullopt : p.find<meter_model>(e.model);
    return validate(e, model ? &*model : nullptr);
}

/// Fills in what a CSV row may leave out and the entity can take from the store.
template <class T>
void complete(const plan&, T&, const json&) {}
template <>
void complete(const plan& p, meter& m, const json& j) {
    if (!j.contains("resource") && !m.model.empty())
        if (const auto model = p.find<meter_model>(m.model)) m.measures = model->measures;
}

template <class T>
void parse_entities(plan& p, csv_reader& rd, const csv_header& h, const import_options& o) {
    std::vector<std::string_view> f;
    while (rd.next(f)) {
        ++p.report.rows;
        check_width(f, h, rd);
        const json j = row_object(f, h);
        T e = entity_from_row<T>(j, rd);
        complete(p, e, j);
        judge(validate_in(p, e), rd, p.report, o);
        p.add(std::move(e), rd.where());
    }
}

void parse_events(plan& p, csv_reader& rd, const csv_header& h, const import_options& o) {
    std::vector<std::string_view> f;
    while (rd.next(f)) {
        ++p.report.rows;
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
        auto e = entity_from_row<meter_event>(j, rd);
        judge(validate(e), rd, p.report, o);
        if (!p.has_meter(e.meter))
            throw validation_error(errc::unknown_reference, "unknown meter " + excerpt(e.meter),
                                   rd.where("meter"));
        p.add_event(std::move(e), rd.where());
    }
}

void parse_readings(plan& p, detail::parsed_readings parsed, const std::string& source,
                    const import_options& o) {
    reading_table& batch = parsed.table;
    const detail::row_lines& lines = parsed.lines;
    const bool wide = parsed.wide;
    p.report.rows += batch.size();
    // look every meter up once
    std::vector<std::optional<meter>> found;
    std::vector<const meter*> meter_of_slot;
    std::vector<int> tariffs;
    std::map<std::string, std::optional<meter_model>, std::less<>> models;
    found.reserve(batch.meters().size());
    for (const auto& serial : batch.meters()) {
        found.push_back(p.find<meter>(serial));
        const meter_model* model = nullptr;
        if (found.back() && !found.back()->model.empty()) {
            auto it = models.find(found.back()->model);
            if (it == models.end())
                it = models.emplace(found.back()->model, p.find<meter_model>(found.back()->model)).first;
            model = it->second ? &*it->second : nullptr;
        }
        tariffs.push_back(found.back() ? effective_tariff_registers(*found.back(), model) : 1);
    }
    for (const auto& m : found) meter_of_slot.push_back(m ? &*m : nullptr);
    if (wide) {  // the wide columns are the main quantity of each meter's resource
        std::vector<resource> res;
        for (const auto& m : found) res.push_back(m ? m->measures : resource::electricity);
        batch.map_main(res);
    }
    for (auto& ri : validate(batch, meter_of_slot, tariffs, std::numeric_limits<std::size_t>::max())) {
        location where{source, lines[ri.row], ri.what.field, -1};
        if (ri.what.level == severity::error) {
            const errc code = ri.what.field == "meter" ? errc::unknown_reference : errc::validation;
            throw validation_error(code, ri.what.message, where);
        }
        note(p.report, o, std::move(where), std::move(ri.what));
    }
    p.add_readings(std::move(batch), std::move(parsed.lines), source);
}

/// Parses one text into the plan (no write).
void parse_into(plan& p, table_kind kind, std::string_view text, const std::string& source,
                const import_options& o) {
    if (kind == table_kind::readings)
        return parse_readings(p, detail::parse_readings_text(text, source, o), source, o);
    csv_reader rd(text, source, o.delimiter);
    std::vector<std::string_view> f;
    if (!rd.next(f))
        throw parse_error(errc::csv_header, "empty file: expected a header row", location{source, 1, "", -1});
    const auto& cols = detail::columns_of(kind);
    const csv_header h(f, rd.where(), cols.all, cols.required);
    rd.name_columns(h.names());
    switch (kind) {
        case table_kind::organizations:
            return parse_entities<organization>(p, rd, h, o);
        case table_kind::abonents:
            return parse_entities<abonent>(p, rd, h, o);
        case table_kind::accounts:
            return parse_entities<account>(p, rd, h, o);
        case table_kind::metering_points:
            return parse_entities<metering_point>(p, rd, h, o);
        case table_kind::meter_models:
            return parse_entities<meter_model>(p, rd, h, o);
        case table_kind::meters:
            return parse_entities<meter>(p, rd, h, o);
        case table_kind::events:
            return parse_events(p, rd, h, o);
        case table_kind::readings:
            return;
    }
}

/// The write phase: one transaction, taken only now that everything is parsed and checked.
import_report write_plan(store& s, plan& p, const import_options& o) {
    transaction tx(s);
    p.write(s, o.conflict);
    tx.commit();
    return std::move(p.report);
}

}  // namespace

std::vector<meter> parse_meters_csv(std::string_view text, const std::string& source,
                                    const import_options& o) {
    csv_reader rd(text, source, o.delimiter);
    std::vector<std::string_view> f;
    if (!rd.next(f))
        throw parse_error(errc::csv_header, "empty file: expected a header row", location{source, 1, "", -1});
    const auto& cols = detail::columns_of(table_kind::meters);
    const csv_header h(f, rd.where(), cols.all, cols.required);
    rd.name_columns(h.names());
    std::vector<meter> out;
    std::vector<location> where;
    std::unordered_map<std::string, std::size_t> index;
    import_report ignored;
    while (rd.next(f)) {
        check_width(f, h, rd);
        meter m = entity_from_row<meter>(row_object(f, h), rd);
        judge(validate(m), rd, ignored, o);
        // the one conflict rule, as an import applies it
        if (const auto it = index.find(m.serial); it != index.end()) {
            if (out[it->second] == m) continue;
            conflicting_repeat("meter " + excerpt(m.serial), where[it->second], rd.where(),
                               first_difference(json(out[it->second]), json(m)));
        }
        index.emplace(m.serial, out.size());
        out.push_back(std::move(m));
        where.push_back(rd.where());
    }
    return out;
}

import_report import_csv(store& s, table_kind kind, std::string_view text, const std::string& source,
                         const import_options& o) {
    plan p(s);
    parse_into(p, kind, text, source, o);
    return write_plan(s, p, o);
}

import_report import_csv_file(store& s, table_kind kind, const std::filesystem::path& file,
                              const import_options& o) {
    if (kind == table_kind::readings) {  // streamed: the file is never held whole
        plan p(s);
        parse_readings(p, detail::parse_readings_file(file, o), file.string(), o);
        return write_plan(s, p, o);
    }
    const std::string text = read_file(file);
    return import_csv(s, kind, text, file.string(), o);
}

import_report import_csv_files(store& s, std::vector<std::pair<table_kind, std::filesystem::path>> files,
                               const import_options& o) {
    std::stable_sort(files.begin(), files.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    plan p(s);
    for (const auto& [kind, file] : files) {
        if (kind == table_kind::readings)
            parse_readings(p, detail::parse_readings_file(file, o), file.string(), o);
        else
            parse_into(p, kind, read_file(file), file.string(), o);
    }
    return write_plan(s, p, o);
}

}  // namespace v0
}  // namespace kvant
