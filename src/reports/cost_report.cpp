// cost_report: `kvant cost`, the bill per meter (lines per period, zone and rate) or per group, under an
// explicit schedule and rates or the tariffs stored for each meter.
#include <algorithm>
#include <map>

#include "kvant/algorithms/tariff_resolution.hpp"
#include "kvant/reports/reports.hpp"
#include "meter_options.hpp"
#include "period_starts.hpp"

namespace kvant {
inline namespace v0 {

namespace {

/// The stored tariffs of a store: each meter billed under the schedule and rates in force for it
/// (algorithms/tariff_resolution.hpp). What the caller gives wins: `explicit_calendar` and `explicit_rates`,
/// when set, replace the stored ones for every meter.
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
        const register_params p = detail::register_params_for(mi);
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

report_table cost_report(meter_source& src, const cost_report_options& o) {
    std::optional<tariff_calendar> cal;
    if (o.schedule) cal.emplace(*o.schedule);
    // from a store, what the options do not give comes from its stored tariffs
    std::optional<stored_tariffs> stored;
    if (src.db() && (!cal || o.rates.empty())) {
        stored.emplace(load_tariffs(*src.db()), cal ? &*cal : nullptr, o.rates.empty() ? nullptr : &o.rates);
    } else {
        if (!cal) throw config_error(errc::usage, "cost: a tariff schedule is required without a store");
        if (o.rates.empty()) throw config_error(errc::usage, "cost: rates are required without a store");
    }
    std::vector<meter_cost> bills;
    run_meters(
        src, o.run,
        [&](const meter_input& mi) {
            const consumption_options co = detail::consumption_options_for(mi, o);
            if (stored) return stored->bill(mi, src.relations(), co);
            const register_params p = detail::register_params_for(mi);
            return cost(mi.series, mi.calendar, *cal, o.rates, p, co);
        },
        [&](meter_cost& b) { bills.push_back(std::move(b)); });
    if (o.group == group_level::meter) {
        report_table t({{"meter", column_type::text},
                        {"period", column_type::local_period},
                        {"zone", column_type::text},
                        {"rate_from", column_type::text},
                        {"quantity", column_type::number},
                        {"price", column_type::number},
                        {"amount", column_type::currency},
                        {"complete", column_type::boolean}});
        for (const auto& b : bills)
            for (const auto& l : b.lines) {
                if (o.complete_only && !b.complete[l.period]) continue;
                const period& pr = b.periods[l.period];
                t.set_text(0, b.meter)
                    .set_period(1, pr.begin, period_label(pr.start_date, o.by))
                    .set_text(2, l.zone)
                    .set_text(3, to_string(l.rate_from))
                    .set_number(4, decimal::from_raw(l.quantity))
                    .set_number(5, l.price)
                    .set_currency(6, l.amount)
                    .set_bool(7, b.complete[l.period] != 0)
                    .end_row();
            }
        return t;
    }
    detail::period_starts starts;
    for (const auto& b : bills) starts.add(b.periods);
    report_table t({{"group", column_type::text},
                    {"role", column_type::text},
                    {"period", column_type::local_period},
                    {"amount", column_type::currency},
                    {"complete", column_type::boolean},
                    {"meters", column_type::integer}});
    for (const auto& g : aggregate_cost(src.relations(), bills, o.group)) {
        if (o.complete_only && !g.complete) continue;
        t.set_text(0, g.group)
            .set_text(1, to_string(g.role))
            .set_period(2, starts.at(g.period_start), period_label(g.period_start, o.by))
            .set_currency(3, g.total)
            .set_bool(4, g.complete)
            .set_integer(5, g.meters)
            .end_row();
    }
    return t;
}

}  // namespace v0
}  // namespace kvant
