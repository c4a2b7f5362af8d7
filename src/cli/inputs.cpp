#include "inputs.hpp"

#include <fstream>
#include <iostream>
#include <map>

namespace kvant::cli {

std::vector<option_spec> input_options() {
    return {
        opt::path("readings", "FILE", "readings CSV (meter,timestamp,value or meter,timestamp,total,t1..t4)"),
        opt::path(
            "meters", "FILE",
            "meters CSV with at least serial; zone, register_digits, transformer_ratio, tariff_registers "
            "used"),
        opt::path("db", "FILE", "a SQLite database instead of CSV files"),
        opt::busy_timeout(),
        opt::offset("assume-offset", "UTC offset for timestamps written without one"),
        opt::choice("resource", "NAME", resource_text, "only meters of this resource")};
}

sqlite_store open_store(const args& a, sqlite_store::mode m) {
    return sqlite_store(a.require("db"), m, std::chrono::milliseconds(a.integer("busy-timeout").value()));
}

inputs load_inputs(const args& a) {
    const auto readings_file = a.get("readings");
    const auto db_file = a.get("db");
    if (readings_file.has_value() == db_file.has_value())
        throw config_error(errc::usage, "give either --readings FILE or --db FILE (see --help)");
    import_options io;
    if (auto minutes = a.offset_minutes("assume-offset")) io.default_offset_minutes = *minutes;
    const bool filtered = a.get("resource").has_value();
    const resource only = filtered ? choice(a, "resource", resource_text) : resource::electricity;
    // a meter's resource: its entity's; a meter missing from a meters CSV counts as electricity
    auto wanted = [&](const meter* m) {
        return !filtered || (m ? m->measures : resource::electricity) == only;
    };
    inputs in;
    if (readings_file) {
        const std::string text = read_file(*readings_file);
        const auto table =
            std::make_shared<const reading_table>(parse_readings_csv(text, *readings_file, io));
        if (auto mf = a.get("meters")) {
            const std::string mt = read_file(*mf);
            in.csv_meters = parse_meters_csv(mt, *mf, io);
        }
        std::map<std::string, const meter*, std::less<>> by_serial;
        for (const auto& m : in.csv_meters) by_serial.emplace(m.serial, &m);
        for (auto& s : meter_series::from_table(table)) {  // shares the table's columns
            meter_input mi;
            const auto it = by_serial.find(s.serial());
            mi.entity = it == by_serial.end() ? nullptr : it->second;
            if (!wanted(mi.entity)) continue;
            mi.calendar = mi.entity && mi.entity->time_zone ? *mi.entity->time_zone : zone::utc();
            mi.tariff_registers = mi.entity ? effective_tariff_registers(*mi.entity, nullptr) : 1;
            mi.series = std::move(s);
            in.meters.push_back(std::move(mi));
        }
        return in;
    }
    sqlite_store db = open_store(a, sqlite_store::mode::read_only);
    in.relations = load_fleet(db);
    in.from_db = true;
    const instant from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
    const instant to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
    for (const auto& m : in.relations.meters()) {
        if (!wanted(&m)) continue;
        const auto batch = std::make_shared<const reading_table>(db.readings(m.serial, from, to));
        if (batch->empty()) continue;
        meter_input mi;
        mi.series = meter_series::from_table(batch).front();
        mi.entity = &m;
        mi.model = in.relations.model_of(m);
        mi.calendar = in.relations.zone_of(m);
        const organization* org = in.relations.organization_of(m);
        mi.billing_day = org ? org->billing_start_day : 1;
        mi.tariff_registers = in.relations.tariff_registers_of(m);
        in.meters.push_back(std::move(mi));
    }
    return in;
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
