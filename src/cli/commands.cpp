#include "commands.hpp"
#include "inputs.hpp"

#include <fstream>
#include <iostream>
#include <map>

#include "kvant/kvant.hpp"

namespace kvant::cli {

namespace {

const std::vector<std::pair<std::string, table_kind>> table_options{
    {"organizations", table_kind::organizations}, {"abonents", table_kind::abonents},
    {"accounts", table_kind::accounts},           {"points", table_kind::metering_points},
    {"models", table_kind::meter_models},         {"meters", table_kind::meters},
    {"readings", table_kind::readings},           {"events", table_kind::events}};

import_options import_options_from(const args& a) {
    import_options o;
    o.conflict = choice(a, "on-conflict", on_conflict_text, std::optional{on_conflict::fail});
    if (auto off = a.get("assume-offset")) {
        int minutes = 0;
        if (!parse_utc_offset(*off, minutes))
            throw config_error(errc::usage, "--assume-offset '" + *off + "': expected Z, +HH:MM or -HH:MM");
        o.default_offset_minutes = minutes;
    }
    if (auto d = a.get("delimiter")) {
        if (d->size() != 1) throw config_error(errc::usage, "--delimiter takes one character, such as ';'");
        o.delimiter = (*d)[0];
    }
    return o;
}

void print_report(const import_report& r, std::ostream& out) {
    out << "imported " << r.rows << " rows: " << r.stats.inserted << " new, " << r.stats.unchanged
        << " unchanged, " << r.stats.replaced << " replaced, " << r.stats.kept << " kept";
    out << "; " << r.warning_count << " warning" << (r.warning_count == 1 ? "" : "s") << "\n";
    for (const auto& w : r.warnings)
        std::cerr << "warning: " << w.where.to_string() << ": " << w.what.to_string() << "\n";
    if (r.warning_count > r.warnings.size())
        std::cerr << "(" << r.warning_count - r.warnings.size() << " more warnings not shown)\n";
}

int run_import(const args& a) {
    sqlite_store db(a.require("db"), sqlite_store::mode::create);
    std::vector<std::pair<table_kind, std::filesystem::path>> files;
    for (const auto& [opt, kind] : table_options)
        if (auto f = a.get(opt)) files.emplace_back(kind, *f);
    if (files.empty()) throw config_error(errc::usage, "kvant import: name at least one file (see --help)");
    print_report(import_csv_files(db, files, import_options_from(a)), std::cout);
    return 0;
}

int run_export(const args& a) {
    sqlite_store db(a.require("db"), sqlite_store::mode::read_only);
    const auto table = a.get("table");
    const auto out = a.get("out");
    if (!table) {
        if (!out)
            throw config_error(errc::usage, "kvant export: give --out DIR for all tables, or --table NAME");
        std::filesystem::create_directories(*out);
        for (const auto& [opt, kind] : table_options) {
            const auto path = std::filesystem::path(*out) / (std::string(to_string(kind)) + ".csv");
            std::ofstream f(path, std::ios::binary);
            if (!f) throw storage_error(errc::storage_io, "cannot write " + path.string());
            export_csv(db, kind, f);
            if (!f) throw storage_error(errc::storage_io, "error while writing " + path.string());
        }
        std::cout << "exported " << table_options.size() << " tables to " << *out << "\n";
        return 0;
    }
    const table_kind kind = choice(a, "table", table_kind_text);
    if (!out || *out == "-") {
        export_csv(db, kind, std::cout);
        return std::cout ? 0 : 1;
    }
    std::ofstream f(*out, std::ios::binary);
    if (!f) throw storage_error(errc::storage_io, "cannot write " + *out);
    export_csv(db, kind, f);
    if (!f) throw storage_error(errc::storage_io, "error while writing " + *out);
    return 0;
}

int run_validate(const args& a) {
    sqlite_store db(a.require("db"), sqlite_store::mode::read_only);
    std::size_t count = 0, errors = 0;
    // the database as a whole first: what it finds could make the reads below fail
    for (const auto& i : db.check()) {
        std::cout << i.to_string() << "\n";
        ++count;
        errors += i.level == severity::error;
    }
    issues found;
    auto add = [&](issues more) { found.insert(found.end(), more.begin(), more.end()); };
    std::size_t meters = 0, readings_checked = 0;
    try {
        for (const auto& o : db.all<organization>()) add(validate(o));
        for (const auto& x : db.all<abonent>()) add(validate(x));
        for (const auto& x : db.all<account>()) add(validate(x));
        for (const auto& x : db.all<metering_point>()) add(validate(x));
        std::map<std::string, meter_model> models;
        for (const auto& x : db.all<meter_model>()) {
            add(validate(x));
            models.emplace(x.id, x);
        }
        const instant from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
        const instant to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
        for (const auto& m : db.all<meter>()) {
            ++meters;
            const auto it = models.find(m.model);
            const meter_model* model = it == models.end() ? nullptr : &it->second;
            add(validate(m, model));
            const auto t = db.readings(m.serial, from, to);
            readings_checked += t.size();
            const meter* ms[] = {&m};
            const int tariffs[] = {effective_tariff_registers(m, model)};
            for (auto& ri : validate(t, ms, tariffs)) found.push_back(std::move(ri.what));
        }
    } catch (const storage_error& e) {
        // a row the checks above reported stops the entity and reading checks here
        std::cout << "error: " << e.message() << "\n";
        ++count;
        ++errors;
    }
    for (const auto& i : found) {
        std::cout << i.to_string() << "\n";
        errors += i.level == severity::error;
    }
    count += found.size();
    std::cout << count << " issues (" << errors << " errors, " << count - errors << " warnings) in " << meters
              << " meters and " << readings_checked << " readings\n";
    return errors ? 1 : 0;
}

int run_version(const args&) {
    std::cout << "kvant " << version_string() << "\n";
    return 0;
}

const std::vector<option_spec> import_file_options{
    {"organizations", "FILE", "organizations CSV"},
    {"abonents", "FILE", "abonents CSV"},
    {"accounts", "FILE", "personal accounts CSV"},
    {"points", "FILE", "metering points CSV"},
    {"models", "FILE", "meter models (passports) CSV"},
    {"meters", "FILE", "meters CSV"},
    {"readings", "FILE", "readings CSV: meter,timestamp,value or meter,timestamp,total,t1,t2,t3,t4"},
    {"events", "FILE", "meter events CSV"},
};

std::vector<option_spec> import_spec_options() {
    std::vector<option_spec> o{{"db", "FILE", "the SQLite database (created when absent)"}};
    o.insert(o.end(), import_file_options.begin(), import_file_options.end());
    o.push_back(
        {"on-conflict", "POLICY", "fail (default), keep or replace readings stored with other values"});
    o.push_back({"assume-offset", "OFFSET", "UTC offset for timestamps written without one, e.g. +03:00"});
    o.push_back({"delimiter", "CHAR", "field delimiter (default ',')"});
    return o;
}

std::vector<option_spec> with_inputs(std::vector<option_spec> own) {
    auto all = input_options();
    all.insert(all.end(), own.begin(), own.end());
    return all;
}

}  // namespace

const std::vector<command>& commands() {
    static const std::vector<command> all = [] {
        std::vector<command> list{
            {{"demo",
              "Builds a SQLite database from the bundled sample data (the demo partnership of the seeds: 18 "
              "abonents, "
              "55 meters)\nand prints what the abonent bot and the organisation summary show.",
              {{"db", "FILE", "where to write the database (default: kvant-demo.db; replaced if present)"},
               {"data", "DIR", "the sample data folder (default: found beside the program)"},
               {"account", "NUMBER", "the personal account to show in the bot view (default: A15900009360)"},
               {"lang", "ru|en", "the language of the labels (default: ru)"}},
              ""},
             run_demo},
            {{"import",
              "Imports CSV files into a SQLite database in one transaction: on any error nothing is "
              "imported.",
              import_spec_options(),
              "Files are imported in reference order (organizations, abonents, accounts, points, models, "
              "meters,\n"
              "readings, events) whatever the order given. docs/csv.md describes every format."},
             run_import},
            {{"export",
              "Exports a SQLite database as CSV: every table into a folder, or one table to a file or "
              "stdout.",
              {{"db", "FILE", "the SQLite database"},
               {"table", "NAME",
                "organizations, abonents, accounts, metering_points, meter_models, meters, readings "
                "or events"},
               {"out", "PATH", "a folder (all tables) or a file (one table; '-' or absent: stdout)"}},
              ""},
             run_export},
            {{"consumption",
              "Consumption per day, month, year or billing period, per meter or per group, from CSV files or "
              "a database.",
              with_inputs(
                  {{"by", "PERIOD", "day, month, year or billing"},
                   {"billing-day", "N",
                    "the day billing periods start (default: the organisation's, else 1)"},
                   {"complete-only", "", "leave out periods that readings do not bracket"},
                   {"group", "LEVEL",
                    "meter (default), point, account, abonent, building or organization (needs --db)"},
                   {"json", "", "JSON instead of CSV"},
                   {"out", "FILE", "where to write (default: stdout)"}}),
              "CSV output: meter,period,register,value,complete (period: YYYY-MM-DD, YYYY-MM or YYYY, the "
              "local start).\n"
              "Meters missing from --meters are taken in UTC with ratio 1 and unknown register digits.\n"
              "Per group: group,resource,role,period,register,value,complete,meters."},
             run_consumption},
            {{"split",
              "Consumption per tariff zone: total-only profiles cut at the schedule's switch times; meters "
              "with their own\n"
              "tariff registers keep them.",
              with_inputs(
                  {{"schedule", "NAME|FILE",
                    "single, two-zone, three-zone, a schedule JSON or an OpenEI URDB JSON"},
                   {"by", "PERIOD", "day, month, year or billing"},
                   {"billing-day", "N", "the day billing periods start"},
                   {"source", "WHAT",
                    "auto (default: registers where the meter has one per zone), schedule or registers"},
                   {"complete-only", "", "leave out periods that readings do not bracket"},
                   {"out", "FILE", "where to write (default: stdout)"}}),
              "CSV output: meter,period,zone,value,complete; zones as the schedule names them, then its "
              "groups\n"
              "(three-zone: peak, semi-peak, night, day) and total."},
             run_split},
            {{"cost", "The cost of consumption under rates per tariff zone with effective dates.",
              with_inputs(
                  {{"schedule", "NAME|FILE",
                    "single, two-zone, three-zone, a schedule JSON or an OpenEI URDB JSON"},
                   {"rates", "FILE",
                    "rates CSV: zone,from,price (zone: a zone, a group such as day, or total)"},
                   {"by", "PERIOD", "day, month, year or billing"},
                   {"billing-day", "N", "the day billing periods start"},
                   {"group", "LEVEL",
                    "meter (default), point, account, abonent, building or organization (needs --db)"},
                   {"complete-only", "", "leave out periods that readings do not bracket"},
                   {"out", "FILE", "where to write (default: stdout)"}}),
              "CSV output: meter,period,zone,rate_from,quantity,price,amount,complete; per group:\n"
              "group,role,period,amount,complete,meters. Amounts are rounded to kopecks half away from zero, "
              "per line."},
             run_cost},
            {{"validate",
              "Checks every entity and reading of a SQLite database and lists the issues found.\nExit code 1 "
              "when "
              "any issue is an error, 0 when there are only warnings.",
              {{"db", "FILE", "the SQLite database"}},
              ""},
             run_validate},
            {{"version", "Prints the library version.", {}, ""}, run_version},
        };
        auto checks = check_commands();
        checks.push_back(estimate_command());
        checks.push_back(building_share_command());
        list.insert(list.end() - 2, checks.begin(), checks.end());
        return list;
    }();
    return all;
}

}  // namespace kvant::cli
