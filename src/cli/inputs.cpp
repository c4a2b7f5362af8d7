#include "inputs.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>

namespace kvant::cli {

std::vector<option_spec> input_options() {
    return {opt::path("readings", "FILE",
                      "readings CSV: long (meter,timestamp,channel,value) or wide (meter,timestamp,value or "
                      "meter,timestamp,total,t1..t4)"),
            opt::path(
                "meters", "FILE",
                "meters CSV with at least serial; zone, register_digits, transformer_ratio, tariff_registers "
                "used"),
            opt::path("db", "FILE", "a SQLite database instead of CSV files"),
            opt::busy_timeout(),
            opt::offset("assume-offset", "UTC offset for timestamps written without one"),
            opt::choice("resource", "NAME", resource_text, "only meters of this resource"),
            threads_spec(),
            quiet_spec()};
}

option_spec threads_spec() {
    return opt::integer("threads", "N", 0, 256,
                        "worker threads (default 0: one per core); the results do not depend on it")
        .defaults_to("0");
}

option_spec quiet_spec() {
    return opt::flag("quiet", "no progress line on stderr (shown only when stderr is a terminal)");
}

sqlite_store open_store(const args& a, sqlite_store::mode m) {
    return sqlite_store(a.require("db"), m, std::chrono::milliseconds(a.integer("busy-timeout").value()));
}

unsigned threads_option(const args& a) {
    const auto n = a.integer("threads");  // 0..256: checked when parsed
    return n ? static_cast<unsigned>(*n) : 0u;
}

bool quiet_option(const args& a) {
    return a.flag("quiet");
}

meter_inputs::meter_inputs(const args& a, std::int64_t from, std::int64_t to)
    : pool_(threads_option(a)), progress_("meters", 0, quiet_option(a)) {
    // a command over a database only (anomalies detect) declares neither --readings nor --resource
    const auto readings_file = a.declares("readings") ? a.get("readings") : std::nullopt;
    const auto db_file = a.get("db");
    if (readings_file.has_value() == db_file.has_value())
        throw config_error(errc::usage, "give either --readings FILE or --db FILE (see --help)");
    import_options io;
    if (a.declares("assume-offset"))
        if (auto minutes = a.offset_minutes("assume-offset")) io.default_offset_minutes = *minutes;
    if (a.declares("resource") && a.get("resource")) only_ = choice(a, "resource", resource_text);
    if (readings_file) {
        if (auto mf = a.get("meters")) {
            const std::string mt = read_file(*mf);
            csv_meters_ = parse_meters_csv(mt, *mf, io);
        }
        std::map<std::string, const meter*, std::less<>> by_serial;
        for (const auto& m : csv_meters_) by_serial.emplace(m.serial, &m);
        // read streaming, never whole: the table is all the memory a file costs (~22 bytes a value)
        bool wide = false;
        progress reading("rows", 0, quiet_option(a));
        io.progress = [&](const import_progress& p) { reading.update(static_cast<std::size_t>(p.rows)); };
        reading_table batch = read_readings_csv(*readings_file, io, &wide);
        reading.finish();
        if (wide) {  // the wide columns are each meter's main quantity
            std::vector<resource> res;
            for (const auto& serial : batch.meters()) {
                const auto it = by_serial.find(serial);
                res.push_back(it == by_serial.end() ? resource::electricity : it->second->measures);
            }
            // a pass over every row, for nothing when every meter measures electricity
            if (std::any_of(res.begin(), res.end(), [](resource r) { return r != resource::electricity; }))
                batch.map_main(res);
        }
        batch.sort();
        const auto table = std::make_shared<const reading_table>(std::move(batch));
        for (auto& s : meter_series::from_table(table)) {  // shares the table's columns
            meter_input mi;
            const auto it = by_serial.find(s.serial());
            mi.entity = it == by_serial.end() ? nullptr : it->second;
            if (!wanted(mi.entity)) continue;
            mi.calendar = mi.entity && mi.entity->time_zone ? *mi.entity->time_zone : zone::utc();
            mi.tariff_registers = mi.entity ? effective_tariff_registers(*mi.entity, nullptr) : 1;
            mi.series = std::move(s);
            csv_inputs_.push_back(std::move(mi));
        }
        progress_.set_total(csv_inputs_.size());
        return;
    }
    db_ = std::make_unique<sqlite_store>(a.require("db"), sqlite_store::mode::read_only,
                                         std::chrono::milliseconds(a.integer("busy-timeout").value()));
    relations_ = load_fleet(*db_);
    std::size_t total = 0;
    for (const auto& m : relations_.meters()) total += wanted(&m);
    progress_.set_total(total);
    series_query q;
    q.from = from;
    q.to = to;
    q.provenance = false;
    if (only_)
        for (const auto& m : relations_.meters())
            if (wanted(&m)) q.meters.push_back(m.serial);
    stream_ =
        std::make_unique<meter_stream>(*db_, std::move(q), std::max<std::size_t>(64, 32 * pool_.size()));
}

meter_inputs::~meter_inputs() = default;

bool meter_inputs::wanted(const meter* m) const {
    // a meter's resource: its entity's; a meter missing from a meters CSV counts as electricity
    return !only_ || (m ? m->measures : resource::electricity) == *only_;
}

bool meter_inputs::next_group(std::vector<meter_input>& out) {
    out.clear();
    if (!db_) {
        const std::size_t n = std::min<std::size_t>(csv_inputs_.size() - csv_next_, 64 * pool_.size());
        for (std::size_t i = 0; i < n; ++i) out.push_back(std::move(csv_inputs_[csv_next_ + i]));
        csv_next_ += n;
        return !out.empty();
    }
    std::vector<meter_series> group;
    while (out.empty()) {
        if (!stream_->next(group)) return false;
        for (auto& s : group) {
            const meter* m = relations_.find_meter(s.serial());
            if (!m || !wanted(m)) continue;  // values of a meter the fleet does not know: not computed
            meter_input mi;
            mi.entity = m;
            mi.model = relations_.model_of(*m);
            mi.calendar = relations_.zone_of(*m);
            const organization* org = relations_.organization_of(*m);
            mi.billing_day = org ? org->billing_start_day : 1;
            mi.tariff_registers = relations_.tariff_registers_of(*m);
            mi.series = std::move(s);
            out.push_back(std::move(mi));
        }
    }
    return true;
}

output::output(const args& a) {
    if (auto o = a.get("out"); o && *o != "-") file_ = *o;
}

void output::finish() {
    const std::string text = std::move(buffer_).str();
    if (!file_) {
        std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
        std::cout.flush();
        if (!std::cout) throw storage_error(errc::storage_io, "error while writing the output");
        return;
    }
    write_file_whole(
        *file_, [&](std::ostream& f) { f.write(text.data(), static_cast<std::streamsize>(text.size())); });
}

void write_file_whole(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    auto tmp = path;
    tmp += ".partial";
    auto drop = [&] {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
    };
    {
        std::ofstream f(tmp, std::ios::binary);
        if (!f) throw storage_error(errc::storage_io, "cannot write " + excerpt(tmp.string()));
        try {
            write(f);
        } catch (...) {
            f.close();
            drop();
            throw;
        }
        f.flush();
        if (!f) {
            f.close();
            drop();
            throw storage_error(errc::storage_io, "error while writing " + excerpt(tmp.string()));
        }
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace kvant::cli
