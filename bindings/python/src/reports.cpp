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

/// The meters of a Store or a Readings object.
std::unique_ptr<meter_source> source_of(py::handle src, const source_options& o) {
    if (py::isinstance<py_store>(src)) return store_source(src.cast<py_store&>().get(), o);
    if (py::isinstance<readings>(src)) return src.cast<readings&>().source(o);
    throw config_error(errc::usage, "a report reads a kvant.Store or kvant.Readings, not " +
                                        std::string(py::str(src.get_type())));
}

source_options source_options_of(const py::kwargs& kw) {
    source_options o;
    if (kw.contains("from_") && !kw["from_"].is_none()) o.from = kw["from_"].cast<std::int64_t>();
    if (kw.contains("to") && !kw["to"].is_none()) o.to = kw["to"].cast<std::int64_t>();
    if (kw.contains("resource") && !kw["resource"].is_none())
        o.only = parse_enum<resource>(kw["resource"].cast<std::string>());
    return o;
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
    if (kw.contains("threads")) o.run.threads = kw["threads"].cast<unsigned>();
    return o;
}

tariff_schedule schedule_of(const std::string& spec) {
    if (auto preset = preset_schedule(spec)) return *preset;
    std::ifstream f(spec, std::ios::binary);
    if (!f) throw config_error(errc::config, "schedule '" + spec + "' is neither a preset nor a readable file");
    std::ostringstream s;
    s << f.rdbuf();
    return parse_schedule_file(s.str(), spec).schedule;
}

template <class T>
py::array view(const std::vector<T>& v, py::handle owner) {
    return py::array_t<T>({static_cast<py::ssize_t>(v.size())}, {static_cast<py::ssize_t>(sizeof(T))},
                          v.data(), owner);
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
                if (c.type == column_type::text || c.type == column_type::local_period) text = py::cast(c.text);
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
        auto s = source_of(src, so);
        py::gil_scoped_release nogil;
        return std::make_shared<report_table>(consumption_report(*s, po));
    });
    m.def("split", [](py::object src, const std::string& schedule, py::kwargs kw) {
        const auto so = source_options_of(kw);
        const auto po = period_options_of(kw);
        split_source from = split_source::automatic;
        if (kw.contains("source")) {
            const auto f = kw["source"].cast<std::string>();
            from = f == "auto"       ? split_source::automatic
                   : f == "schedule" ? split_source::schedule
                   : f == "registers"
                       ? split_source::registers
                       : throw config_error(errc::usage, "split source '" + f + "': auto, schedule or registers");
        }
        const tariff_calendar cal(schedule_of(schedule));
        auto s = source_of(src, so);
        py::gil_scoped_release nogil;
        return std::make_shared<report_table>(split_report(*s, cal, po, from));
    });
}

}  // namespace kvant::python
