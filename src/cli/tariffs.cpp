// kvant split and kvant cost: consumption per tariff zone, and its cost under rates per zone.
#include <iostream>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/cost.hpp"
#include "kvant/io/tariff_files.hpp"
#include "kvant/reports/reports.hpp"

namespace kvant::cli {

namespace {

/// --schedule: a preset name, a schedule JSON file, or an OpenEI URDB rate JSON file (its rates come along).
tariff_schedule load_schedule(const std::string& spec, std::vector<rate>* urdb_rates) {
    auto file = kvant::load_schedule(spec);
    if (file.urdb_tiers_dropped)
        std::cerr << "kvant: " << spec << ": URDB tiers beyond the first are not imported\n";
    if (urdb_rates) urdb_rates->insert(urdb_rates->end(), file.rates.begin(), file.rates.end());
    return std::move(file.schedule);
}

/// A rates CSV: zone,from,price.
std::vector<rate> load_rates(const std::string& file) {
    return parse_rates_csv(read_file(file), file);
}

}  // namespace

int run_split(const args& a) {
    period_report_options o;
    o.by = a.choice("by", period_kind_text);
    o.billing_day = billing_day_option(a);
    o.complete_only = a.flag("complete-only");
    const tariff_calendar cal(load_schedule(a.require("schedule"), nullptr));
    const split_source from = split_source_text.parse(a.get("source").value());  // checked when parsed
    o.group = a.choice("group", group_level_text);
    if (a.get("readings") && o.group != group_level::meter)
        throw config_error(errc::usage, "--group needs --db (the relations of meters)");
    meter_inputs in(a);
    o.run = in.run();
    output out(a);
    split_report(in.source(), cal, o, from).write_csv(out.stream());
    out.finish();
    return 0;
}

int run_cost(const args& a) {
    cost_report_options o;
    o.by = a.choice("by", period_kind_text);
    o.billing_day = billing_day_option(a);
    o.complete_only = a.flag("complete-only");
    if (auto spec = a.get("schedule")) {
        o.schedule = load_schedule(*spec, &o.rates);
        (void)tariff_calendar(*o.schedule);  // a schedule's problems before anything is read
    }
    if (auto rf = a.get("rates")) o.rates = load_rates(*rf);
    o.group = a.choice("group", group_level_text);
    if (a.get("readings") && o.group != group_level::meter)
        throw config_error(errc::usage, "--group needs --db (the relations of meters)");
    // with --db, what the command line does not give comes from the store
    if (!a.get("db")) {
        if (!o.schedule) throw config_error(errc::usage, "--schedule is required without --db");
        if (o.rates.empty()) throw config_error(errc::usage, "--rates FILE is required (zone,from,price)");
    }
    meter_inputs in(a);
    o.run = in.run();
    output out(a);
    cost_report(in.source(), o).write_csv(out.stream());
    out.finish();
    return 0;
}

}  // namespace kvant::cli
