// kvant split and kvant cost: consumption per tariff zone, and its cost under rates per zone.
#include <iostream>

#include <algorithm>
#include <map>
#include <mutex>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/cost.hpp"
#include "kvant/algorithms/tariff_resolution.hpp"
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

namespace {

/// The stored tariffs of a database, for `kvant cost --db` without --schedule or --rates: each meter billed
/// under the schedule and rates in force for it (algorithms/tariff_resolution.hpp). What the command line
/// gives wins: `explicit_calendar` and `explicit_rates`, when set, replace the stored ones for every meter.
class stored_tariffs {
  public:
    stored_tariffs(tariff_book book, const tariff_calendar* explicit_calendar,
                   const std::vector<rate>* explicit_rates)
        : book_(std::move(book)), calendar_(explicit_calendar), rates_(explicit_rates) {
        for (const auto& sch : book_.schedules) calendars_.emplace(sch.id, tariff_calendar(sch));
    }

    /// The bill of one meter: each period under the schedule in force on its first day, its rates cut where
    /// a price changes; each run of periods under one schedule billed over those periods alone. config_error
    /// naming the meter and the date when no schedule or rate is in force.
    meter_cost bill(const meter_input& mi, const fleet& f, const consumption_options& o) const {
        const std::string& serial = mi.series.serial();
        const auto periods = periods_of(mi.series, mi.calendar, o);
        const register_params p = mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
        tariff_subject subject;
        subject.meter = serial;
        if (mi.entity) subject = subject_of(f, *mi.entity);
        // the schedule of each period, by its first local day
        std::vector<std::string> schedule_of(periods.size());
        for (std::size_t k = 0; k < periods.size(); ++k) {
            if (calendar_) {
                schedule_of[k] = calendar_->schedule().id;
                continue;
            }
            const auto* as = assignment_at(book_, subject, periods[k].start_date);
            if (!as)
                throw config_error(errc::config, "meter " + serial + ": no tariff schedule in force on " +
                                                     to_string(periods[k].start_date) +
                                                     " (none assigned to the meter, its building or its "
                                                     "organisation; or give --schedule)");
            schedule_of[k] = as->schedule;
        }
        meter_cost out;
        out.meter = serial;
        out.periods = periods;
        out.total.assign(periods.size(), money{});
        out.complete.assign(periods.size(), 0);
        // each run of consecutive periods under one schedule is billed on its own, over those periods only:
        // the rates of a schedule assigned from July need not cover May, billed under the schedule before
        for (std::size_t first = 0; first < periods.size();) {
            const std::string& id = schedule_of[first];
            std::size_t last = first;
            while (last + 1 < periods.size() && schedule_of[last + 1] == id) ++last;
            const tariff_calendar* cal = calendar_;
            if (!cal) {
                const auto it = calendars_.find(id);
                if (it == calendars_.end())
                    throw config_error(errc::config, "meter " + serial + ": tariff schedule " + excerpt(id) +
                                                         " assigned on " +
                                                         to_string(periods[first].start_date) +
                                                         " is not stored");
                cal = &it->second;
            }
            const std::vector<rate> rates = rates_ ? *rates_ : rate_timeline(book_, subject, id);
            if (rates.empty())
                throw config_error(errc::config, "meter " + serial + ": no rate of tariff schedule " +
                                                     excerpt(id) + " in force on " +
                                                     to_string(periods[first].start_date) +
                                                     " (or give --rates)");
            consumption_options run = o;
            run.from = periods[first].begin;
            run.to = periods[last].end;
            meter_cost part;
            try {
                part = cost(mi.series, mi.calendar, *cal, rates, p, run);
            } catch (const config_error& e) {
                throw config_error(e.code(), "meter " + serial + ": " + std::string(e.message()));
            }
            // part's periods are periods[first..last], numbered from 0
            for (auto& line : part.lines)
                if (first + line.period <= last) {
                    line.period += first;
                    out.lines.push_back(std::move(line));
                }
            for (std::size_t j = 0; j < part.periods.size() && first + j <= last; ++j) {
                out.total[first + j] = part.total[j];
                out.complete[first + j] = part.complete[j];
            }
            first = last + 1;
        }
        std::stable_sort(out.lines.begin(), out.lines.end(),
                         [](const cost_line& x, const cost_line& y) { return x.period < y.period; });
        return out;
    }

  private:
    tariff_book book_;
    const tariff_calendar* calendar_;
    const std::vector<rate>* rates_;
    std::map<std::string, tariff_calendar> calendars_;
};

}  // namespace

int run_cost(const args& a) {
    const period_kind kind = a.choice("by", period_kind_text);
    std::vector<rate> rates;
    std::optional<tariff_calendar> cal;
    if (auto spec = a.get("schedule")) cal.emplace(load_schedule(*spec, &rates));
    if (auto rf = a.get("rates")) rates = load_rates(*rf);
    const auto level = a.choice("group", group_level_text);
    if (a.get("readings") && level != group_level::meter)
        throw config_error(errc::usage, "--group needs --db (the relations of meters)");
    // with --db, what the command line does not give comes from the store
    std::optional<stored_tariffs> stored;
    if (a.get("db") && (!cal || rates.empty())) {
        const sqlite_store db = open_store(a, sqlite_store::mode::read_only);
        stored.emplace(load_tariffs(db), cal ? &*cal : nullptr, rates.empty() ? nullptr : &rates);
    } else {
        if (!cal) throw config_error(errc::usage, "--schedule is required without --db");
        if (rates.empty()) throw config_error(errc::usage, "--rates FILE is required (zone,from,price)");
    }
    meter_inputs in(a);
    std::vector<meter_cost> bills;
    in.run<meter_cost>(
        [&](const meter_input& mi) {
            if (stored) return stored->bill(mi, in.relations(), options_for(a, mi, kind));
            const register_params p =
                mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
            return cost(mi.series, mi.calendar, *cal, rates, p, options_for(a, mi, kind));
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
