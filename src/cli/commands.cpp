#include "commands.hpp"
#include "inputs.hpp"

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "kvant/kvant.hpp"

namespace kvant::cli {

namespace {

const std::vector<std::pair<std::string, table_kind>> table_options{
    {"organizations", table_kind::organizations},
    {"abonents", table_kind::abonents},
    {"accounts", table_kind::accounts},
    {"points", table_kind::metering_points},
    {"models", table_kind::meter_models},
    {"meters", table_kind::meters},
    {"readings", table_kind::readings},
    {"events", table_kind::events},
    // ---- meter state
    {"relay-changes", table_kind::relay_changes},
    {"sessions", table_kind::sessions},
    // ---- tariffs
    {"tariff-schedules", table_kind::tariff_schedules},
    {"tariff-assignments", table_kind::tariff_assignments},
    {"tariff-rates", table_kind::tariff_rates},
    {"normatives", table_kind::normatives}};

option_spec policy_spec() {
    return opt::choice("policy", "POLICY", validation_policy_text,
                       "rules real data breaks (check digits, passport dates): warnings or errors "
                       "(docs/validation.md)")
        .defaults_to("lenient");
}

import_options import_options_from(const args& a) {
    import_options o;
    o.conflict = a.choice("on-conflict", on_conflict_text);
    if (auto minutes = a.offset_minutes("assume-offset")) o.default_offset_minutes = *minutes;
    if (auto d = a.character("delimiter")) o.delimiter = *d;
    o.policy = a.choice("policy", validation_policy_text);
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

/// "DB: schema version N, M values", and for PostgreSQL which server holds which readings partitions.
void print_schema(const args& a, const store& db) {
    if (const auto* pg = dynamic_cast<const postgres_store*>(&db)) {
        const auto servers = pg->layout();
        std::size_t partitions = 0;
        std::ostringstream lines;
        for (const auto& s : servers) {
            partitions += s.partitions.size();
            lines << "  " << s.server << " (" << s.where << "): partitions";
            for (const int p : s.partitions) lines << ' ' << p;
            lines << "\n";
        }
        const auto values = db.reading_count();
        std::cout << pg->where() << ": schema version " << postgres_store::schema_version << ", "
                  << partitions << " readings partitions on " << servers.size() << " server"
                  << (servers.size() == 1 ? "" : "s") << ", " << values << " values\n"
                  << lines.str();
        return;
    }
    const auto values = db.reading_count();
    std::cout << a.require("db") << ": schema version " << sqlite_store::schema_version << ", " << values
              << " values\n";
}

void require_postgres(const args& a, std::string_view what) {
    if (!db_is_postgres(a))
        throw config_error(errc::usage, std::string(what) +
                                            " needs a PostgreSQL database (postgresql://… or "
                                            "'host=… dbname=…'), not a SQLite file");
}

int run_import(const args& a) {
    std::vector<std::pair<table_kind, std::filesystem::path>> files;
    for (const auto& [opt, kind] : table_options)
        if (auto f = a.get(opt)) files.emplace_back(kind, *f);
    // a usage error leaves no trace: checked before the database is created
    if (files.empty()) throw config_error(errc::usage, "name at least one file (see --help)");
    auto options = import_options_from(a);
    // a readings file of millions of rows: the rows read and the rate, on a terminal (stderr)
    progress shown("rows", 0, quiet_option(a));
    options.progress = [&](const import_progress& p) { shown.update(static_cast<std::size_t>(p.rows)); };
    const std::string db_name = a.get("db").value();
    // A failed import changes nothing, and that includes not creating a new database: into a database that
    // does not exist yet, the files go into a temporary database beside it, put in place only once the import
    // committed (import_csv_files_into_new_database). A PostgreSQL database gets its schema when it has none
    // (committed on its own, an empty schema staying after a failed import); the files are one transaction.
    import_report report;
    if (db_is_postgres(a)) {
        const auto db_handle = open_db(a, open_mode::create);
        db_handle->set_validation_policy(options.policy);
        report = import_csv_files(*db_handle, files, options);
    } else if (a.integer("partitions")) {
        throw config_error(errc::usage, "--partitions applies to a PostgreSQL database only");
    } else if (const std::filesystem::path db_file = db_name; !std::filesystem::exists(db_file)) {
        report = import_csv_files_into_new_database(db_file, files, options);
    } else {
        const auto db_handle = open_db(a, open_mode::open);
        store& db = *db_handle;
        db.set_validation_policy(options.policy);
        report = import_csv_files(db, files, options);
    }
    shown.finish();
    print_report(report, std::cout);
    return 0;
}

int run_export(const args& a) {
    const auto table = a.get("table");
    const auto out = a.get("out");
    if (!table && !out) throw config_error(errc::usage, "give --out DIR for all tables, or --table NAME");
    export_options eo;
    eo.layout = choice(a, "layout", csv_layout_text);
    const auto db_handle = open_db(a, open_mode::read_only);
    store& db = *db_handle;
    if (!table) {
        std::filesystem::create_directories(*out);
        for (const auto& [opt, kind] : table_options) {
            const char* ext = kind == table_kind::tariff_schedules ? ".json" : ".csv";
            write_file_whole(std::filesystem::path(*out) / (std::string(to_string(kind)) + ext),
                             [&](std::ostream& f) { export_csv(db, kind, f, eo); });
        }
        std::cout << "exported " << table_options.size() << " tables to " << *out << "\n";
        return 0;
    }
    const table_kind kind = choice(a, "table", table_kind_text);
    if (!out || *out == "-") {
        export_csv(db, kind, std::cout, eo);
        return std::cout ? 0 : 1;
    }
    write_file_whole(*out, [&](std::ostream& f) { export_csv(db, kind, f, eo); });
    return 0;
}

int run_validate(const args& a) {
    const auto db_handle = open_db(a, open_mode::read_only);
    store& db = *db_handle;
    const validation_policy policy = a.choice("policy", validation_policy_text);
    std::size_t count = 0, errors = 0;
    // the database as a whole first: what it finds could make the reads below fail (SQLite's check; a
    // PostgreSQL server keeps its own tables whole, and its entities and readings are checked below)
    if (const auto* file = dynamic_cast<const sqlite_store*>(&db))
        for (const auto& i : file->check()) {
            std::cout << i.to_string() << "\n";
            ++count;
            errors += i.level == severity::error;
        }
    issues found;
    auto add = [&](issues more) { found.insert(found.end(), more.begin(), more.end()); };
    std::size_t meters = 0, readings_checked = 0;
    try {
        for (const auto& o : db.all<organization>()) add(validate(o, policy));
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
            add(validate(m, model, policy));
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

int run_migrate(const args& a) {
    // opening for writing migrates a database of an earlier schema to the current one, in one transaction
    // (PostgreSQL: schema version 1 is the first, nothing to migrate yet)
    const auto db_handle = open_db(a, open_mode::open);
    print_schema(a, *db_handle);
    return 0;
}

int run_init(const args& a) {
    const auto db_handle = open_db(a, open_mode::create);
    print_schema(a, *db_handle);
    return 0;
}

int run_distribute(const args& a) {
    require_postgres(a, "kvant distribute");
    const auto shards = a.all("shard");
    if (shards.empty()) throw config_error(errc::usage, "name at least one --shard (see --help)");
    for (const auto& s : shards)
        if (!names_postgres(s))
            throw config_error(errc::usage,
                               "--shard " + excerpt(s) + ": not a PostgreSQL connection string or URI");
    const auto db_handle = open_db(a, open_mode::open);
    auto& db = dynamic_cast<postgres_store&>(*db_handle);
    db.distribute(shards);
    print_schema(a, db);
    return 0;
}

int run_version(const args&) {
    std::cout << "kvant " << version_string() << "\n";
    return 0;
}

std::vector<option_spec> import_spec_options() {
    return {
        db_spec("the database (created when absent)").mandatory(),
        opt::busy_timeout(),
        partitions_spec(),
        opt::path("organizations", "FILE", "organizations CSV"),
        opt::path("abonents", "FILE", "abonents CSV"),
        opt::path("accounts", "FILE", "personal accounts CSV"),
        opt::path("points", "FILE", "metering points CSV"),
        opt::path("models", "FILE", "meter models (passports) CSV"),
        opt::path("meters", "FILE", "meters CSV"),
        opt::path("readings", "FILE",
                  "readings CSV: long meter,timestamp,channel,value, or wide meter,timestamp,value or "
                  "meter,timestamp,total,t1,t2,t3,t4 (the meter's main quantity)"),
        opt::path("events", "FILE", "meter events CSV"),
        opt::path("relay-changes", "FILE", "relay (load switch) changes CSV (docs/state.md)"),
        opt::path("sessions", "FILE", "communication sessions CSV (docs/state.md)"),
        opt::path("tariff-schedules", "FILE", "tariff schedules JSON (one schedule or an array)"),
        opt::path("tariff-assignments", "FILE",
                  "schedule assignments CSV: scope,target,resource,from,schedule"),
        opt::path("tariff-rates", "FILE",
                  "stored rates CSV: schedule,scope,target,zone,from,price[,supplier]"),
        opt::path("normatives", "FILE", "normatives CSV: organization,resource,[amenities,]from,value,basis"),
        opt::choice("on-conflict", "POLICY", on_conflict_text, "readings stored with other values")
            .defaults_to("fail"),
        opt::offset("assume-offset", "UTC offset for timestamps written without one, e.g. +03:00"),
        opt::character("delimiter", "field delimiter").defaults_to(","),
        policy_spec(),
        quiet_spec()};
}

option_spec out_spec() {
    return opt::path("out", "FILE", "where to write ('-': stdout)").defaults_to("-");
}

option_spec schedule_spec() {
    return opt::text("schedule", "NAME|FILE",
                     "single, two-zone, three-zone, a schedule JSON or an OpenEI URDB JSON")
        .mandatory();
}
/// kvant cost: with --db the stored schedules apply when none is given.
option_spec cost_schedule_spec() {
    return opt::text("schedule", "NAME|FILE",
                     "single, two-zone, three-zone, a schedule JSON or an OpenEI URDB JSON; with --db and "
                     "without it, each meter's stored schedule");
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
              {opt::path("db", "FILE", "where to write the SQLite database (replaced if present)")
                   .defaults_to("kvant-demo.db"),
               opt::busy_timeout(),
               opt::path("data", "DIR", "the sample data folder (default: found beside the program)"),
               opt::text("account", "NUMBER", "the personal account to show in the bot view")
                   .defaults_to("A15900009360"),
               opt::one_of("lang", "LANG", {"ru", "en"}, "the language of the labels").defaults_to("ru")},
              ""},
             run_demo},
            {{"import",
              "Imports CSV files into a database in one transaction: on any error nothing is imported.",
              import_spec_options(),
              "Files are imported in reference order (organizations, abonents, accounts, points, models, "
              "meters,\n"
              "tariff schedules, assignments, rates, normatives, readings, events, relay changes, sessions) "
              "whatever the order given. docs/csv.md describes every format."},
             run_import},
            {{"export",
              "Exports a database as CSV: every table into a folder, or one table to a file or stdout.",
              {db_spec().mandatory(), opt::busy_timeout(),
               opt::choice("table", "NAME", table_kind_text, "one table"),
               opt::path("out", "PATH", "a folder (all tables) or a file (one table; '-' or absent: stdout)"),
               opt::choice("layout", "LAYOUT", csv_layout_text,
                           "readings: long (every channel, one row a value) or wide (total,t1..t4 of the "
                           "main quantity; refused for a meter with other channels)")
                   .defaults_to("long")},
              ""},
             run_export},
            {{"consumption",
              "Consumption per day, month, year or billing period, per meter or per group, from CSV files or "
              "a database.",
              with_inputs({opt::choice("by", "PERIOD", period_kind_text, "the periods").mandatory(),
                           billing_day_spec(),
                           opt::flag("complete-only", "leave out periods that readings do not bracket"),
                           opt::choice("group", "LEVEL", group_level_text,
                                       "the level to sum at (not meter: needs --db)")
                               .defaults_to("meter"),
                           opt::flag("json", "JSON instead of CSV"), out_spec()}),
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
                  {schedule_spec(), opt::choice("by", "PERIOD", period_kind_text, "the periods").mandatory(),
                   billing_day_spec(),
                   opt::one_of("source", "WHAT", {"auto", "schedule", "registers"},
                               "auto: registers where the meter has one per zone")
                       .defaults_to("auto"),
                   opt::choice("group", "LEVEL", group_level_text,
                               "the level to sum at (not meter: needs --db)")
                       .defaults_to("meter"),
                   opt::flag("complete-only", "leave out periods that readings do not bracket"), out_spec()}),
              "CSV output: meter,period,zone,value,complete; zones as the schedule names them, then its "
              "groups\n"
              "(three-zone: peak, semi-peak, night, day) and total. Per group: "
              "group,role,period,zone,value,complete,meters."},
             run_split},
            {{"cost", "The cost of consumption under rates per tariff zone with effective dates.",
              with_inputs(
                  {cost_schedule_spec(),
                   opt::path("rates", "FILE",
                             "rates CSV: zone,from,price (zone: a zone, a group such as day, or total); with "
                             "--db and without it, each meter's stored rates"),
                   opt::choice("by", "PERIOD", period_kind_text, "the periods").mandatory(),
                   billing_day_spec(),
                   opt::choice("group", "LEVEL", group_level_text,
                               "the level to sum at (not meter: needs --db)")
                       .defaults_to("meter"),
                   opt::flag("complete-only", "leave out periods that readings do not bracket"), out_spec()}),
              "CSV output: meter,period,zone,rate_from,quantity,price,amount,complete; per group:\n"
              "group,role,period,amount,complete,meters. Amounts are rounded to kopecks half away from zero, "
              "per line.\n"
              "With --db, what the command line gives wins: --schedule and --rates replace the stored ones "
              "for every meter;\n"
              "without them each meter is billed under the schedule and rates stored for it (the most "
              "specific of meter,\n"
              "building and organisation; docs/tariffs.md), and a meter with none in force is an error "
              "naming it and the date."},
             run_cost},
            {{"validate",
              "Checks every entity and reading of a database (a SQLite file also as a whole: integrity, "
              "schema, blocks)\nand lists the issues found. Exit code 1 when any issue is an error, 0 when "
              "there are only warnings.",
              {db_spec().mandatory(), opt::busy_timeout(), policy_spec()},
              "The rules real data is known to break (identifier check digits, passport dates out of order) "
              "are "
              "warnings\nunder --policy lenient and errors under strict (docs/validation.md)."},
             run_validate},
            {{"migrate",
              "Migrates a database written by an earlier release (schema 1, 2 or 3) to the current schema, "
              "in "
              "one transaction; a current one is left as it is.",
              {db_spec().mandatory(), opt::busy_timeout()},
              "Commands that only read refuse an old database until it is migrated (docs/storage.md)."},
             run_migrate},
            {{"init",
              "Creates an empty database (SQLite file or PostgreSQL schema), or opens an existing one, and "
              "prints its schema.",
              {db_spec().mandatory(), opt::busy_timeout(), partitions_spec()},
              "A PostgreSQL database must be empty of other tables or hold a kvant schema; --partitions is "
              "fixed when\nthe schema is created (docs/storage.md). An existing database is left as it is."},
             run_init},
            {{"distribute",
              "Moves the readings partitions of a PostgreSQL database onto other PostgreSQL servers "
              "(postgres_fdw).",
              {opt::path("db", "DB",
                         "the coordinator, a PostgreSQL database: postgresql://… or 'host=… dbname=…'")
                   .mandatory(),
               opt::busy_timeout(),
               opt::text("shard", "CONNINFO",
                         "a shard server's empty database (repeat for each): partition r goes to shard r mod "
                         "the number of shards")
                   .mandatory()
                   .repeated()},
              "One transaction on the coordinator; entities and everything but readings stay there. Needs "
              "the rights to\ncreate extensions and foreign servers. docs/scale.md describes the layout."},
             run_distribute},
            {{"version", "Prints the library version.", {}, ""}, run_version},
        };
        std::vector<command> checks{verification_command()};
        for (auto& c : anomaly_commands()) checks.push_back(std::move(c));
        checks.push_back(estimate_command());
        checks.push_back(building_share_command());
        checks.push_back(entry_command());
        checks.push_back(fields_command());
        checks.push_back(current_command());
        for (auto& c : analytics_commands()) checks.push_back(std::move(c));
        for (auto& c : decode_commands()) checks.push_back(std::move(c));
        list.insert(list.end() - 2, checks.begin(), checks.end());
        return list;
    }();
    return all;
}

}  // namespace kvant::cli
