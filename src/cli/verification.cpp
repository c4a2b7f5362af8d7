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
    sqlite_store db = open_store(a, sqlite_store::mode::read_only);
    const fleet f = load_fleet(db);
    const instant now = at_option(a);
    const auto policy = policy_from(a);
    output out(a);
    auto& os = out.stream();
    const bool json = a.flag("json");
    nlohmann::json rows = nlohmann::json::array();
    if (!json) os << "meter,model,base,next,expires,state,failed_for_billing,service_life_end\n";
    verification_counts counts;
    for (const auto& m : f.meters()) {
        const calendar_date on = local_date(f.zone_of(m), now);
        if (m.removed && *m.removed <= on) continue;
        const auto st = verification_of(m, f.model_of(m), on, policy);
        auto d = [](const std::optional<calendar_date>& x) { return x ? to_string(*x) : std::string(); };
        if (json)
            rows.push_back({{"meter", m.serial},
                            {"model", m.model},
                            {"base", d(st.base)},
                            {"next", d(st.next)},
                            {"expires", d(st.expires)},
                            {"state", verification_state_text.name(st.state)},
                            {"failed_for_billing", st.failed_for_billing},
                            {"service_life_end", d(st.service_life_end)}});
        else
            os << m.serial << ',' << m.model << ',' << d(st.base) << ',' << d(st.next) << ',' << d(st.expires)
               << ',' << verification_state_text.name(st.state) << ',' << int(st.failed_for_billing) << ','
               << d(st.service_life_end) << '\n';
        switch (st.state) {
            case verification_state::valid:
                ++counts.valid;
                break;
            case verification_state::due_soon:
                ++counts.due_soon;
                break;
            case verification_state::expired:
                ++counts.expired;
                break;
            case verification_state::unknown:
                ++counts.unknown;
                break;
        }
    }
    if (json)
        os << nlohmann::json{{"meters", rows},
                             {"counts",
                              {{"valid", counts.valid},
                               {"due_soon", counts.due_soon},
                               {"expired", counts.expired},
                               {"unknown", counts.unknown},
                               {"needing_verification", counts.needing_verification()}}}}
                  .dump(2)
           << '\n';
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
    const option_spec db = opt::path("db", "FILE", "the SQLite database").mandatory();
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
