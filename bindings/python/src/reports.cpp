// The reports of include/kvant/reports for Python: arguments converted under the GIL, the report computed
// with it released, the report_table handed out whole (its integer columns as NumPy views).
#include "reports.hpp"

#include <fstream>
#include <sstream>

#include "kvant/io/tariff_files.hpp"
#include "kvant/reports/reports.hpp"
#include "store.hpp"

namespace kvant::python {

namespace {

/// A report over the meters of a Store or a Readings object: f(meter_source&) with the GIL released (over a
/// Store, its lock held: close() waits, another call on it takes its turn). The caller holds `src`.
template <class F>
std::shared_ptr<report_table> over_source(py::handle src, const source_options& o, F&& f) {
    if (py::isinstance<py_store>(src))
        return src.cast<const py_store&>().locked([&](store& db) {
            auto s = store_source(db, o);
            return std::make_shared<report_table>(f(*s));
        });
    if (!py::isinstance<readings>(src))
        throw config_error(errc::usage, "a report reads a kvant.Store or kvant.Readings, not " +
                                            std::string(py::str(src.get_type())));
    auto s = src.cast<readings&>().source(o);  // checks caller arrays, under the GIL
    py::gil_scoped_release nogil;
    return std::make_shared<report_table>(f(*s));
}

source_options source_options_of(const py::kwargs& kw) {
    source_options o;
    if (kw.contains("from_") && !kw["from_"].is_none()) o.from = kw["from_"].cast<std::int64_t>();
    if (kw.contains("to") && !kw["to"].is_none()) o.to = kw["to"].cast<std::int64_t>();
    if (kw.contains("resource") && !kw["resource"].is_none())
        o.only = parse_enum<resource>(kw["resource"].cast<std::string>());
    return o;
}

/// The `threads` keyword: 0..256 as the tool's --threads (a pool of a million threads would exhaust the
/// machine, a negative number is no count).
unsigned threads_of(const py::kwargs& kw) {
    if (!kw.contains("threads") || kw["threads"].is_none()) return 0;
    const long long n = kw["threads"].cast<long long>();
    if (n < 0 || n > 256)
        throw config_error(errc::usage,
                           "threads " + std::to_string(n) + " is outside 0..256 (0: one per core)");
    return static_cast<unsigned>(n);
}

period_report_options period_options_of(const py::kwargs& kw) {
    period_report_options o;
    if (kw.contains("by")) o.by = period_kind_text.parse(kw["by"].cast<std::string>());
    if (kw.contains("billing_day") && !kw["billing_day"].is_none()) {
        const int d = kw["billing_day"].cast<int>();
        if (d < 1 || d > 31)
            throw config_error(errc::usage, "billing_day " + std::to_string(d) + " is outside 1..31");
        o.billing_day = d;
    }
    if (kw.contains("complete_only")) o.complete_only = kw["complete_only"].cast<bool>();
    if (kw.contains("group")) o.group = group_level_text.parse(kw["group"].cast<std::string>());
    o.run.threads = threads_of(kw);
    return o;
}

/// A preset name, a schedule JSON file or an OpenEI URDB rate file (its rates appended to `rates`), as the
/// tool's --schedule.
tariff_schedule load_schedule(const std::string& spec, const store* db, std::vector<rate>* rates) {
    auto file = kvant::load_schedule(spec, db);
    if (rates) rates->insert(rates->end(), file.rates.begin(), file.rates.end());
    return std::move(file.schedule);
}

}  // namespace

void bind_reports(py::module_& m) {
    py::class_<report_table, std::shared_ptr<report_table>>(m, "ReportTable")
        .def_property_readonly("rows", &report_table::rows)
        .def(
            "column",
            [](py::object self, std::size_t i) {
                const auto& t = self.cast<const report_table&>();
                const auto& c = t.at(i);
                py::object values = py::none(), text = py::none();
                if (c.type != column_type::text) values = view(c.values, self);
                if (c.type == column_type::text || c.type == column_type::local_period)
                    text = py::cast(c.text);
                return py::make_tuple(c.name, std::string(to_string(c.type)), values, text);
            },
            "(name, type, values as an int64 view or None, text or None) of column i")
        .def_property_readonly("columns", &report_table::columns)
        .def("to_csv", [](const report_table& t) {
            std::ostringstream s;
            t.write_csv(s);
            return s.str();
        });

    m.def("consumption", [](py::object src, py::kwargs kw) {
        const auto so = source_options_of(kw);
        const auto po = period_options_of(kw);
        return over_source(src, so, [&](meter_source& s) { return consumption_report(s, po); });
    });
    m.def("split", [](py::object src, const std::string& schedule, py::kwargs kw) {
        const auto so = source_options_of(kw);
        const auto po = period_options_of(kw);
        const split_source from = kw.contains("source")
                                      ? split_source_text.parse(kw["source"].cast<std::string>())
                                      : split_source::automatic;
        // a stored schedule's id is looked up in the store the report runs over
        return over_source(src, so, [&](meter_source& s) {
            const tariff_calendar cal(load_schedule(schedule, s.db(), nullptr));
            return split_report(s, cal, po, from);
        });
    });
    m.def("cost", [](py::object src, py::kwargs kw) {
        const auto so = source_options_of(kw);
        cost_report_options o;
        static_cast<period_report_options&>(o) = period_options_of(kw);
        std::optional<std::string> schedule;
        if (kw.contains("schedule") && !kw["schedule"].is_none())
            schedule = kw["schedule"].cast<std::string>();
        if (kw.contains("rates") && !kw["rates"].is_none()) {
            const auto f = kw["rates"].cast<std::string>();
            o.rates = parse_rates_csv(read_file(f), f);
        }
        if (!py::isinstance<py_store>(src)) {
            if (!schedule) throw config_error(errc::usage, "a schedule is required without a store");
            if (o.rates.empty()) throw config_error(errc::usage, "rates are required without a store");
        }
        return over_source(src, so, [&](meter_source& s) {
            if (schedule) {
                std::vector<rate> urdb;
                o.schedule = load_schedule(*schedule, s.db(), &urdb);
                (void)tariff_calendar(*o.schedule);
                if (o.rates.empty()) o.rates = std::move(urdb);
            }
            return cost_report(s, o);
        });
    });
    m.def("estimate", [](py::object src, std::int64_t at, py::kwargs kw) {
        const auto so = source_options_of(kw);
        if (kw.contains("interval") && kw["interval"].cast<bool>()) {
            vee_policy p;
            if (kw.contains("step_minutes")) p.step = std::chrono::minutes{kw["step_minutes"].cast<int>()};
            run_options run;
            run.threads = threads_of(kw);
            return over_source(
                src, so, [&](meter_source& s) { return interval_estimate_report(s, from_unix(at), p, run); });
        }
        estimate_report_options o;
        const bool by_given = kw.contains("by");
        static_cast<period_report_options&>(o) = period_options_of(kw);
        if (!by_given) o.by = period_kind::billing;
        o.at = from_unix(at);
        if (kw.contains("normative") && !kw["normative"].is_none())
            o.normative = decimal::parse(py::str(kw["normative"]).cast<std::string>());
        if (kw.contains("normatives") && !kw["normatives"].is_none()) {
            auto& n = o.normatives.emplace();
            for (auto item : kw["normatives"].cast<py::dict>()) {
                const auto key = item.first.cast<std::pair<std::string, std::string>>();
                n[{key.first, parse_enum<resource>(key.second)}] =
                    decimal::parse(py::str(item.second).cast<std::string>());
            }
        }
        return over_source(src, so, [&](meter_source& s) { return estimate_report(s, o); });
    });
    m.def("verification", [](const py_store& db, std::int64_t at, const std::string& rule, int due_within) {
        verification_policy p;
        p.rule = parse_enum<due_rule>(rule);
        p.due_soon_days = due_within;
        return db.locked([&](store& s) {
            return std::make_shared<report_table>(verification_report(s, from_unix(at), p));
        });
    });
    m.def("anomalies", [](const py_store& db, py::kwargs kw) {
        anomaly_query q;
        auto text = [&](const char* k) -> std::optional<std::string> {
            if (!kw.contains(k) || kw[k].is_none()) return std::nullopt;
            return kw[k].cast<std::string>();
        };
        if (auto v = text("status")) q.status = parse_enum<anomaly_status>(*v);
        if (auto v = text("type")) q.type = parse_enum<anomaly_type>(*v);
        if (auto v = text("meter")) q.meter = *v;
        if (auto v = text("organization")) q.organization = *v;
        if (kw.contains("from_") && !kw["from_"].is_none())
            q.from = from_unix(kw["from_"].cast<std::int64_t>());
        if (kw.contains("to") && !kw["to"].is_none()) q.to = from_unix(kw["to"].cast<std::int64_t>());
        if (kw.contains("offset")) q.offset = kw["offset"].cast<std::size_t>();
        if (kw.contains("limit") && !kw["limit"].is_none()) q.limit = kw["limit"].cast<std::size_t>();
        return db.locked([&](store& s) { return std::make_shared<report_table>(anomalies_report(s, q)); });
    });
}

}  // namespace kvant::python
