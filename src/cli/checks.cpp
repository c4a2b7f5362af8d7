// kvant verification and kvant anomalies (detect, list, resolve, export) over a SQLite database.
#include <chrono>
#include <iostream>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/estimation.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/io/event_catalogue.hpp"

#include <map>
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
    throw config_error(errc::usage,
                       "--at '" + *v + "': expected a timestamp (2020-07-06T08:15:00+03:00) or a date");
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
        const auto batch =
            std::make_shared<const reading_table>(db.readings(m.serial, ever_from, now + seconds{1}));
        series.push_back(batch->empty() ? meter_series(m.serial) : meter_series::from_table(batch).front());
        events.push_back(db.events(m.serial, ever_from, now + seconds{1}));
        if (catalogue)
            for (auto& e : events.back()) catalogue->classify(e);
    }
    std::vector<anomaly_input> in;
    for (std::size_t i = 0; i < f.meters().size(); ++i) in.push_back({&f.meters()[i], &series[i], events[i]});
    const auto found = detect_anomalies(f, in, now, t, policy_from(a));
    const auto st = db.put_anomalies(found);
    std::cout << "found " << found.size() << " anomalies: " << st.inserted << " new, " << st.replaced
              << " refreshed, " << st.unchanged << " unchanged; " << db.anomalies(anomaly_status::open).size()
              << " open in the database\n";
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
        {{"verification",
          "Verification dates and status of every meter in service, and the counts (004 analytics).",
          {db, at, rule, due, {"json", "", "JSON (with the counts) instead of CSV"}, out},
          "CSV: meter,model,base,next,expires,state,failed_for_billing,service_life_end; counts on stderr.\n"
          "The base is the last verification, else manufacture; failed_for_billing honours the 2020 "
          "suspension."},
         run_verification},
        {{"anomalies detect",
          "Runs every anomaly rule over the database and stores what it finds (no duplicates).",
          {db,
           at,
           rule,
           due,
           {"no-link-days", "N", "days without link before a meter is reported (default 10)"},
           {"stuck-days", "N", "days without movement before a register is stuck (default 7)"},
           {"event-catalogue", "FILE",
            "a СПОДЭС event code catalogue (JSON) that classifies and names the events"}},
          "docs/anomalies.md lists the rules, their defaults and sources."},
         run_anomalies_detect},
        {{"anomalies list",
          "Lists stored anomalies as CSV (or JSON).",
          {db,
           {"status", "STATUS", "open or resolved (default: all)"},
           {"json", "", "JSON instead of CSV"},
           out},
          "CSV: "
          "key,type,severity,meter,account,from,to,status,resolved_at,resolved_by,message_ru,message_en"},
         run_anomalies_list},
        {{"anomalies export",
          "Exports every stored anomaly as CSV (or JSON), as list does.",
          {db,
           {"status", "STATUS", "open or resolved (default: all)"},
           {"json", "", "JSON instead of CSV"},
           out},
          ""},
         run_anomalies_list},
        {{"anomalies resolve",
          "Marks an anomaly resolved, with when and by whom.",
          {db, {"key", "KEY", "the anomaly's key (see list)"}, {"by", "NAME", "who resolved it"}, at},
          ""},
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
                os << mi.series.serial() << ',' << to_string(from_unix(pt.time)) << ','
                   << to_string(decimal::from_raw(pt.value)) << ',' << quality_text.name(pt.flag) << '\n';
        }
        out.finish();
        return 0;
    }
    const period_kind kind = choice(a, "by", period_kind_text, std::optional{period_kind::billing});
    std::optional<decimal> normative;
    if (auto n = a.get("normative")) normative = decimal::parse(*n, location{"", 0, "--normative", -1});
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
        const auto more = periods_between(
            mi.calendar, mc.periods.empty() ? from_unix(mi.series.times().front()) : mc.periods.back().end,
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
            if (const auto* acc = in.relations.account_of(*mi.entity))
                if (const auto it = normatives.find({acc->number, mi.entity->measures});
                    it != normatives.end())
                    meter_normative = it->second;
        billing_policy policy;
        policy.average_until_replacement = mi.entity && mi.entity->measures == resource::electricity;
        for (const auto& e : estimate_billing(mc, register_id::total, meter_normative, failed, policy)) {
            if (json)
                rows.push_back({{"meter", mi.series.serial()},
                                {"period", period_label(e.period_start, kind)},
                                {"basis", estimate_basis_text.name(e.basis)},
                                {"value", to_string(decimal::from_raw(e.value))},
                                {"failed", failed}});
            else
                os << mi.series.serial() << ',' << period_label(e.period_start, kind) << ','
                   << estimate_basis_text.name(e.basis) << ',' << to_string(decimal::from_raw(e.value)) << ','
                   << int(failed) << '\n';
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
    options.push_back(
        {"normative", "VALUE", "the consumption normative per period, for periods beyond the average"});
    options.push_back({"normatives", "FILE",
                       "normatives per account and resource (CSV account,resource,value; needs --db)"});
    options.push_back({"interval", "", "fill gaps of regular interval data instead (VEE)"});
    options.push_back({"step", "MINUTES", "the interval of --interval data (default 30)"});
    options.push_back({"json", "", "JSON instead of CSV (billing estimates)"});
    options.push_back({"out", "FILE", "where to write (default: stdout)"});
    return {{"estimate",
             "Estimates what readings do not cover: billing periods by the ПП 354 ladder (average, then "
             "normative),\n"
             "or missing points of interval data (interpolated, profiled, shaped).",
             options,
             "CSV: meter,period,basis,value,failed (basis: actual, average, normative, normative_increased, "
             "none);\n"
             "with --interval: meter,timestamp,value,quality. Electricity meters keep the average until "
             "replaced."},
            run_estimate};
}

int run_building_share(const args& a) {
    sqlite_store db(a.require("db"), sqlite_store::mode::read_only);
    const fleet f = load_fleet(db);
    const std::string building = a.require("building");
    const resource res = choice(a, "resource", resource_text, std::optional{resource::electricity});
    const std::string month = a.require("month");
    calendar_date first;
    if (try_parse_date(month + "-01", first) != time_status::ok)
        throw config_error(errc::usage, "--month '" + month + "': expected YYYY-MM");
    const auto policy_name = a.get("policy").value_or("clip");
    const negative_share policy =
        policy_name == "clip"         ? negative_share::clip_to_zero
        : policy_name == "distribute" ? negative_share::distribute
        : policy_name == "carry"      ? negative_share::carry_forward
                                 : throw config_error(errc::usage, "--policy: clip, distribute or carry");
    building_share_input in;
    if (auto n = a.get("normative-flats"))
        in.normative_flats = decimal::parse(*n, location{"", 0, "--normative-flats", -1});
    const instant ever_from = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
    const instant ever_to = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
    bool complete = true;
    std::size_t building_meters = 0;
    for (const auto& acc : f.accounts()) {
        if (acc.building != building) continue;
        if (acc.area) in.total_area += *acc.area;
        if (acc.type != building_type::non_residential && acc.area)
            in.flats.emplace_back(acc.number, *acc.area);
        for (const meter* m : f.meters_of(acc)) {
            if (m->measures != res) continue;
            const auto batch =
                std::make_shared<const reading_table>(db.readings(m->serial, ever_from, ever_to));
            if (batch->empty()) continue;
            consumption_options o;
            o.periods = {period_kind::month};
            const auto mc = consumption(meter_series::from_table(batch).front(), f.zone_of(*m),
                                        register_params_of(*m, f.model_of(*m)), o);
            const auto* total = mc.find(register_id::total);
            if (!total) continue;
            for (std::size_t k = 0; k < mc.periods.size(); ++k) {
                if (mc.periods[k].start_date != first) continue;
                complete = complete && total->complete[k];
                const decimal v = decimal::from_raw(total->value[k]);
                if (m->role == meter_role::building) {
                    in.building += v;
                    ++building_meters;
                } else if (acc.type == building_type::non_residential) {
                    in.non_residential += v;
                } else {
                    in.metered_flats += v;
                }
            }
        }
    }
    if (building_meters == 0)
        throw config_error(errc::config, "no building meter of " + std::string(to_string(res)) +
                                             " in building '" + building + "' for " + month);
    const auto s = share_building(in, policy);
    output out(a);
    auto& os = out.stream();
    os << "account,area,share\n";
    for (const auto& [acc, share] : s.shares) {
        const auto* account = f.find_account(acc);
        os << acc << ',' << to_string(*account->area) << ',' << to_string(share) << '\n';
    }
    out.finish();
    std::cerr << "building " << building << ", " << to_string(res) << ", " << month
              << (complete ? "" : " (incomplete)") << ": building meters " << to_string(in.building)
              << " - non-residential " << to_string(in.non_residential) << " - normative flats "
              << to_string(in.normative_flats) << " - metered flats " << to_string(in.metered_flats) << " = "
              << to_string(s.to_share) << " over " << to_string(in.total_area) << " m²"
              << (s.carried.raw() ? ", carried forward " + to_string(s.carried) : "") << "\n";
    return 0;
}

command building_share_command() {
    return {{"building-share",
             "The building share (ОДН) of one month by formula 12 of ПП 354: (building meters − "
             "non-residential −\n"
             "flats billed by normative − flats with meters) × flat area / total area.",
             {{"db", "FILE", "the SQLite database"},
              {"building", "KEY", "the building (accounts' building field)"},
              {"resource", "NAME", "electricity (default), cold_water, hot_water, heat, gas"},
              {"month", "YYYY-MM", "the month"},
              {"normative-flats", "VALUE", "consumption of flats billed by normative (default 0)"},
              {"policy", "POLICY", "a negative share: clip (default), distribute or carry"},
              {"out", "FILE", "where to write (default: stdout)"}},
             "CSV: account,area,share; the bracket of the formula on stderr. Shares add up exactly."},
            run_building_share};
}

}  // namespace kvant::cli
