#include "readings.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "errors.hpp"

namespace kvant::python {

namespace {

bool grouped(const array_rows& r);

}  // namespace

/// Throws unless every row of caller arrays names a meter and a channel it has and holds a plausible time
/// and value (the checks every store write makes: no report may run over a NaT time, the missing marker or a
/// float that overflowed). `when` says when the check runs (the arrays are the caller's: they may change).
void check_rows(const array_rows& rows, const char* when) {
    const std::size_t n = static_cast<std::size_t>(rows.time.size());
    if (static_cast<std::size_t>(rows.meter_code.size()) != n ||
        static_cast<std::size_t>(rows.channel_code.size()) != n ||
        static_cast<std::size_t>(rows.value.size()) != n)
        throw config_error(errc::usage, std::string("readings") + when +
                                            ": the meter, channel, time and value arrays differ in length");
    const std::int64_t* mc = rows.meter_code.data();
    const std::int64_t* cc = rows.channel_code.data();
    const std::int64_t* t = rows.time.data();
    const std::int64_t* v = rows.value.data();
    for (std::size_t i = 0; i < n; ++i) {
        // the message is made only for a failing row: a pass over millions of rows allocates nothing
        const auto row = [&] { return std::string("readings") + when + ": row " + std::to_string(i); };
        if (mc[i] < 0 || static_cast<std::size_t>(mc[i]) >= rows.meters.size())
            throw config_error(errc::usage, row() + ": meter code " + std::to_string(mc[i]) + " has no name");
        if (cc[i] < 0 || static_cast<std::size_t>(cc[i]) >= rows.channels.size())
            throw config_error(errc::usage,
                               row() + ": channel code " + std::to_string(cc[i]) + " has no name");
        const std::string& serial = rows.meters[static_cast<std::size_t>(mc[i])];
        const channel& ch = rows.channels[static_cast<std::size_t>(cc[i])];
        if (t[i] < plausible_first_unix || t[i] >= plausible_end_unix)
            throw validation_error(errc::out_of_range,
                                   row() + " (" + excerpt(serial) + " at unix " + std::to_string(t[i]) +
                                       "): time outside 1970-01-01..2099-12-31",
                                   location{"", 0, "timestamp", -1});
        if (!plausible_value(ch, v[i]))
            throw validation_error(
                errc::out_of_range,
                row() + " (" + excerpt(serial) + " at unix " + std::to_string(t[i]) + "): value " +
                    (v[i] == decimal::missing_raw
                         ? std::string("INT64_MIN is the missing marker, not a value")
                         : to_string(decimal::from_raw(v[i])) + " is outside " + plausible_range_text(ch)),
                location{"", 0, to_string(ch), -1});
    }
}

namespace {

/// Caller arrays as a meter source: each (meter, channel) run becomes a series over the arrays, no copy.
class array_meters final : public meter_source {
  public:
    array_meters(const array_rows& rows, std::shared_ptr<const fleet> relations, const source_options& o)
        : relations_(std::move(relations)) {
        // the arrays are the caller's, used in place: changed since from_arrays checked them, a code out of
        // range would read past the names, unsorted times would give wrong sums
        check_rows(rows, " (changed since it was made)");
        if (!grouped(rows))
            throw config_error(errc::usage,
                               "readings (changed since it was made): the arrays used in place are "
                               "no longer grouped by meter and channel with times increasing");
        const std::size_t n = static_cast<std::size_t>(rows.time.size());
        const std::int64_t* mc = rows.meter_code.data();
        const std::int64_t* cc = rows.channel_code.data();
        const std::int64_t* t = rows.time.data();
        const std::int64_t* v = rows.value.data();
        std::size_t i = 0;
        while (i < n) {
            const std::int64_t m = mc[i];
            const std::string& serial = rows.meters[static_cast<std::size_t>(m)];
            meter_input mi;
            mi.series = meter_series(serial);
            while (i < n && mc[i] == m) {
                const std::int64_t c = cc[i];
                std::size_t j = i;
                while (j < n && mc[j] == m && cc[j] == c) ++j;
                // bound the run to [from, to): times increase within it
                const auto* b = std::lower_bound(t + i, t + j, o.from);
                const auto* e = std::lower_bound(t + i, t + j, o.to);
                const std::size_t lo = static_cast<std::size_t>(b - t), hi = static_cast<std::size_t>(e - t);
                if (hi > lo)
                    mi.series.add(series::over(serial, rows.channels[static_cast<std::size_t>(c)],
                                               {t + lo, hi - lo}, {v + lo, hi - lo}));
                i = j;
            }
            mi.entity = relations_->find_meter(serial);
            const resource r = mi.entity ? mi.entity->measures : resource::electricity;
            if (o.only && *o.only != r) continue;
            if (mi.entity) {
                mi.model = relations_->model_of(*mi.entity);
                mi.calendar = relations_->zone_of(*mi.entity);
                const organization* org = relations_->organization_of(*mi.entity);
                mi.billing_day = org ? org->billing_start_day : 1;
                mi.tariff_registers = relations_->tariff_registers_of(*mi.entity);
            } else {
                mi.calendar = zone::utc();
            }
            inputs_.push_back(std::move(mi));
        }
    }

    const fleet& relations() const noexcept override { return *relations_; }
    std::size_t total() const noexcept override { return inputs_.size(); }
    bool next_group(std::vector<meter_input>& out, std::size_t max) override {
        out.clear();
        const std::size_t k = std::min(inputs_.size() - next_, std::max<std::size_t>(1, max));
        for (std::size_t i = 0; i < k; ++i) out.push_back(std::move(inputs_[next_ + i]));
        next_ += k;
        return !out.empty();
    }

  private:
    std::shared_ptr<const fleet> relations_;
    std::vector<meter_input> inputs_;
    std::size_t next_ = 0;
};

/// A fleet of just these meters (no relations above them).
std::shared_ptr<const fleet> fleet_of(std::vector<meter> meters) {
    return std::make_shared<const fleet>(std::vector<organization>{}, std::vector<abonent>{},
                                         std::vector<account>{}, std::vector<metering_point>{},
                                         std::vector<meter_model>{}, std::move(meters));
}

/// A copy of a fleet (a table source takes its own).
fleet copy_of(const fleet& f) {
    return fleet(f.organizations(), f.abonents(), f.accounts(), f.points(), f.models(), f.meters());
}

/// A wide table's register rows relabelled as each meter's main quantity (a water meter's total is its
/// volume), so that the rows say what they are; nothing to do when every meter measures electricity.
void map_wide(reading_table& t, const fleet& relations) {
    std::vector<resource> res;
    for (const auto& serial : t.meters()) {
        const meter* m = relations.find_meter(serial);
        res.push_back(m ? m->measures : resource::electricity);
    }
    if (std::any_of(res.begin(), res.end(), [](resource x) { return x != resource::electricity; }))
        t.map_main(res);
}

/// Whether the arrays' rows are grouped: each meter code in one run, each channel code once within it,
/// times strictly increasing within a (meter, channel) run.
bool grouped(const array_rows& r) {
    const std::size_t n = static_cast<std::size_t>(r.time.size());
    const std::int64_t* mc = r.meter_code.data();
    const std::int64_t* cc = r.channel_code.data();
    const std::int64_t* t = r.time.data();
    std::unordered_set<std::int64_t> meters_seen;
    std::unordered_set<std::int64_t> channels_seen;
    for (std::size_t i = 0; i < n; ++i) {
        const bool new_meter = i == 0 || mc[i] != mc[i - 1];
        if (new_meter) {
            if (!meters_seen.insert(mc[i]).second) return false;
            channels_seen.clear();
        }
        if (new_meter || cc[i] != cc[i - 1]) {
            if (!channels_seen.insert(cc[i]).second) return false;
        } else if (t[i] <= t[i - 1]) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::size_t readings::size() const {
    return table ? table->size() : static_cast<std::size_t>(arrays->time.size());
}

std::unique_ptr<meter_source> readings::source(const source_options& o) const {
    if (arrays) return std::make_unique<array_meters>(*arrays, relations, o);
    source_options so = o;
    so.wide = wide;
    return table_source(std::shared_ptr<const reading_table>(table), copy_of(*relations), so);
}

void bind_readings(py::module_& m) {
    py::class_<readings, std::shared_ptr<readings>>(m, "Readings")
        .def("__len__", &readings::size)
        .def_property_readonly("wide", [](const readings& r) { return r.wide; })
        .def_property_readonly("in_place", [](const readings& r) { return r.arrays != nullptr; })
        .def_property_readonly(
            "meters", [](const readings& r) { return r.table ? r.table->meters() : r.arrays->meters; })
        .def_property_readonly("channels",
                               [](const readings& r) {
                                   std::vector<std::string> out;
                                   for (const auto& c : r.table ? r.table->channels() : r.arrays->channels)
                                       out.push_back(to_string(c));
                                   return out;
                               })
        .def_property_readonly("meter_index",
                               [](py::object self) -> py::object {
                                   auto& r = self.cast<readings&>();
                                   if (r.arrays) return r.arrays->meter_code;
                                   return view(r.table->meter_index(), self);
                               })
        .def_property_readonly("channel_index",
                               [](py::object self) -> py::object {
                                   auto& r = self.cast<readings&>();
                                   if (r.arrays) return r.arrays->channel_code;
                                   return view(r.table->channel_index(), self);
                               })
        .def_property_readonly("times",
                               [](py::object self) -> py::object {
                                   auto& r = self.cast<readings&>();
                                   if (r.arrays) return r.arrays->time;
                                   return view(r.table->times(), self);
                               })
        .def_property_readonly("values", [](py::object self) -> py::object {
            auto& r = self.cast<readings&>();
            if (r.arrays) return r.arrays->value;
            return view(r.table->values(), self);
        });

    m.def(
        "read_csv",
        [](const std::string& path, std::optional<std::string> meters_csv, std::optional<int> offset) {
            import_options io;
            io.default_offset_minutes = offset;
            auto r = std::make_shared<readings>();
            std::vector<meter> meters;
            {
                py::gil_scoped_release nogil;
                if (meters_csv) meters = parse_meters_csv(read_file(*meters_csv), *meters_csv, io);
                r->table = std::make_shared<reading_table>(read_readings_csv(path, io, &r->wide));
            }
            r->relations = fleet_of(std::move(meters));
            if (r->wide) {
                map_wide(*r->table, *r->relations);
                r->wide = false;  // the rows are channels now
            }
            return r;
        },
        py::arg("path"), py::arg("meters") = py::none(), py::arg("assume_offset_minutes") = py::none());

    m.def(
        "from_arrays",
        [](py::array_t<std::int64_t, py::array::c_style> meter_code, std::vector<std::string> meter_names,
           py::array_t<std::int64_t, py::array::c_style> channel_code, std::vector<std::string> channel_names,
           py::array_t<std::int64_t, py::array::c_style> time,
           py::array_t<std::int64_t, py::array::c_style> value, bool wide,
           std::optional<std::string> meters_csv) {
            const auto n = time.size();
            if (meter_code.size() != n || channel_code.size() != n || value.size() != n)
                throw config_error(errc::usage,
                                   "readings: the meter, channel, time and value arrays differ in "
                                   "length");
            auto rows = std::make_shared<array_rows>();
            rows->meters = std::move(meter_names);
            for (std::size_t k = 0; k < channel_names.size(); ++k)
                rows->channels.push_back(
                    parse_channel(channel_names[k], location{"channel names", 0, "", -1}));
            const auto* mc = meter_code.data();
            const auto* cc = channel_code.data();
            rows->meter_code = meter_code;
            rows->channel_code = channel_code;
            rows->time = time;
            rows->value = value;
            check_rows(*rows, "");
            auto r = std::make_shared<readings>();
            r->wide = wide;
            std::vector<meter> meters;
            if (meters_csv) meters = parse_meters_csv(read_file(*meters_csv), *meters_csv, {});
            r->relations = fleet_of(std::move(meters));
            bool remap = false;
            if (wide)
                for (const auto& mt : r->relations->meters())
                    remap = remap || mt.measures != resource::electricity;
            if (!remap && grouped(*rows)) {
                r->arrays = std::move(rows);
                return r;
            }
            // not grouped (or wide values to map per resource): copied into a table, sorted by the source
            auto t = std::make_shared<reading_table>();
            t->reserve(static_cast<std::size_t>(n));
            std::vector<std::uint32_t> mslot;
            for (const auto& s : rows->meters) mslot.push_back(t->meter_slot(s));
            std::vector<std::uint16_t> cslot;
            for (const auto& c : rows->channels) cslot.push_back(t->channel_slot(c));
            const auto* tt = time.data();
            const auto* vv = value.data();
            for (py::ssize_t i = 0; i < n; ++i)
                t->push(mslot[static_cast<std::size_t>(mc[i])], cslot[static_cast<std::size_t>(cc[i])], tt[i],
                        vv[i]);
            if (wide) {
                map_wide(*t, *r->relations);
                r->wide = false;
            }
            r->table = std::move(t);
            return r;
        },
        py::arg("meter_code"), py::arg("meter_names"), py::arg("channel_code"), py::arg("channel_names"),
        py::arg("time"), py::arg("value"), py::arg("wide") = false, py::arg("meters") = py::none());
}

}  // namespace kvant::python
