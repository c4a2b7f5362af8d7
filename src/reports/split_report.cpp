// split_report: `kvant split`, consumption per tariff zone.
#include <map>
#include <mutex>

#include "kvant/reports/reports.hpp"
#include "meter_options.hpp"

namespace kvant {
inline namespace v0 {

report_table split_report(meter_source& src, const tariff_schedule& schedule, const period_report_options& o,
                          split_source from) {
    const tariff_calendar cal(schedule);
    return split_report(src, cal, o, from);
}

report_table split_report(meter_source& src, const tariff_calendar& cal, const period_report_options& o,
                          split_source from) {
    const bool per_meter = o.group == group_level::meter;
    report_table t = per_meter ? report_table({{"meter", column_type::text},
                                               {"period", column_type::local_period},
                                               {"zone", column_type::text},
                                               {"value", column_type::number},
                                               {"complete", column_type::boolean}})
                               : report_table({{"group", column_type::text},
                                               {"role", column_type::text},
                                               {"period", column_type::local_period},
                                               {"zone", column_type::text},
                                               {"value", column_type::number},
                                               {"complete", column_type::boolean},
                                               {"meters", column_type::integer}});
    std::vector<zone_consumption> for_groups;
    // switches are computed once per distinct calendar zone and period range and shared by its meters
    std::mutex cache_lock;
    std::map<std::string, std::shared_ptr<const std::vector<zone_switch>>> switch_cache;
    run_meters(
        src, o.run,
        [&](const meter_input& mi) {
            const consumption_options co = detail::consumption_options_for(mi, o);
            const register_params p = detail::register_params_for(mi);
            // a meter's own registers stand for the schedule's zones only when it has one register per zone
            const bool own_registers = mi.tariff_registers > 1 &&
                                       mi.series.has(p.main.with_tariff(register_id::t1)) &&
                                       static_cast<std::size_t>(mi.tariff_registers) == cal.leaf_count();
            if (from == split_source::registers || (from == split_source::automatic && own_registers))
                return split_by_registers(consumption(mi.series, mi.calendar, p, co), cal);
            const auto periods = periods_of(mi.series, mi.calendar, co);
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
            return split_by_schedule(mi.series, mi.calendar, cal, p, co,
                                     sw ? std::span<const zone_switch>(*sw) : std::span<const zone_switch>{});
        },
        [&](zone_consumption& z) {
            if (!per_meter) {
                for_groups.push_back(std::move(z));
                return;
            }
            for (std::size_t k = 0; k < z.periods.size(); ++k) {
                if (o.complete_only && !z.complete[k]) continue;
                const std::string label = period_label(z.periods[k].start_date, o.by);
                for (std::size_t zi = 0; zi < z.zones.size(); ++zi)
                    t.set_text(0, z.meter)
                        .set_period(1, z.periods[k].begin, label)
                        .set_text(2, z.zones[zi])
                        .set_number(3, decimal::from_raw(z.value[zi][k]))
                        .set_bool(4, z.complete[k] != 0)
                        .end_row();
            }
        });
    if (!per_meter)
        for (const auto& g : aggregate_split(src.relations(), for_groups, o.group)) {
            if (o.complete_only && !g.complete) continue;
            t.set_text(0, g.group)
                .set_text(1, to_string(g.role))
                .set_period(2, g.period_begin, period_label(g.period_start, o.by))
                .set_text(3, g.zone)
                .set_number(4, decimal::from_raw(g.value))
                .set_bool(5, g.complete)
                .set_integer(6, g.meters)
                .end_row();
        }
    return t;
}

}  // namespace v0
}  // namespace kvant
