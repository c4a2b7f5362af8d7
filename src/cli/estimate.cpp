// kvant estimate: billing periods by the ПП 354 ladder, or the missing points of interval data.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/estimation.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/io/event_catalogue.hpp"
#include "kvant/model/json.hpp"
#include "kvant/reports/reports.hpp"

namespace kvant::cli {

int run_estimate(const args& a) {
    meter_inputs in(a);
    const instant now = at_option(a);
    output out(a);
    if (a.flag("interval")) {
        vee_policy p;
        p.step = std::chrono::minutes{int_option(a, "step")};  // 1..1440 dividing a day: checked when parsed
        interval_estimate_report(in.source(), now, p, in.run()).write_csv(out.stream());
        out.finish();
        return 0;
    }
    estimate_report_options o;
    o.by = a.choice("by", period_kind_text);
    o.billing_day = billing_day_option(a);
    o.at = now;
    o.normative = a.decimal_value("normative");
    o.run = in.run();
    // per account and resource: account,resource,value
    if (auto nf = a.get("normatives")) {
        auto& normatives = o.normatives.emplace();
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
    const report_table t = estimate_report(in.source(), o);
    if (!a.flag("json")) {
        t.write_csv(out.stream());
    } else {  // the table's cells, "failed" a JSON boolean
        nlohmann::json rows = nlohmann::json::array();
        for (std::size_t r = 0; r < t.rows(); ++r)
            rows.push_back({{"meter", t.cell_text(0, r)},
                            {"period", t.cell_text(1, r)},
                            {"basis", t.cell_text(2, r)},
                            {"value", t.cell_text(3, r)},
                            {"failed", t.at(4).values[r] != 0}});
        out.stream() << nlohmann::json{{"rows", rows}}.dump(2) << '\n';
    }
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
