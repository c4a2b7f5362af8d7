#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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
#include "kvant/model/tariff_json.hpp"
#include "kvant/model/validation.hpp"
#include "kvant/store/sqlite_store.hpp"
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

/// The entity's name in a message: "metering point".
template <described T>
std::string entity_name() {
    std::string n(description<T>::entity);
    std::replace(n.begin(), n.end(), '_', ' ');
    return n;
}
template <class T>
requires std::same_as<T, tariff_schedule> std::string entity_name() {
    return "tariff schedule";
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
        std::string key = std::string(key_of(e));
        if (const auto it = p.index.find(key); it != p.index.end()) {
            const T& prev = p.items[it->second];
            if (prev == e) {
                ++report.stats.unchanged;
                return;
            }
            conflicting_repeat(entity_name<T>() + " " + excerpt(key), p.where[it->second], std::move(where),
                               first_difference(json(prev), json(e)));
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

    // ---- meter state: relay changes and sessions, keyed by (meter, time) and (meter, start)
    template <class T>
    void add_state(T e, location where) {
        auto& rows = std::get<state_rows<T>>(state_);
        auto key = std::make_pair(e.meter, to_unix(state_key(e)));
        if (const auto it = rows.index.find(key); it != rows.index.end()) {
            const T& prev = rows.items[it->second];
            if (prev == e) {
                ++report.stats.unchanged;
                return;
            }
            conflicting_repeat(std::string(state_name(e)) + " of meter " + excerpt(e.meter) + " at " +
                                   to_string(state_key(e)),
                               rows.where[it->second], std::move(where),
                               first_difference(json(prev), json(e)));
        }
        rows.index.emplace(std::move(key), rows.items.size());
        rows.items.push_back(std::move(e));
        rows.where.push_back(std::move(where));
    }

    void add_readings(reading_table batch, detail::row_lines lines, std::string source) {
        readings_.push_back({std::move(batch), std::move(lines), std::move(source), {}});
    }
    /// A readings file checked whole but too large to hold: read again and written batch by batch.
    void add_streamed(std::filesystem::path file) {
        std::string source = file.string();
        readings_.push_back({{}, {}, std::move(source), std::move(file)});
    }

    /// Writes everything, in reference order, into `s` (the caller holds the transaction). `stream` writes
    /// one streamed readings file.
    template <class Stream>
    void write(store& s, on_conflict policy, Stream&& stream) {
        write_all<organization>(s);
        write_all<abonent>(s);
        write_all<account>(s);
        write_all<metering_point>(s);
        write_all<meter_model>(s);
        write_all<meter>(s);
        // ---- tariffs
        write_all<tariff_schedule>(s);
        write_all<tariff_assignment>(s);
        write_all<tariff_rate>(s);
        write_all<normative>(s);
        for (const auto& r : readings_) {
            if (!r.file.empty()) {
                stream(r.file);
                continue;
            }
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
        write_state<relay_change>(s, policy, &store::put_relay_changes);
        write_state<comm_session>(s, policy, &store::put_sessions);
    }

    import_report report;

  private:
    template <class T>
    struct state_rows {
        std::vector<T> items;
        std::vector<location> where;
        std::map<std::pair<std::string, std::int64_t>, std::size_t> index;
    };
    static instant state_key(const relay_change& r) { return r.time; }
    static instant state_key(const comm_session& c) { return c.start; }
    static const char* state_name(const relay_change&) { return "relay change"; }
    static const char* state_name(const comm_session&) { return "session"; }
    /// Row by row, so that an error names its line (the store keeps each meter's link summary per write).
    template <class T>
    void write_state(store& s, on_conflict policy,
                     write_stats (store::*put)(std::span<const T>, on_conflict)) {
        auto& rows = std::get<state_rows<T>>(state_);
        for (std::size_t i = 0; i < rows.items.size(); ++i) {
            try {
                report.stats += (s.*put)(std::span<const T>(&rows.items[i], 1), policy);
            } catch (const validation_error& ve) {
                location at = rows.where[i];
                at.field = ve.where().field;
                std::string_view m = ve.reason();
                if (const auto p = m.find(": "); p != std::string_view::npos) m.remove_prefix(p + 2);
                throw validation_error(ve.code(), std::string(m), std::move(at));
            } catch (const storage_error& se) {
                throw storage_error(se.code(), rows.where[i].to_string() + ": " + std::string(se.message()));
            }
        }
    }

    template <class T>
    void write_all(store& s) {
        auto& p = std::get<pending<T>>(entities_);
        for (std::size_t i = 0; i < p.items.size(); ++i) {
            const T& e = p.items[i];
            const auto before = s.find<T>(std::string(key_of(e)));
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
        std::filesystem::path file;  // a streamed file (batch and lines empty)
    };
    const store& s_;
    mutable std::unordered_set<std::string> known_meters_;
    std::tuple<pending<organization>, pending<abonent>, pending<account>, pending<metering_point>,
               pending<meter_model>, pending<meter>, pending<tariff_schedule>, pending<tariff_assignment>,
               pending<tariff_rate>, pending<normative>>
        entities_;
    std::vector<readings_file> readings_;
    std::vector<meter_event> events_;
    std::vector<location> event_where_;
    std::map<std::tuple<std::string, std::int64_t, int>, std::size_t> event_index_;
    std::tuple<state_rows<relay_change>, state_rows<comm_session>> state_;
};

template <class T>
issues validate_in(const plan&, const T& e, validation_policy) {
    return validate(e);
}
issues validate_in(const plan&, const organization& e, validation_policy policy) {
    return validate(e, policy);
}
issues validate_in(const plan& p, const meter& e, validation_policy policy) {
    const auto model = e.model.empty() ? std::nullopt : p.find<meter_model>(e.model);
    return validate(e, model ? &*model : nullptr, policy);
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
        judge(validate_in(p, e, o.policy), rd, p.report, o);
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

/// Relay changes or sessions: each row's times follow the import's default offset (as readings do), then
/// the row is validated (errors throw naming the line, warnings go to the report) and its meter looked up.
template <class T>
void parse_state(plan& p, csv_reader& rd, const csv_header& h, const import_options& o,
                 std::initializer_list<const char*> time_keys) {
    std::vector<std::string_view> f;
    while (rd.next(f)) {
        ++p.report.rows;
        check_width(f, h, rd);
        json j = row_object(f, h);
        for (const char* k : time_keys) {
            if (!j.contains(k)) continue;
            instant t;
            const std::string ts = j[k].get<std::string>();
            const auto st = try_parse_instant(ts, t, o.default_offset_minutes);
            if (st != time_status::ok)
                throw parse_error(errc::invalid_timestamp, excerpt(ts) + ": " + std::string(describe(st)),
                                  rd.where(std::string(k) == "time" ? "timestamp" : k));
            j[k] = to_string(t);
        }
        auto e = entity_from_row<T>(j, rd);
        judge(validate(e), rd, p.report, o);
        if (!p.has_meter(e.meter))
            throw validation_error(errc::unknown_reference, "unknown meter " + excerpt(e.meter),
                                   rd.where("meter"));
        p.add_state(std::move(e), rd.where());
    }
}

/// Resolves the meters of readings batches against the plan (each serial looked up once per import), maps a
/// wide file's registers onto each meter's main quantity and applies the reading rules of validation.hpp:
/// an error throws naming the file, line and field; warnings go to the report when `keep_warnings`.
class readings_checker {
  public:
    explicit readings_checker(const plan& p) : p_(p) {}

    void check(reading_table& batch, const detail::row_lines& lines, bool wide, const std::string& source,
               import_report* warnings_to, const import_options& o) {
        std::vector<const meter*> meter_of_slot;
        std::vector<int> tariffs;
        std::vector<resource> res;
        for (const auto& serial : batch.meters()) {
            const known& k = lookup(serial);
            meter_of_slot.push_back(k.m ? &*k.m : nullptr);
            tariffs.push_back(k.tariffs);
            res.push_back(k.m ? k.m->measures : resource::electricity);
        }
        if (wide) batch.map_main(res);  // the wide columns are the main quantity of each meter's resource
        for (auto& ri : validate(batch, meter_of_slot, tariffs, std::numeric_limits<std::size_t>::max())) {
            // A value's field is the file's: in a long file "value" when the value is wrong and "channel"
            // when the channel is (a tariff the meter does not have); in a wide one the register's column.
            // validate() names a main-quantity channel by its register ("t5"), any other by its full name.
            const channel& ch = batch.channel_of(ri.row);
            const std::uint32_t slot = batch.meter_index()[ri.row];
            if (ri.what.field == channel_label(ch, channel::main(res[slot]))) {
                const std::int64_t v = batch.values()[ri.row];
                const bool value_wrong =
                    (ch.kind == channel_kind::cumulative && v < 0) || !plausible_value(ch, v);
                ri.what.field = !wide                             ? (value_wrong ? "value" : "channel")
                                : ch.tariff == register_id::total ? "total"
                                                                  : std::string(to_string(ch.tariff));
            }
            location where{source, lines[ri.row], ri.what.field, -1};
            if (ri.what.level == severity::error) {
                const errc code = ri.what.field == "meter" ? errc::unknown_reference : errc::validation;
                throw validation_error(code, ri.what.message, where);
            }
            if (warnings_to) note(*warnings_to, o, std::move(where), std::move(ri.what));
        }
    }

  private:
    struct known {
        std::optional<meter> m;
        int tariffs = 1;
    };
    const known& lookup(const std::string& serial) {
        if (const auto it = meters_.find(serial); it != meters_.end()) return it->second;
        known k;
        k.m = p_.find<meter>(serial);
        const meter_model* model = nullptr;
        if (k.m && !k.m->model.empty()) {
            auto it = models_.find(k.m->model);
            if (it == models_.end()) it = models_.emplace(k.m->model, p_.find<meter_model>(k.m->model)).first;
            model = it->second ? &*it->second : nullptr;
        }
        k.tariffs = k.m ? effective_tariff_registers(*k.m, model) : 1;
        return meters_.emplace(serial, std::move(k)).first->second;
    }
    const plan& p_;
    std::unordered_map<std::string, known> meters_;
    std::map<std::string, std::optional<meter_model>, std::less<>> models_;
};

void parse_readings(plan& p, detail::parsed_readings parsed, const std::string& source,
                    const import_options& o) {
    p.report.rows += parsed.table.size();
    readings_checker(p).check(parsed.table, parsed.lines, parsed.wide, source, &p.report, o);
    p.add_readings(std::move(parsed.table), std::move(parsed.lines), source);
}

/// Whether every series of a batch continues after what earlier batches held of it (each row later than the
/// series' latest time so far): then no key can repeat across batches, and the repeat rule holds batch by
/// batch. Keeps one time a series.
class series_order {
  public:
    bool extend(const reading_table& b) {
        std::vector<std::size_t> at;  // series index of each (meter slot, channel slot), filled lazily
        const std::size_t nc = b.channels().size();
        at.assign(b.meters().size() * nc, npos);
        std::vector<std::int64_t> batch_max(0);
        std::vector<std::size_t> touched;
        for (std::size_t i = 0; i < b.size(); ++i) {
            auto& k = at[std::size_t{b.meter_index()[i]} * nc + b.channel_index()[i]];
            if (k == npos) {
                std::string key = b.meter_of(i);
                const auto code = b.channel_of(i).code();
                key.append(reinterpret_cast<const char*>(&code), sizeof code);
                k = index_.try_emplace(std::move(key), latest_.size()).first->second;
                if (k == latest_.size()) latest_.push_back(std::numeric_limits<std::int64_t>::min());
                touched.push_back(k);
            }
            if (b.times()[i] <= latest_[k]) return false;
        }
        for (std::size_t i = 0; i < b.size(); ++i) {
            const auto k = at[std::size_t{b.meter_index()[i]} * nc + b.channel_index()[i]];
            pending_max(k, b.times()[i]);
        }
        for (const auto& [k, t] : max_) latest_[k] = std::max(latest_[k], t);
        max_.clear();
        return true;
    }

  private:
    static constexpr std::size_t npos = ~std::size_t{0};
    void pending_max(std::size_t k, std::int64_t t) {
        auto [it, fresh] = max_.try_emplace(k, t);
        if (!fresh) it->second = std::max(it->second, t);
    }
    std::unordered_map<std::string, std::size_t> index_;
    std::vector<std::int64_t> latest_;
    std::unordered_map<std::size_t, std::int64_t> max_;
};

/// Thrown by a batch sink when a file cannot be streamed (a series goes back in time across batches).
struct not_streamable {};

/// A readings file into the plan. Checked first, streaming, batch by batch (syntax, values, the repeat rule,
/// meters, the reading rules). A file that fits in one batch is kept for the write; a larger one whose series
/// run forward across batches is read again at the write and written batch by batch (never held whole); one
/// whose series go back in time across batches is held whole, so that the repeat rule sees every row.
void parse_readings_file_into(plan& p, const std::filesystem::path& file, const import_options& o) {
    const std::string source = file.string();
    const import_report before = p.report;
    readings_checker checker(p);
    series_order order;
    std::size_t batches = 0;
    std::optional<detail::parsed_readings> first;
    try {
        detail::parse_readings_file(
            file, o,
            [&](reading_table& b, detail::row_lines& l, bool wide) {
                if (!order.extend(b)) throw not_streamable{};
                p.report.rows += b.size();
                checker.check(b, l, wide, source, &p.report, o);
                if (++batches == 1)
                    first = detail::parsed_readings{std::move(b), std::move(l), wide};
                else
                    first.reset();
            },
            o.import_batch_rows);
    } catch (const not_streamable&) {
        p.report = before;
        return parse_readings(p, detail::parse_readings_file(file, o), source, o);
    }
    if (batches <= 1) {
        if (first) p.add_readings(std::move(first->table), std::move(first->lines), source);
        return;
    }
    p.add_streamed(file);
}

/// The write of a streamed readings file: read again, each batch checked again (the file may have changed
/// since) and written, inside the import's transaction.
void write_streamed(store& s, plan& p, const std::filesystem::path& file, const import_options& o) {
    const std::string source = file.string();
    readings_checker checker(p);
    series_order order;
    import_options again = o;
    if (o.progress)
        again.progress = [&o](const import_progress& x) {
            import_progress w = x;
            w.writing = true;
            o.progress(w);
        };
    detail::parse_readings_file(
        file, again,
        [&](reading_table& b, detail::row_lines& l, bool wide) {
            if (!order.extend(b))
                throw storage_error(errc::storage_io, source + " changed while it was being imported");
            checker.check(b, l, wide, source, nullptr, o);
            try {
                p.report.stats += s.put_readings(b, o.conflict);
            } catch (const reading_conflict& c) {
                throw storage_error(errc::storage_conflict, location{source, l[c.row()], "", -1}.to_string() +
                                                                ": " + std::string(c.message()));
            }
        },
        o.import_batch_rows);
}

/// Tariff schedules: a JSON file of one schedule object or an array of them (model/tariff_json.hpp).
void parse_schedules(plan& p, std::string_view text, const std::string& source) {
    const nlohmann::json j = parse_json(text, source);
    auto one = [&](const nlohmann::json& item, const std::string& field) {
        ++p.report.rows;
        auto sched = from_json_document<tariff_schedule>(item, source);
        const auto problems = check(sched);
        if (!problems.empty()) {
            std::string msg;
            for (const auto& x : problems) msg += (msg.empty() ? "" : "; ") + x;
            throw validation_error(errc::validation, "tariff schedule " + excerpt(sched.id) + ": " + msg,
                                   location{source, 0, field, -1});
        }
        p.add(std::move(sched), location{source, 0, field, -1});
    };
    if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) one(j[i], "[" + std::to_string(i) + "]");
    } else {
        one(j, "");
    }
}

/// Parses one text into the plan (no write).
void parse_into(plan& p, table_kind kind, std::string_view text, const std::string& source,
                const import_options& o) {
    if (kind == table_kind::readings)
        return parse_readings(p, detail::parse_readings_text(text, source, o), source, o);
    if (kind == table_kind::tariff_schedules) return parse_schedules(p, text, source);
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
        // ---- meter state
        case table_kind::relay_changes:
            return parse_state<relay_change>(p, rd, h, o, {"time"});
        case table_kind::sessions:
            return parse_state<comm_session>(p, rd, h, o, {"start", "end"});
        // ---- tariffs
        case table_kind::tariff_assignments:
            return parse_entities<tariff_assignment>(p, rd, h, o);
        case table_kind::tariff_rates:
            return parse_entities<tariff_rate>(p, rd, h, o);
        case table_kind::normatives:
            return parse_entities<normative>(p, rd, h, o);
        case table_kind::tariff_schedules:
        case table_kind::readings:
            return;
    }
}

/// The write phase: one transaction, taken only now that everything is parsed and checked.
import_report write_plan(store& s, plan& p, const import_options& o) {
    transaction tx(s);
    p.write(s, o.conflict, [&](const std::filesystem::path& file) { write_streamed(s, p, file, o); });
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
    if (kind == table_kind::readings) {  // streamed: the file is never held whole as text
        plan p(s);
        parse_readings_file_into(p, file, o);
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
            parse_readings_file_into(p, file, o);
        else
            parse_into(p, kind, read_file(file), file.string(), o);
    }
    return write_plan(s, p, o);
}

import_report import_csv_files_into_new_database(
    const std::filesystem::path& file, std::vector<std::pair<table_kind, std::filesystem::path>> files,
    const import_options& o) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec))
        throw storage_error(errc::storage_io, file.string() + " exists already: import into it instead");
    const std::filesystem::path tmp = file.string() + ".kvant-new-" + std::to_string(::getpid());
    const auto remove_tmp = [&] {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(tmp.string() + suffix, ignored);
    };
    remove_tmp();  // a leftover of a crashed import of this process id
    import_report rep;
    try {
        {
            sqlite_store db(tmp, sqlite_store::mode::create);
            db.set_validation_policy(o.policy);
            rep = import_csv_files(db, std::move(files), o);
        }  // closed: the write-ahead log is checkpointed into the file and removed
        if (::link(tmp.c_str(), file.c_str()) != 0) {
            const int err = errno;
            throw storage_error(errc::storage_io,
                                "cannot create " + file.string() + ": " +
                                    (err == EEXIST ? std::string("it appeared during the import")
                                                   : std::string(std::strerror(err))));
        }
    } catch (...) {
        remove_tmp();
        throw;
    }
    remove_tmp();
    return rep;
}

}  // namespace v0
}  // namespace kvant
