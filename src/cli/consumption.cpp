// kvant consumption: consumption per day, month, year or billing period, per meter or per group, from CSV files
// or a SQLite database.
#include <fstream>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "kvant/io/consumption_report.hpp"
#include "kvant/kvant.hpp"

namespace kvant::cli {

int run_consumption(const args& a) {
    const period_kind kind = choice(a, "by", period_kind_text);
    std::optional<int> billing_day;
    if (auto d = a.get("billing-day")) {
        const auto n = decimal::parse(*d, location{"", 0, "--billing-day", -1});
        if (n.raw() % decimal::scale != 0 || n < decimal::from_integer(1) || n > decimal::from_integer(31))
            throw config_error(errc::usage, "--billing-day is a day of the month, 1..31");
        billing_day = static_cast<int>(n.raw() / decimal::scale);
    }
    const auto level = choice(a, "group", group_level_text, std::optional{group_level::meter});
    const auto readings_file = a.get("readings");
    const auto db_file = a.get("db");
    if (readings_file.has_value() == db_file.has_value())
        throw config_error(errc::usage, "kvant consumption: give either --readings FILE or --db FILE (see --help)");
    if (readings_file && level != group_level::meter)
        throw config_error(errc::usage, "kvant consumption: --group needs --db (the relations of meters)");
    import_options io;
    if (auto off = a.get("assume-offset")) {
        int minutes = 0;
        if (!parse_utc_offset(*off, minutes))
            throw config_error(errc::usage, "--assume-offset '" + *off + "': expected Z, +HH:MM or -HH:MM");
        io.default_offset_minutes = minutes;
    }

    std::vector<meter_consumption> results;
    fleet f;
    auto compute = [&](const meter_series& s, const meter* m, const meter_model* model, const zone& z,
                       const organization* org) {
        consumption_options o;
        o.periods = {kind, billing_day.value_or(org ? org->billing_start_day : 1)};
        const register_params p = m ? register_params_of(*m, model) : register_params{};
        results.push_back(consumption(s, z, p, o));
    };
    if (readings_file) {
        const std::string text = read_file(*readings_file);
        const auto table = std::make_shared<const reading_table>(parse_readings_csv(text, *readings_file, io));
        std::map<std::string, meter, std::less<>> meters;
        if (auto mf = a.get("meters")) {
            const std::string mt = read_file(*mf);
            for (auto& m : parse_meters_csv(mt, *mf, io)) meters.emplace(m.serial, std::move(m));
        }
        for (const auto& s : meter_series::from_table(table)) {  // shares the table's columns
            const auto it = meters.find(s.serial());
            const meter* m = it == meters.end() ? nullptr : &it->second;
            compute(s, m, nullptr, m && m->time_zone ? *m->time_zone : zone::utc(), nullptr);
        }
    } else {
        sqlite_store db(*db_file, sqlite_store::mode::read_only);
        f = load_fleet(db);
        const instant from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
        const instant to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
        for (const auto& m : f.meters()) {
            const auto batch = db.readings(m.serial, from, to);
            if (batch.empty()) continue;
            const auto series = meter_series::from_table(batch);
            compute(series.front(), &m, f.model_of(m), f.zone_of(m), f.organization_of(m));
        }
    }

    report_options ro;
    ro.kind = kind;
    ro.complete_only = a.flag("complete-only");
    std::ofstream file;
    std::ostream* out = &std::cout;
    if (auto o = a.get("out"); o && *o != "-") {
        file.open(*o, std::ios::binary);
        if (!file) throw storage_error(errc::storage_io, "cannot write " + *o);
        out = &file;
    }
    const bool json = a.flag("json");
    if (level == group_level::meter) {
        json ? write_consumption_json(*out, results, ro) : write_consumption_csv(*out, results, ro);
    } else {
        const auto rows = aggregate(f, results, level);
        json ? write_groups_json(*out, rows, ro) : write_groups_csv(*out, rows, ro);
    }
    out->flush();
    if (!*out) throw storage_error(errc::storage_io, "error while writing the output");
    return 0;
}

}  // namespace kvant::cli
