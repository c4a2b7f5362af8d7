// consumption_report: `kvant consumption` per meter and per group.
#include "kvant/reports/reports.hpp"
#include "meter_options.hpp"
#include "period_starts.hpp"

namespace kvant {
inline namespace v0 {

std::vector<meter_consumption> meter_consumptions(meter_source& src, const period_report_options& o) {
    std::vector<meter_consumption> results;
    run_meters(
        src, o.run,
        [&](const meter_input& mi) {
            const consumption_options co = detail::consumption_options_for(mi, o);
            const register_params p = detail::register_params_for(mi);
            return consumption(mi.series, mi.calendar, p, co);
        },
        [&](meter_consumption& r) { results.push_back(std::move(r)); });
    return results;
}

report_table consumption_table(std::span<const meter_consumption> results, const fleet& relations,
                               const period_report_options& o) {
    if (o.group == group_level::meter) {
        report_table t({{"meter", column_type::text},
                        {"period", column_type::local_period},
                        {"register", column_type::text},
                        {"value", column_type::number},
                        {"complete", column_type::boolean}});
        for (const auto& mc : results)
            for (std::size_t k = 0; k < mc.periods.size(); ++k) {
                const std::string label = period_label(mc.periods[k].start_date, o.by);
                for (const auto& rc : mc.registers) {
                    if (o.complete_only && !rc.complete[k]) continue;
                    t.set_text(0, mc.meter)
                        .set_period(1, mc.periods[k].begin, label)
                        .set_text(2, mc.label(rc.ch))
                        .set_number(3, decimal::from_raw(rc.value[k]))
                        .set_bool(4, rc.complete[k] != 0)
                        .end_row();
                }
            }
        return t;
    }
    detail::period_starts starts;
    for (const auto& mc : results) starts.add(mc.periods);
    report_table t({{"group", column_type::text},
                    {"resource", column_type::text},
                    {"role", column_type::text},
                    {"period", column_type::local_period},
                    {"register", column_type::text},
                    {"value", column_type::number},
                    {"complete", column_type::boolean},
                    {"meters", column_type::integer}});
    for (const auto& r : aggregate(relations, results, o.group)) {
        if (o.complete_only && !r.complete) continue;
        t.set_text(0, r.group)
            .set_text(1, to_string(r.measures))
            .set_text(2, to_string(r.role))
            .set_period(3, starts.at(r.period_start), period_label(r.period_start, o.by))
            .set_text(4, channel_label(r.ch, channel::main(r.measures)))
            .set_number(5, decimal::from_raw(r.value))
            .set_bool(6, r.complete)
            .set_integer(7, r.meters)
            .end_row();
    }
    return t;
}

report_table consumption_report(meter_source& src, const period_report_options& o) {
    const auto results = meter_consumptions(src, o);
    return consumption_table(results, src.relations(), o);
}

}  // namespace v0
}  // namespace kvant
