// kvant estimate: billing periods by the ПП 354 ladder, or the missing points of interval data.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/estimation.hpp"
#include "kvant/algorithms/tariff_resolution.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/io/event_catalogue.hpp"
#include "kvant/model/json.hpp"

namespace kvant::cli {

int run_estimate(const args& a) {
    meter_inputs in(a);
    const instant now = at_option(a);
    output out(a);
    auto& os = out.stream();
    if (a.flag("interval")) {
        vee_policy p;
        p.step = std::chrono::minutes{int_option(a, "step")};  // 1..1440 dividing a day: checked when parsed
        os << "meter,timestamp,value,quality\n";
        in.run<std::string>(
            [&](const meter_input& mi) {
                std::ostringstream rows;
                const register_params rp =
                    mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
                const auto view = mi.series.view(rp.main);
                if (view.empty()) return std::string();
                for (const auto& pt : fill_gaps(view, mi.calendar, p, to_unix(now)))
                    rows << mi.series.serial() << ',' << to_string(from_unix(pt.time)) << ','
                         << to_string(decimal::from_raw(pt.value)) << ',' << quality_text.name(pt.flag)
                         << '\n';
                return std::move(rows).str();
            },
            [&](std::string& rows) { os << rows; });
        out.finish();
        return 0;
    }
    const period_kind kind = a.choice("by", period_kind_text);
    const std::optional<decimal> normative = a.decimal_value("normative");
    // per account and resource: account,resource,value
    std::map<std::pair<std::string, resource>, decimal> normatives;
    if (auto nf = a.get("normatives")) {
        const std::string text = read_file(*nf);
        csv_reader rd(text, *nf);
        std::vector<std::string_view> f;
        if (!rd.next(f))
            throw parse_error(errc::csv_header, "empty file: expected account,resource,value",
                              location{*nf, 1, "", -1});
        const csv_header h(f, rd.where(), {"account", "resource", "value"}, {"account", "resource", "value"});
        while (rd.next(f)) {
            if (f.size() != 3) throw parse_error(errc::csv_syntax, "expected 3 fields", rd.where());
            const auto res =
                resource_text.parse(f[static_cast<std::size_t>(h.index("resource"))], rd.where("resource"));
            normatives[{std::string(f[static_cast<std::size_t>(h.index("account"))]), res}] =
                decimal::parse(f[static_cast<std::size_t>(h.index("value"))], rd.where("value"));
        }
    }
    // with --db and neither --normative nor --normatives: the normatives stored for each meter's
    // organisation, resource and kind of dwelling, per period (what the command line gives wins)
    std::optional<tariff_book> stored;
    if (in.from_db() && !normative && normatives.empty() && !a.get("normatives"))
        stored = load_tariffs(open_store(a, sqlite_store::mode::read_only));
    const bool json = a.flag("json");
    nlohmann::json rows = nlohmann::json::array();
    if (!json) os << "meter,period,basis,value,failed\n";
    struct estimates {
        std::string csv;
        nlohmann::json rows = nlohmann::json::array();
    };
    in.run<estimates>(
        [&](const meter_input& mi) {
            estimates res;
            consumption_options o;
            o.periods = {kind, billing_day_option(a).value_or(mi.billing_day)};
            const register_params rp =
                mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
            auto mc = consumption(mi.series, mi.calendar, rp, o);
            if (mc.registers.empty() || mi.series.empty()) return res;
            // the periods from the last reading up to now have no readings at all: add them, to be estimated
            const auto more = periods_between(
                mi.calendar, mc.periods.empty() ? from_unix(mi.series.first_time()) : mc.periods.back().end,
                now, o.periods);
            for (const auto& pr : more) {
                mc.periods.push_back(pr);
                for (auto& rc : mc.registers) {
                    rc.value.push_back(0);
                    rc.complete.push_back(0);
                }
            }
            const bool failed =
                mi.entity &&
                verification_of(*mi.entity, mi.model, local_date(mi.calendar, now)).failed_for_billing;
            std::optional<decimal> meter_normative = normative;
            if (mi.entity)
                if (const auto* acc = in.relations().account_of(*mi.entity))
                    if (const auto it = normatives.find({acc->number, mi.entity->measures});
                        it != normatives.end())
                        meter_normative = it->second;
            billing_policy policy;
            policy.average_until_replacement = mi.entity && mi.entity->measures == resource::electricity;
            std::vector<billing_estimate> found;
            if (stored && mi.entity) {
                // the normative in force on each period's first day; the ladder run once per distinct value,
                // each period taking its own (the ladder's choice of basis does not depend on the value)
                const auto subject = subject_of(in.relations(), *mi.entity);
                std::vector<std::optional<decimal>> per_period;
                for (const auto& pr : mc.periods)
                    per_period.push_back(normative_at(*stored, subject, pr.start_date).value);
                std::vector<std::optional<decimal>> distinct;
                for (const auto& v : per_period)
                    if (std::find(distinct.begin(), distinct.end(), v) == distinct.end())
                        distinct.push_back(v);
                std::vector<std::optional<billing_estimate>> picked(mc.periods.size());
                for (const auto& v : distinct) {
                    const auto run = estimate_billing(mc, register_id::total, v, failed, policy);
                    for (std::size_t k = 0; k < run.size() && k < per_period.size(); ++k)
                        if (per_period[k] == v) picked[k] = run[k];
                }
                for (auto& e : picked)
                    if (e) found.push_back(*e);
            } else {
                found = estimate_billing(mc, register_id::total, meter_normative, failed, policy);
            }
            for (const auto& e : found) {
                if (json)
                    res.rows.push_back({{"meter", mi.series.serial()},
                                        {"period", period_label(e.period_start, kind)},
                                        {"basis", estimate_basis_text.name(e.basis)},
                                        {"value", to_string(decimal::from_raw(e.value))},
                                        {"failed", failed}});
                else
                    res.csv += mi.series.serial() + ',' + period_label(e.period_start, kind) + ',' +
                               std::string(estimate_basis_text.name(e.basis)) + ',' +
                               to_string(decimal::from_raw(e.value)) + ',' + std::to_string(int(failed)) +
                               '\n';
            }
            return res;
        },
        [&](estimates& e) {
            os << e.csv;
            for (auto& r : e.rows) rows.push_back(std::move(r));
        });
    if (json) os << nlohmann::json{{"rows", rows}}.dump(2) << '\n';
    out.finish();
    return 0;
}

command estimate_command() {
    auto options = input_options();
    options.push_back(opt::time("at", "\"now\": periods up to it are billed (default: the current time)"));
    options.push_back(opt::choice("by", "PERIOD", period_kind_text, "the periods").defaults_to("billing"));
    options.push_back(billing_day_spec());
    options.push_back(
        opt::decimal_at_least("normative", "VALUE", decimal{},
                              "the consumption normative per period, for periods beyond the average"));
    options.push_back(
        opt::path("normatives", "FILE",
                  "normatives per account and resource (CSV account,resource,value; needs --db)"));
    options.push_back(opt::flag("interval", "fill gaps of regular interval data instead (VEE)"));
    options.push_back(
        opt::integer("step", "MINUTES", 1, 1440, "the interval of --interval data", 1440).defaults_to("30"));
    options.push_back(opt::flag("json", "JSON instead of CSV (billing estimates)"));
    options.push_back(opt::path("out", "FILE", "where to write ('-': stdout)").defaults_to("-"));
    return {{"estimate",
             "Estimates what readings do not cover: billing periods by the ПП 354 ladder (average, then "
             "normative),\n"
             "or missing points of interval data (interpolated, profiled, shaped).",
             options,
             "CSV: meter,period,basis,value,failed (basis: actual, average, normative, normative_increased, "
             "none);\n"
             "with --db and neither --normative nor --normatives, the normatives stored for each meter "
             "(its organisation,\n"
             "resource and kind of dwelling, per person × the account's residents), per period; given, they "
             "win.\n"
             "with --interval: meter,timestamp,value,quality. Electricity meters keep the average until "
             "replaced."},
            run_estimate};
}

}  // namespace kvant::cli
