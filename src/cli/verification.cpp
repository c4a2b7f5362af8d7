// kvant verification: the verification dates and state of every meter in service, and the counts.
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

instant at_option(const args& a) {
    if (auto t = a.time("at")) return *t;
    return std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now());
}

/// An integer option that the parser checked against a range within int (every declared range is).
int int_option(const args& a, const std::string& name) {
    return static_cast<int>(a.integer(name).value());
}

verification_policy policy_from(const args& a) {
    verification_policy p;
    p.rule = a.choice("rule", due_rule_text);
    p.due_soon_days = int_option(a, "due-within");
    return p;
}

int run_verification(const args& a) {
    const auto db_handle = open_db(a, open_mode::read_only);
    store& db = *db_handle;
    const auto policy = policy_from(a);
    const report_table t = verification_report(db, at_option(a), policy);
    output out(a);
    auto& os = out.stream();
    verification_counts counts;
    for (const auto& state : t.at(5).text) counts.add(verification_state_text.parse(state));
    if (!a.flag("json")) {
        t.write_csv(os);
    } else {
        nlohmann::json rows = nlohmann::json::array();
        for (std::size_t r = 0; r < t.rows(); ++r)
            rows.push_back({{"meter", t.cell_text(0, r)},
                            {"model", t.cell_text(1, r)},
                            {"base", t.cell_text(2, r)},
                            {"next", t.cell_text(3, r)},
                            {"expires", t.cell_text(4, r)},
                            {"state", t.cell_text(5, r)},
                            {"failed_for_billing", t.at(6).values[r] != 0},
                            {"service_life_end", t.cell_text(7, r)}});
        os << nlohmann::json{{"meters", rows},
                             {"counts",
                              {{"valid", counts.valid},
                               {"due_soon", counts.due_soon},
                               {"expired", counts.expired},
                               {"unknown", counts.unknown},
                               {"needing_verification", counts.needing_verification()}}}}
                  .dump(2)
           << '\n';
    }
    out.finish();
    std::cerr << "meters in service: valid " << counts.valid << ", due within " << policy.due_soon_days
              << " days " << counts.due_soon << ", expired " << counts.expired << ", unknown "
              << counts.unknown << "; needing verification " << counts.needing_verification() << "\n";
    return 0;
}

option_spec at_spec() {
    return opt::time("at", "\"now\" (default: the current time)");
}

option_spec rule_spec() {
    return opt::choice("rule", "RULE", due_rule_text, "how the next date is written")
        .defaults_to("same-date");
}

option_spec due_spec() {
    return opt::integer("due-within", "DAYS", 0, 36500, "due soon within this many days")
        .defaults_to(std::to_string(verification_policy{}.due_soon_days));
}

command verification_command() {
    const option_spec db = db_spec().mandatory();
    const option_spec busy = opt::busy_timeout();
    const option_spec at = at_spec();
    const option_spec rule = rule_spec();
    const option_spec due = due_spec();
    const option_spec out = opt::path("out", "FILE", "where to write ('-': stdout)").defaults_to("-");
    return {
        {"verification",
         "Verification dates and status of every meter in service, and the counts (004 analytics).",
         {db, busy, at, rule, due, opt::flag("json", "JSON (with the counts) instead of CSV"), out},
         "CSV: meter,model,base,next,expires,state,failed_for_billing,service_life_end; counts on stderr.\n"
         "The base is the last verification, else manufacture; failed_for_billing honours the 2020 "
         "suspension."},
        run_verification};
}

}  // namespace kvant::cli
