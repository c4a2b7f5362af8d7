/// \file
/// The reports of the `kvant` tool as library calls, each returning a `report_table` whose columns are the
/// tool's CSV columns for that command: the tool, the C API and the Python package all call these, so a
/// report is computed and laid out in one place. Each takes its meters from a `meter_source` (a store or
/// readings in memory) or, for the reports about entities, a store; none writes anything except
/// `detect_anomalies_report`, which stores what it finds as `kvant anomalies detect` does.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kvant/algorithms/aggregate.hpp"
#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/consumption.hpp"
#include "kvant/algorithms/cost.hpp"
#include "kvant/algorithms/estimation.hpp"
#include "kvant/algorithms/tariff.hpp"
#include "kvant/algorithms/verification.hpp"
#include "kvant/core/export.hpp"
#include "kvant/detail/enum_text.hpp"
#include "kvant/reports/meter_source.hpp"
#include "kvant/reports/report_table.hpp"
#include "kvant/store/queries.hpp"

namespace kvant {
inline namespace v0 {

/// What the period reports share (`--by`, `--billing-day`, `--complete-only`, `--group`).
struct period_report_options {
    period_kind by = period_kind::month;
    std::optional<int> billing_day;          ///< 1..31; default: each meter's organisation's, else 1
    bool complete_only = false;              ///< leave incomplete periods out
    group_level group = group_level::meter;  ///< anything but meter needs the source's relations
    run_options run;
};

/// `kvant consumption`: meter,period,register,value,complete; per group
/// group,resource,role,period,register,value,complete,meters.
KVANT_API report_table consumption_report(meter_source& src, const period_report_options& o);
/// Its two halves: each meter's consumption (with its notes, which the tool's JSON shows), and the table of
/// results laid out as consumption_report does (`relations` for the groups).
KVANT_API std::vector<meter_consumption> meter_consumptions(meter_source& src,
                                                            const period_report_options& o);
KVANT_API report_table consumption_table(std::span<const meter_consumption> results, const fleet& relations,
                                         const period_report_options& o);

/// Where a split takes each meter's zones from (`--source`): its own tariff registers when it has one per
/// zone of the schedule (auto), always the schedule, or always the registers.
enum class split_source : std::uint8_t { automatic, schedule, registers };
inline constexpr detail::enum_text<split_source, 3> split_source_text{
    "split source",
    {{{split_source::automatic, "auto"},
      {split_source::schedule, "schedule"},
      {split_source::registers, "registers"}}}};
KVANT_ENUM_TEXT(split_source, split_source_text)

/// `kvant split`: meter,period,zone,value,complete.
KVANT_API report_table split_report(meter_source& src, const tariff_schedule& schedule,
                                    const period_report_options& o,
                                    split_source from = split_source::automatic);
/// The same with the schedule already compiled.
KVANT_API report_table split_report(meter_source& src, const tariff_calendar& calendar,
                                    const period_report_options& o,
                                    split_source from = split_source::automatic);

/// What a cost is billed under: an explicit schedule and rates win; what is not given comes from the source's
/// store (its stored schedules, assignments and rates), and is an error naming the meter and date when
/// absent.
struct cost_report_options : period_report_options {
    std::optional<tariff_schedule> schedule;
    std::vector<rate> rates;  ///< empty: the stored ones
};

/// `kvant cost`: meter,period,zone,rate_from,quantity,price,amount,complete; per group
/// group,role,period,amount,complete,meters.
KVANT_API report_table cost_report(meter_source& src, const cost_report_options& o);

/// `kvant verification`: meter,model,base,next,expires,state,failed_for_billing,service_life_end for every
/// meter of the store in service on the local date of `at`.
KVANT_API report_table verification_report(const store& db, instant at,
                                           const verification_policy& policy = {});

/// `kvant anomalies list`: key,type,severity,meter,account,from,to,status,resolved_at,resolved_by,message_ru,
/// message_en for the stored anomalies the filter selects.
KVANT_API report_table anomalies_report(const store& db, const anomaly_query& filter = {});
/// The anomalies the filter selects (not_found when it names an organisation the store does not hold), and
/// a list of anomalies laid out as anomalies_report does.
KVANT_API std::vector<anomaly> listed_anomalies(const store& db, const anomaly_query& filter = {});
KVANT_API report_table anomalies_table(std::span<const anomaly> list);

/// `kvant estimate` (billing periods by the ПП 354 ladder): meter,period,basis,value,failed. Normatives: a
/// meter's account's in `normatives`, else `normative`; when neither is given and the source has a store,
/// the store's normatives in force on each period's first day; else none.
struct estimate_report_options : period_report_options {
    estimate_report_options() { by = period_kind::billing; }
    instant at;                        ///< periods up to it are billed
    std::optional<decimal> normative;  ///< per account and period, for every account
    /// Per account number and resource (`--normatives FILE`); given (even empty), the store's are not used.
    std::optional<std::map<std::pair<std::string, resource>, decimal>> normatives;
};
KVANT_API report_table estimate_report(meter_source& src, const estimate_report_options& o);

/// `kvant estimate --interval`: meter,timestamp,value,quality — the gaps of interval data filled (VEE).
KVANT_API report_table interval_estimate_report(meter_source& src, instant at, const vee_policy& policy,
                                                const run_options& run = {});

}  // namespace v0
}  // namespace kvant
