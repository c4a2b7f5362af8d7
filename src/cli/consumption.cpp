// kvant consumption: consumption per day, month, year or billing period, per meter or per group, from CSV
// files or a SQLite database.
#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/io/consumption_report.hpp"
#include "kvant/reports/reports.hpp"

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
    period_report_options o;
    o.by = a.choice("by", period_kind_text);
    o.billing_day = billing_day_option(a);
    o.group = a.choice("group", group_level_text);
    o.complete_only = a.flag("complete-only");
    if (a.get("readings") && o.group != group_level::meter)
        throw config_error(errc::usage, "--group needs --db (the relations of meters)");
    meter_inputs in(a);
    o.run = in.run();
    output out(a);
    if (a.flag("json")) {  // the JSON carries each meter's notes too: from the results, not the table
        const auto results = meter_consumptions(in.source(), o);
        report_options ro;
        ro.kind = o.by;
        ro.complete_only = o.complete_only;
        if (o.group == group_level::meter)
            write_consumption_json(out.stream(), results, ro);
        else
            write_groups_json(out.stream(), aggregate(in.relations(), results, o.group), ro);
    } else {
        consumption_report(in.source(), o).write_csv(out.stream());
    }
    out.finish();
    return 0;
}

}  // namespace kvant::cli
