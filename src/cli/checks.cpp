// kvant verification and kvant anomalies (detect, list, resolve, export) over a SQLite database.
#include <chrono>
#include <iostream>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/estimation.hpp"
#include "kvant/io/event_catalogue.hpp"
#include "kvant/model/json.hpp"

namespace kvant::cli {

namespace {

/// --at: an ISO 8601 instant or a date (its start in UTC); absent, the current time.
instant at_option(const args& a) {
    const auto v = a.get("at");
    if (!v) return std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now());
    instant t;
    if (try_parse_instant(*v, t) == time_status::ok) return t;
    calendar_date d;
    if (try_parse_date(*v, d) == time_status::ok) return instant{date::sys_days{d}};
    throw config_error(errc::usage, "--at '" + *v + "': expected a timestamp (2020-07-06T08:15:00+03:00) or a date");
}

int int_option(const args& a, const std::string& name, int fallback) {
    const auto v = a.get(name);
    if (!v) return fallback;
    decimal d;
    if (decimal::try_parse(*v, d) != decimal_status::ok || d.raw() % decimal::scale != 0 || d.raw() < 0)
        throw config_error(errc::usage, "--" + name + " '" + *v + "': expected a whole number");
    return static_cast<int>(d.raw() / decimal::scale);
}

void write_anomalies(std::ostream& os, const std::vector<anomaly>& list, bool json) {
    if (json) {
        os << nlohmann::json(list).dump(2) << '\n';
        return;
    }
    auto field = [&](std::string_view v) {
        if (v.find_first_of(",\"\n") == std::string_view::npos) {
            os << v;
            return;
        }
        os << '"';
        for (char ch : v) os << (ch == '"' ? "\"\"" : std::string(1, ch));
        os << '"';
    };
    os << "key,type,severity,meter,account,from,to,status,resolved_at,resolved_by,message_ru,message_en\n";
    for (const auto& x : list) {
        field(x.key);
        os << ',' << to_string(x.type) << ',' << to_string(x.level) << ',';
        field(x.meter);
        os << ',';
        field(x.account);
        os << ',' << to_string(x.from) << ',' << to_string(x.to) << ',' << to_string(x.status) << ','
           << (x.resolved_at ? to_string(*x.resolved_at) : "") << ',';
        field(x.resolved_by);
        os << ',';
        field(x.message_ru);
        os << ',';
        field(x.message_en);
        os << '\n';
    }
}

verification_policy policy_from(const args& a) {
    verification_policy p;
    p.rule = choice(a, "rule", due_rule_text, std::optional{due_rule::same_date});
    p.due_soon_days = int_option(a, "due-within", p.due_soon_days);
    return p;
}

}  // namespace

int run_verification(const args& a) {
    sqlite_store db(a.require("db"), sqlite_store::mode::read_only);
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
            rows.push_back({{"meter", m.serial}, {"model", m.model}, {"base", d(st.base)}, {"next", d(st.next)},
                            {"expires", d(st.expires)}, {"state", verification_state_text.name(st.state)},
                            {"failed_for_billing", st.failed_for_billing}, {"service_life_end", d(st.service_life_end)}});
        else
            os << m.serial << ',' << m.model << ',' << d(st.base) << ',' << d(st.next) << ',' << d(st.expires) << ','
               << verification_state_text.name(st.state) << ',' << int(st.failed_for_billing) << ',' << d(st.service_life_end) << '\n';
        switch (st.state) {
            case verification_state::valid: ++counts.valid; break;
            case verification_state::due_soon: ++counts.due_soon; break;
            case verification_state::expired: ++counts.expired; break;
            case verification_state::unknown: ++counts.unknown; break;
        }
    }
    if (json)
        os << nlohmann::json{{"meters", rows},
                             {"counts", {{"valid", counts.valid}, {"due_soon", counts.due_soon}, {"expired", counts.expired},
                                         {"unknown", counts.unknown}, {"needing_verification", counts.needing_verification()}}}}
                  .dump(2)
           << '\n';
    out.finish();
    std::cerr << "meters in service: valid " << counts.valid << ", due within " << policy.due_soon_days << " days "
              << counts.due_soon << ", expired " << counts.expired << ", unknown " << counts.unknown
              << "; needing verification " << counts.needing_verification() << "\n";
    return 0;
}

int run_anomalies_detect(const args& a) {
    sqlite_store db(a.require("db"), sqlite_store::mode::open);
    const fleet f = load_fleet(db);
    const instant now = at_option(a);
    anomaly_thresholds t;
    t.no_link_days = int_option(a, "no-link-days", t.no_link_days);
    t.stuck_days = int_option(a, "stuck-days", t.stuck_days);
    const instant ever_from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
    std::optional<event_catalogue> catalogue;
    if (auto c = a.get("event-catalogue")) catalogue = event_catalogue::load(*c);
    std::vector<meter_series> series;
    std::vector<std::vector<meter_event>> events;
    series.reserve(f.meters().size());
    events.reserve(f.meters().size());
    for (const auto& m : f.meters()) {
        // data up to now only: detection as it would have run then
        const auto batch = std::make_shared<const reading_table>(db.readings(m.serial, ever_from, now + seconds{1}));
        series.push_back(batch->empty() ? meter_series(m.serial) : meter_series::from_table(batch).front());
        events.push_back(db.events(m.serial, ever_from, now + seconds{1}));
        if (catalogue)
            for (auto& e : events.back()) catalogue->classify(e);
    }
    std::vector<anomaly_input> in;
    for (std::size_t i = 0; i < f.meters().size(); ++i) in.push_back({&f.meters()[i], &series[i], events[i]});
    const auto found = detect_anomalies(f, in, now, t, policy_from(a));
    const auto st = db.put_anomalies(found);
    std::cout << "found " << found.size() << " anomalies: " << st.inserted << " new, " << st.replaced << " refreshed, "
              << st.unchanged << " unchanged; " << db.anomalies(anomaly_status::open).size() << " open in the database\n";
    return 0;
}

int run_anomalies_list(const args& a) {
    sqlite_store db(a.require("db"), sqlite_store::mode::read_only);
    std::optional<anomaly_status> status;
    if (a.get("status")) status = choice(a, "status", anomaly_status_text);
    output out(a);
    write_anomalies(out.stream(), db.anomalies(status), a.flag("json"));
    out.finish();
    return 0;
}

int run_anomalies_resolve(const args& a) {
    sqlite_store db(a.require("db"), sqlite_store::mode::open);
    const std::string key = a.require("key");
    if (!db.resolve_anomaly(key, at_option(a), a.require("by")))
        throw storage_error(errc::not_found, "no anomaly with key '" + key + "'");
    std::cout << "resolved " << key << "\n";
    return 0;
}

std::vector<command> check_commands() {
    const option_spec db{"db", "FILE", "the SQLite database"};
    const option_spec at{"at", "TIME", "\"now\": a timestamp or a date (default: the current time)"};
    const option_spec rule{"rule", "RULE", "same-date (default) or day-before: how the next date is written"};
    const option_spec due{"due-within", "DAYS", "due soon within this many days (default 30)"};
    const option_spec out{"out", "FILE", "where to write (default: stdout)"};
    return {
        {{"verification", "Verification dates and status of every meter in service, and the counts (004 analytics).",
          {db, at, rule, due, {"json", "", "JSON (with the counts) instead of CSV"}, out},
          "CSV: meter,model,base,next,expires,state,failed_for_billing,service_life_end; counts on stderr.\n"
          "The base is the last verification, else manufacture; failed_for_billing honours the 2020 suspension."},
         run_verification},
        {{"anomalies detect", "Runs every anomaly rule over the database and stores what it finds (no duplicates).",
          {db, at, rule, due, {"no-link-days", "N", "days without link before a meter is reported (default 10)"},
           {"stuck-days", "N", "days without movement before a register is stuck (default 7)"},
           {"event-catalogue", "FILE", "a СПОДЭС event code catalogue (JSON) that classifies and names the events"}},
          "docs/anomalies.md lists the rules, their defaults and sources."},
         run_anomalies_detect},
        {{"anomalies list", "Lists stored anomalies as CSV (or JSON).",
          {db, {"status", "STATUS", "open or resolved (default: all)"}, {"json", "", "JSON instead of CSV"}, out},
          "CSV: key,type,severity,meter,account,from,to,status,resolved_at,resolved_by,message_ru,message_en"},
         run_anomalies_list},
        {{"anomalies export", "Exports every stored anomaly as CSV (or JSON), as list does.",
          {db, {"status", "STATUS", "open or resolved (default: all)"}, {"json", "", "JSON instead of CSV"}, out}, ""},
         run_anomalies_list},
        {{"anomalies resolve", "Marks an anomaly resolved, with when and by whom.",
          {db, {"key", "KEY", "the anomaly's key (see list)"}, {"by", "NAME", "who resolved it"}, at}, ""},
         run_anomalies_resolve},
    };
}

}  // namespace kvant::cli

namespace kvant::cli {

std::optional<int> billing_day_option(const args& a);

int run_estimate(const args& a) {
    const inputs in = load_inputs(a);
    const instant now = at_option(a);
    output out(a);
    auto& os = out.stream();
    if (a.flag("interval")) {
        vee_policy p;
        p.step = std::chrono::minutes{int_option(a, "step", 30)};
        if (p.step.count() <= 0) throw config_error(errc::usage, "--step must be positive");
        os << "meter,timestamp,value,quality\n";
        for (const auto& mi : in.meters) {
            const auto view = mi.series.view(register_id::total);
            if (view.empty()) continue;
            for (const auto& pt : fill_gaps(view, mi.calendar, p, to_unix(now)))
                os << mi.series.serial() << ',' << to_string(from_unix(pt.time)) << ',' << to_string(decimal::from_raw(pt.value))
                   << ',' << quality_text.name(pt.flag) << '\n';
        }
        out.finish();
        return 0;
    }
    const period_kind kind = choice(a, "by", period_kind_text, std::optional{period_kind::billing});
    std::optional<decimal> normative;
    if (auto n = a.get("normative")) normative = decimal::parse(*n, location{"", 0, "--normative", -1});
    const bool json = a.flag("json");
    nlohmann::json rows = nlohmann::json::array();
    if (!json) os << "meter,period,basis,value,failed\n";
    for (const auto& mi : in.meters) {
        consumption_options o;
        o.periods = {kind, billing_day_option(a).value_or(mi.billing_day)};
        const register_params rp = mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
        auto mc = consumption(mi.series, mi.calendar, rp, o);
        if (mc.registers.empty() || mi.series.empty()) continue;
        // the periods from the last reading up to now have no readings at all: add them, to be estimated
        const auto more = periods_between(mi.calendar, mc.periods.empty() ? from_unix(mi.series.times().front()) : mc.periods.back().end,
                                          now, o.periods);
        for (const auto& pr : more) {
            mc.periods.push_back(pr);
            for (auto& rc : mc.registers) {
                rc.value.push_back(0);
                rc.complete.push_back(0);
            }
        }
        const bool failed = mi.entity && verification_of(*mi.entity, mi.model, local_date(mi.calendar, now)).failed_for_billing;
        billing_policy policy;
        policy.average_until_replacement = mi.entity && mi.entity->measures == resource::electricity;
        for (const auto& e : estimate_billing(mc, register_id::total, normative, failed, policy)) {
            if (json)
                rows.push_back({{"meter", mi.series.serial()}, {"period", period_label(e.period_start, kind)},
                                {"basis", estimate_basis_text.name(e.basis)}, {"value", to_string(decimal::from_raw(e.value))},
                                {"failed", failed}});
            else
                os << mi.series.serial() << ',' << period_label(e.period_start, kind) << ',' << estimate_basis_text.name(e.basis)
                   << ',' << to_string(decimal::from_raw(e.value)) << ',' << int(failed) << '\n';
        }
    }
    if (json) os << nlohmann::json{{"rows", rows}}.dump(2) << '\n';
    out.finish();
    return 0;
}

command estimate_command() {
    auto options = input_options();
    options.push_back({"at", "TIME", "\"now\": periods up to it are billed (default: the current time)"});
    options.push_back({"by", "PERIOD", "billing (default), month, day or year"});
    options.push_back({"billing-day", "N", "the day billing periods start (default: the organisation's)"});
    options.push_back({"normative", "VALUE", "the consumption normative per period, for periods beyond the average"});
    options.push_back({"interval", "", "fill gaps of regular interval data instead (VEE)"});
    options.push_back({"step", "MINUTES", "the interval of --interval data (default 30)"});
    options.push_back({"json", "", "JSON instead of CSV (billing estimates)"});
    options.push_back({"out", "FILE", "where to write (default: stdout)"});
    return {{"estimate",
             "Estimates what readings do not cover: billing periods by the ПП 354 ladder (average, then normative),\n"
             "or missing points of interval data (interpolated, profiled, shaped).",
             options,
             "CSV: meter,period,basis,value,failed (basis: actual, average, normative, normative_increased, none);\n"
             "with --interval: meter,timestamp,value,quality. Electricity meters keep the average until replaced."},
            run_estimate};
}

}  // namespace kvant::cli
