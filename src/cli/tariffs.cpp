// kvant split and kvant cost: consumption per tariff zone, and its cost under rates per zone.
#include <iostream>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/cost.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/io/urdb.hpp"
#include "kvant/model/tariff_json.hpp"

namespace kvant::cli {

namespace {

/// --schedule: a preset name, a schedule JSON file, or an OpenEI URDB rate JSON file (its rates come along).
tariff_schedule load_schedule(const std::string& spec, std::vector<rate>* urdb_rates) {
    if (auto preset = preset_schedule(spec)) return *preset;
    const std::string text = read_file(spec);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw parse_error(errc::json, std::string("not JSON: ") + e.what(),
                          location{spec, 0, "", static_cast<std::int64_t>(e.byte)});
    }
    if (j.contains("energyweekdayschedule") || j.contains("items")) {
        auto imp = import_urdb(text, spec);
        if (imp.had_tiers)
            std::cerr << "kvant: " << spec << ": URDB tiers beyond the first are not imported\n";
        if (urdb_rates)
            for (const auto& [z, price] : imp.rates)
                urdb_rates->push_back({z, date::year{1970} / 1 / 1, price});
        return imp.schedule;
    }
    try {
        return j.get<tariff_schedule>();
    } catch (const parse_error& e) {
        throw parse_error(e.code(), e.reason(), location{spec, 0, e.where().field, -1});
    }
}

/// A rates CSV: zone,from,price.
std::vector<rate> load_rates(const std::string& file) {
    const std::string text = read_file(file);
    csv_reader rd(text, file);
    std::vector<std::string_view> f;
    if (!rd.next(f))
        throw parse_error(errc::csv_header, "empty file: expected zone,from,price",
                          location{file, 1, "", -1});
    const csv_header h(f, rd.where(), {"zone", "from", "price"}, {"zone", "from", "price"});
    std::vector<rate> out;
    while (rd.next(f)) {
        if (f.size() != h.size()) throw parse_error(errc::csv_syntax, "expected 3 fields", rd.where());
        rate r;
        r.zone = std::string(f[static_cast<std::size_t>(h.index("zone"))]);
        if (r.zone.empty()) throw parse_error(errc::missing_field, "zone is empty", rd.where("zone"));
        r.from = parse_date(f[static_cast<std::size_t>(h.index("from"))], rd.where("from"));
        r.price = decimal::parse(f[static_cast<std::size_t>(h.index("price"))], rd.where("price"));
        out.push_back(std::move(r));
    }
    return out;
}

consumption_options options_for(const args& a, const meter_input& mi, period_kind kind) {
    consumption_options o;
    o.periods = {kind, billing_day_option(a).value_or(mi.billing_day)};
    return o;
}

}  // namespace

int run_split(const args& a) {
    const period_kind kind = a.choice("by", period_kind_text);
    const tariff_calendar cal(load_schedule(a.require("schedule"), nullptr));
    const std::string source = a.get("source").value();  // auto, schedule or registers: checked when parsed
    const inputs in = load_inputs(a);
    const bool complete_only = a.flag("complete-only");
    output out(a);
    auto& os = out.stream();
    os << "meter,period,zone,value,complete\n";
    // switches are computed once per distinct calendar zone and shared by its meters
    std::vector<std::pair<std::string, std::vector<zone_switch>>> switch_cache;
    for (const auto& mi : in.meters) {
        const auto o = options_for(a, mi, kind);
        const register_params p = mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
        zone_consumption z;
        // a meter's own registers stand for the schedule's zones only when it has one register per zone
        const bool own_registers = mi.tariff_registers > 1 && mi.series.has(register_id::t1) &&
                                   static_cast<std::size_t>(mi.tariff_registers) == cal.leaf_count();
        if (source == "registers" || (source == "auto" && own_registers)) {
            z = split_by_registers(consumption(mi.series, mi.calendar, p, o), cal);
        } else {
            const auto periods = periods_of(mi.series, mi.calendar, o);
            std::span<const zone_switch> sw;
            if (!periods.empty()) {
                const std::string key = cal.basis(mi.calendar).name() + "|" +
                                        to_string(periods.front().begin) + "|" +
                                        to_string(periods.back().end);
                auto it = std::find_if(switch_cache.begin(), switch_cache.end(),
                                       [&](const auto& c) { return c.first == key; });
                if (it == switch_cache.end()) {
                    switch_cache.emplace_back(
                        key, cal.switches(periods.front().begin, periods.back().end, mi.calendar));
                    it = switch_cache.end() - 1;
                }
                sw = it->second;
            }
            z = split_by_schedule(mi.series, mi.calendar, cal, p, o, sw);
        }
        for (std::size_t k = 0; k < z.periods.size(); ++k) {
            if (complete_only && !z.complete[k]) continue;
            const std::string label = period_label(z.periods[k].start_date, kind);
            for (std::size_t zi = 0; zi < z.zones.size(); ++zi)
                os << z.meter << ',' << label << ',' << z.zones[zi] << ','
                   << to_string(decimal::from_raw(z.value[zi][k])) << ',' << int(z.complete[k]) << '\n';
        }
    }
    out.finish();
    return 0;
}

int run_cost(const args& a) {
    const period_kind kind = a.choice("by", period_kind_text);
    std::vector<rate> rates;
    const tariff_calendar cal(load_schedule(a.require("schedule"), &rates));
    if (auto rf = a.get("rates")) rates = load_rates(*rf);
    if (rates.empty()) throw config_error(errc::usage, "--rates FILE is required (zone,from,price)");
    const auto level = a.choice("group", group_level_text);
    if (a.get("readings") && level != group_level::meter)
        throw config_error(errc::usage, "--group needs --db (the relations of meters)");
    const inputs in = load_inputs(a);
    std::vector<meter_cost> bills;
    for (const auto& mi : in.meters) {
        const register_params p = mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
        bills.push_back(cost(mi.series, mi.calendar, cal, rates, p, options_for(a, mi, kind)));
    }
    const bool complete_only = a.flag("complete-only");
    output out(a);
    auto& os = out.stream();
    if (level == group_level::meter) {
        os << "meter,period,zone,rate_from,quantity,price,amount,complete\n";
        for (const auto& b : bills)
            for (const auto& l : b.lines) {
                if (complete_only && !b.complete[l.period]) continue;
                os << b.meter << ',' << period_label(b.periods[l.period].start_date, kind) << ',' << l.zone
                   << ',' << to_string(l.rate_from) << ',' << to_string(decimal::from_raw(l.quantity)) << ','
                   << to_string(l.price) << ',' << to_string(l.amount) << ',' << int(b.complete[l.period])
                   << '\n';
            }
    } else {
        os << "group,role,period,amount,complete,meters\n";
        for (const auto& g : aggregate_cost(in.relations, bills, level)) {
            if (complete_only && !g.complete) continue;
            os << g.group << ',' << to_string(g.role) << ',' << period_label(g.period_start, kind) << ','
               << to_string(g.total) << ',' << int(g.complete) << ',' << g.meters << '\n';
        }
    }
    out.finish();
    return 0;
}

}  // namespace kvant::cli
