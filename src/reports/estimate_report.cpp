// estimate_report and interval_estimate_report: `kvant estimate`, billing periods by the ПП 354 ladder, and
// `kvant estimate --interval`, the missing points of interval data.
#include <algorithm>

#include "kvant/algorithms/tariff_resolution.hpp"
#include "kvant/reports/reports.hpp"
#include "meter_options.hpp"
#include "report_time.hpp"

namespace kvant {
inline namespace v0 {

namespace {

struct meter_estimates {
    std::string meter;
    bool failed = false;
    std::vector<billing_estimate> found;
    std::vector<period> periods;  // their start instants, by start date
};

}  // namespace

report_table estimate_report(meter_source& src, const estimate_report_options& o) {
    detail::check_report_time(o.at, "estimate time");
    if (o.group != group_level::meter)
        throw config_error(errc::usage, "an estimate is per meter: group " + std::string(to_string(o.group)) +
                                            " is not offered (sum the estimates of a group's meters)");
    // neither a normative nor normatives per account: the normatives stored for each meter's organisation,
    // resource and kind of dwelling, per period (what the caller gives wins)
    std::optional<tariff_book> stored;
    if (src.db() && !o.normative && !o.normatives) stored = load_tariffs(*src.db());
    const fleet& relations = src.relations();
    report_table t({{"meter", column_type::text},
                    {"period", column_type::local_period},
                    {"basis", column_type::text},
                    {"value", column_type::number},
                    {"failed", column_type::boolean}});
    run_meters(
        src, o.run,
        [&](const meter_input& mi) {
            meter_estimates res;
            res.meter = mi.series.serial();
            const consumption_options co = detail::consumption_options_for(mi, o);
            const register_params rp = detail::register_params_for(mi);
            auto mc = consumption(mi.series, mi.calendar, rp, co);
            if (mc.registers.empty() || mi.series.empty()) return res;
            // the periods from the last reading up to `at` have no readings at all: add them, to be estimated
            const auto more = periods_between(
                mi.calendar, mc.periods.empty() ? from_unix(mi.series.first_time()) : mc.periods.back().end,
                o.at, co.periods);
            for (const auto& pr : more) {
                mc.periods.push_back(pr);
                for (auto& rc : mc.registers) {
                    rc.value.push_back(0);
                    rc.complete.push_back(0);
                }
            }
            res.failed =
                mi.entity &&
                verification_of(*mi.entity, mi.model, local_date(mi.calendar, o.at)).failed_for_billing;
            std::optional<decimal> meter_normative = o.normative;
            if (mi.entity && o.normatives)
                if (const auto* acc = relations.account_of(*mi.entity))
                    if (const auto it = o.normatives->find({acc->number, mi.entity->measures});
                        it != o.normatives->end())
                        meter_normative = it->second;
            billing_policy policy;
            policy.average_until_replacement = mi.entity && mi.entity->measures == resource::electricity;
            if (stored && mi.entity) {
                // the normative in force on each period's first day; the ladder run once per distinct value,
                // each period taking its own (the ladder's choice of basis does not depend on the value)
                const auto subject = subject_of(relations, *mi.entity);
                std::vector<std::optional<decimal>> per_period;
                for (const auto& pr : mc.periods)
                    per_period.push_back(normative_at(*stored, subject, pr.start_date).value);
                std::vector<std::optional<decimal>> distinct;
                for (const auto& v : per_period)
                    if (std::find(distinct.begin(), distinct.end(), v) == distinct.end())
                        distinct.push_back(v);
                std::vector<std::optional<billing_estimate>> picked(mc.periods.size());
                for (const auto& v : distinct) {
                    const auto run = estimate_billing(mc, register_id::total, v, res.failed, policy);
                    for (std::size_t k = 0; k < run.size() && k < per_period.size(); ++k)
                        if (per_period[k] == v) picked[k] = run[k];
                }
                for (auto& e : picked)
                    if (e) res.found.push_back(*e);
            } else {
                res.found = estimate_billing(mc, register_id::total, meter_normative, res.failed, policy);
            }
            res.periods = std::move(mc.periods);
            return res;
        },
        [&](meter_estimates& e) {
            for (const auto& x : e.found) {
                const auto pr = std::find_if(e.periods.begin(), e.periods.end(),
                                             [&](const period& p) { return p.start_date == x.period_start; });
                const instant begin =
                    pr != e.periods.end() ? pr->begin : instant(date::sys_days(x.period_start));
                t.set_text(0, e.meter)
                    .set_period(1, begin, period_label(x.period_start, o.by))
                    .set_text(2, estimate_basis_text.name(x.basis))
                    .set_number(3, decimal::from_raw(x.value))
                    .set_bool(4, e.failed)
                    .end_row();
            }
        });
    return t;
}

report_table interval_estimate_report(meter_source& src, instant at, const vee_policy& policy,
                                      const run_options& run) {
    detail::check_report_time(at, "estimate time");
    report_table t({{"meter", column_type::text},
                    {"timestamp", column_type::timestamp},
                    {"value", column_type::number},
                    {"quality", column_type::text}});
    run_meters(
        src, run,
        [&](const meter_input& mi) {
            const register_params rp = detail::register_params_for(mi);
            const auto view = mi.series.view(rp.main);
            if (view.empty()) return std::vector<filled_point>{};
            return fill_gaps(view, mi.calendar, policy, to_unix(at));
        },
        [&](std::vector<filled_point>& points, const meter_input& mi) {
            for (const auto& pt : points)
                t.set_text(0, mi.series.serial())
                    .set_timestamp(1, from_unix(pt.time))
                    .set_number(2, decimal::from_raw(pt.value))
                    .set_text(3, quality_text.name(pt.flag))
                    .end_row();
        });
    return t;
}

}  // namespace v0
}  // namespace kvant
