// kvant split and kvant cost: consumption per tariff zone, and its cost under rates per zone.
#include <iostream>

#include <map>
#include <mutex>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/cost.hpp"
#include "kvant/io/tariff_files.hpp"

namespace kvant::cli {

namespace {

/// --schedule: a preset name, a schedule JSON file, or an OpenEI URDB rate JSON file (its rates come along).
tariff_schedule load_schedule(const std::string& spec, std::vector<rate>* urdb_rates) {
    if (auto preset = preset_schedule(spec)) return *preset;
    auto file = parse_schedule_file(read_file(spec), spec);
    if (file.urdb_tiers_dropped)
        std::cerr << "kvant: " << spec << ": URDB tiers beyond the first are not imported\n";
    if (urdb_rates) urdb_rates->insert(urdb_rates->end(), file.rates.begin(), file.rates.end());
    return std::move(file.schedule);
}

/// A rates CSV: zone,from,price.
std::vector<rate> load_rates(const std::string& file) {
    return parse_rates_csv(read_file(file), file);
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
    meter_inputs in(a);
    const bool complete_only = a.flag("complete-only");
    output out(a);
    auto& os = out.stream();
    os << "meter,period,zone,value,complete\n";
    // switches are computed once per distinct calendar zone and period range and shared by its meters
    std::mutex cache_lock;
    std::map<std::string, std::shared_ptr<const std::vector<zone_switch>>> switch_cache;
    in.run<zone_consumption>(
        [&](const meter_input& mi) {
            const auto o = options_for(a, mi, kind);
            const register_params p =
                mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
            // a meter's own registers stand for the schedule's zones only when it has one register per zone
            const bool own_registers = mi.tariff_registers > 1 &&
                                       mi.series.has(p.main.with_tariff(register_id::t1)) &&
                                       static_cast<std::size_t>(mi.tariff_registers) == cal.leaf_count();
            if (source == "registers" || (source == "auto" && own_registers))
                return split_by_registers(consumption(mi.series, mi.calendar, p, o), cal);
            const auto periods = periods_of(mi.series, mi.calendar, o);
            std::shared_ptr<const std::vector<zone_switch>> sw;
            if (!periods.empty()) {
                const std::string key = cal.basis(mi.calendar).name() + "|" +
                                        to_string(periods.front().begin) + "|" +
                                        to_string(periods.back().end);
                {
                    std::lock_guard lock(cache_lock);
                    if (auto it = switch_cache.find(key); it != switch_cache.end()) sw = it->second;
                }
                if (!sw) {
                    auto made = std::make_shared<const std::vector<zone_switch>>(
                        cal.switches(periods.front().begin, periods.back().end, mi.calendar));
                    std::lock_guard lock(cache_lock);
                    sw = switch_cache.try_emplace(key, std::move(made)).first->second;
                }
            }
            return split_by_schedule(mi.series, mi.calendar, cal, p, o,
                                     sw ? std::span<const zone_switch>(*sw) : std::span<const zone_switch>{});
        },
        [&](zone_consumption& z) {
            for (std::size_t k = 0; k < z.periods.size(); ++k) {
                if (complete_only && !z.complete[k]) continue;
                const std::string label = period_label(z.periods[k].start_date, kind);
                for (std::size_t zi = 0; zi < z.zones.size(); ++zi)
                    os << z.meter << ',' << label << ',' << z.zones[zi] << ','
                       << to_string(decimal::from_raw(z.value[zi][k])) << ',' << int(z.complete[k]) << '\n';
            }
        });
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
    meter_inputs in(a);
    std::vector<meter_cost> bills;
    in.run<meter_cost>(
        [&](const meter_input& mi) {
            const register_params p =
                mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
            return cost(mi.series, mi.calendar, cal, rates, p, options_for(a, mi, kind));
        },
        [&](meter_cost& b) { bills.push_back(std::move(b)); });
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
        for (const auto& g : aggregate_cost(in.relations(), bills, level)) {
            if (complete_only && !g.complete) continue;
            os << g.group << ',' << to_string(g.role) << ',' << period_label(g.period_start, kind) << ','
               << to_string(g.total) << ',' << int(g.complete) << ',' << g.meters << '\n';
        }
    }
    out.finish();
    return 0;
}

}  // namespace kvant::cli
