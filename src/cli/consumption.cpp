// kvant consumption: consumption per day, month, year or billing period, per meter or per group, from CSV
// files or a SQLite database.
#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/io/consumption_report.hpp"

namespace kvant::cli {

option_spec billing_day_spec() {
    return opt::integer(
        "billing-day", "N", 1, 31,
        "the day billing periods start, clamped to the month's end (default: the organisation's, "
        "else 1)");
}

std::optional<int> billing_day_option(const args& a) {
    const auto d = a.integer("billing-day");  // 1..31: checked when parsed
    if (!d) return std::nullopt;
    return static_cast<int>(*d);
}

int run_consumption(const args& a) {
    const period_kind kind = a.choice("by", period_kind_text);
    const auto billing_day = billing_day_option(a);
    const auto level = a.choice("group", group_level_text);
    if (a.get("readings") && level != group_level::meter)
        throw config_error(errc::usage, "--group needs --db (the relations of meters)");
    meter_inputs in(a);
    std::vector<meter_consumption> results;
    in.run<meter_consumption>(
        [&](const meter_input& mi) {
            consumption_options o;
            o.periods = {kind, billing_day.value_or(mi.billing_day)};
            const register_params p =
                mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
            return consumption(mi.series, mi.calendar, p, o);
        },
        [&](meter_consumption& r) { results.push_back(std::move(r)); });
    report_options ro;
    ro.kind = kind;
    ro.complete_only = a.flag("complete-only");
    output out(a);
    const bool json = a.flag("json");
    if (level == group_level::meter) {
        json ? write_consumption_json(out.stream(), results, ro)
             : write_consumption_csv(out.stream(), results, ro);
    } else {
        const auto rows = aggregate(in.relations(), results, level);
        json ? write_groups_json(out.stream(), rows, ro) : write_groups_csv(out.stream(), rows, ro);
    }
    out.finish();
    return 0;
}

}  // namespace kvant::cli
