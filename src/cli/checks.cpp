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

/// --at: an ISO 8601 instant or a date (its start in UTC); absent, the current time.
instant at_option(const args& a) {
    if (auto t = a.time("at")) return *t;
    return std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now());
}

/// An integer option that the parser checked against a range within int (every declared range is).
int int_option(const args& a, const std::string& name) {
    return static_cast<int>(a.integer(name).value());
}

namespace {

/// Days options: 1..36500 (a hundred years), with the library's default.
option_spec days_spec(std::string name, std::string help, int fallback) {
    return opt::integer(std::move(name), "DAYS", 1, 36500, std::move(help))
        .defaults_to(std::to_string(fallback));
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
    p.rule = a.choice("rule", due_rule_text);
    p.due_soon_days = int_option(a, "due-within");
    return p;
}

}  // namespace

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

int run_anomalies_detect(const args& a) {
    const instant now = at_option(a);
    anomaly_thresholds t;
    t.no_link_days = int_option(a, "no-link-days");
    t.stuck_days = int_option(a, "stuck-days");
    const auto vp = policy_from(a);
    std::optional<event_catalogue> catalogue;
    if (auto c = a.get("event-catalogue")) catalogue = event_catalogue::load(*c);
    // What is read: data up to now only (detection as it would have run then), and with --days N only the
    // last N days plus the history the rules look back over (the longest: usage against the months before).
    std::int64_t from = std::numeric_limits<std::int64_t>::min();
    std::optional<instant> report_from;
    if (const auto days = a.integer("days")) {
        report_from = now - std::chrono::days{*days};
        const int history_days = std::max({t.spike_history_days + 2, (t.usage_history_months + 2) * 31,
                                           t.stuck_days + 1, t.no_link_days + 1});
        from = to_unix(*report_from - std::chrono::days{history_days});
    }
    std::vector<anomaly> found;
    {
        meter_inputs in(a, from, to_unix(now) + 1);
        const fleet& f = in.relations();
        std::map<std::string, std::vector<meter_event>, std::less<>> events;
        {
            sqlite_store db = open_store(a, sqlite_store::mode::read_only);
            for (auto& e : db.events(
                     {}, from_unix(from == std::numeric_limits<std::int64_t>::min() ? -(1LL << 40) : from),
                     now + seconds{1})) {
                if (catalogue) catalogue->classify(e);
                events[e.meter].push_back(std::move(e));
            }
        }
        struct result {
            std::vector<anomaly> found;
            balance_part part;
        };
        building_balance balance;
        std::set<std::string, std::less<>> streamed;
        in.run<result>(
            [&](const meter_input& mi) {
                const auto it = events.find(mi.series.serial());
                const anomaly_input input{mi.entity, &mi.series,
                                          it == events.end() ? std::span<const meter_event>{}
                                                             : std::span<const meter_event>(it->second)};
                return result{meter_anomalies(f, input, now, t, vp), balance_part_of(f, input)};
            },
            [&](result& r) {
                for (auto& x : r.found) found.push_back(std::move(x));
                balance.add(r.part);
            },
            [&](const meter_input& mi) { streamed.insert(mi.series.serial()); });
        // meters without readings in the window: their events, verification and data rules still apply
        for (const auto& m : f.meters()) {
            if (streamed.count(m.serial)) continue;
            const meter_series none(m.serial);
            const auto it = events.find(m.serial);
            const anomaly_input input{&m, &none,
                                      it == events.end() ? std::span<const meter_event>{}
                                                         : std::span<const meter_event>(it->second)};
            for (auto& x : meter_anomalies(f, input, now, t, vp)) found.push_back(std::move(x));
        }
        auto imbalances = balance.anomalies(t);
        for (auto& x : imbalances) found.push_back(std::move(x));
    }
    if (report_from)
        found.erase(
            std::remove_if(found.begin(), found.end(), [&](const anomaly& x) { return x.to < *report_from; }),
            found.end());
    sqlite_store db = open_store(a, sqlite_store::mode::open);
    const auto st = db.put_anomalies(found);
    std::cout << "found " << found.size() << " anomalies: " << st.inserted << " new, " << st.replaced
              << " refreshed, " << st.unchanged << " unchanged; " << db.anomalies(anomaly_status::open).size()
              << " open in the database\n";
    return 0;
}

int run_anomalies_list(const args& a) {
    sqlite_store db = open_store(a, sqlite_store::mode::read_only);
    std::optional<anomaly_status> status;
    if (a.get("status")) status = a.choice("status", anomaly_status_text);
    output out(a);
    write_anomalies(out.stream(), db.anomalies(status), a.flag("json"));
    out.finish();
    return 0;
}

int run_anomalies_resolve(const args& a) {
    sqlite_store db = open_store(a, sqlite_store::mode::open);
    const std::string key = a.require("key");
    if (!db.resolve_anomaly(key, at_option(a), a.require("by")))
        throw storage_error(errc::not_found, "no anomaly with key '" + key + "'");
    std::cout << "resolved " << key << "\n";
    return 0;
}

std::vector<command> check_commands() {
    const option_spec db = opt::path("db", "FILE", "the SQLite database").mandatory();
    const option_spec busy = opt::busy_timeout();
    const option_spec at = opt::time("at", "\"now\" (default: the current time)");
    const option_spec rule =
        opt::choice("rule", "RULE", due_rule_text, "how the next date is written").defaults_to("same-date");
    const option_spec due = opt::integer("due-within", "DAYS", 0, 36500, "due soon within this many days")
                                .defaults_to(std::to_string(verification_policy{}.due_soon_days));
    const option_spec out = opt::path("out", "FILE", "where to write ('-': stdout)").defaults_to("-");
    const option_spec json = opt::flag("json", "JSON instead of CSV");
    const option_spec status =
        opt::choice("status", "STATUS", anomaly_status_text, "only these (default: all)");
    return {
        {{"verification",
          "Verification dates and status of every meter in service, and the counts (004 analytics).",
          {db, busy, at, rule, due, opt::flag("json", "JSON (with the counts) instead of CSV"), out},
          "CSV: meter,model,base,next,expires,state,failed_for_billing,service_life_end; counts on stderr.\n"
          "The base is the last verification, else manufacture; failed_for_billing honours the 2020 "
          "suspension."},
         run_verification},
        {{"anomalies detect",
          "Runs every anomaly rule over the database and stores what it finds (no duplicates).",
          {db, busy, at, rule, due,
           days_spec("no-link-days", "days without link before a meter is reported",
                     anomaly_thresholds{}.no_link_days),
           days_spec("stuck-days", "days without movement before a register is stuck",
                     anomaly_thresholds{}.stuck_days),
           opt::path("event-catalogue", "FILE",
                     "a СПОДЭС event code catalogue (JSON) that classifies and names the events"),
           opt::integer("days", "N", 1, 36500,
                        "only anomalies of the last N days before --at, reading those days plus the history "
                        "the rules need (default: the whole history)"),
           threads_spec(), quiet_spec()},
          "docs/anomalies.md lists the rules, their defaults and sources."},
         run_anomalies_detect},
        {{"anomalies list",
          "Lists stored anomalies as CSV (or JSON).",
          {db, busy, status, json, out},
          "CSV: "
          "key,type,severity,meter,account,from,to,status,resolved_at,resolved_by,message_ru,message_en"},
         run_anomalies_list},
        {{"anomalies export",
          "Exports every stored anomaly as CSV (or JSON), as list does.",
          {db, busy, status, json, out},
          ""},
         run_anomalies_list},
        {{"anomalies resolve",
          "Marks an anomaly resolved, with when and by whom.",
          {db, busy, opt::text("key", "KEY", "the anomaly's key (see list)").mandatory(),
           opt::text("by", "NAME", "who resolved it").mandatory(), at},
          ""},
         run_anomalies_resolve},
    };
}

}  // namespace kvant::cli

namespace kvant::cli {

instant at_option(const args& a);
int int_option(const args& a, const std::string& name);

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
            for (const auto& e : estimate_billing(mc, register_id::total, meter_normative, failed, policy)) {
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
             "with --interval: meter,timestamp,value,quality. Electricity meters keep the average until "
             "replaced."},
            run_estimate};
}

int run_building_share(const args& a) {
    sqlite_store db = open_store(a, sqlite_store::mode::read_only);
    const fleet f = load_fleet(db);
    const std::string building = a.require("building");
    const resource res = a.choice("resource", resource_text);
    const calendar_date first = a.month("month").value();
    const std::string month = to_string(first).substr(0, 7);
    const auto policy_name = a.get("policy").value();  // clip, distribute or carry: checked when parsed
    const negative_share policy = policy_name == "clip"         ? negative_share::clip_to_zero
                                  : policy_name == "distribute" ? negative_share::distribute
                                                                : negative_share::carry_forward;
    building_share_input in;
    if (auto n = a.decimal_value("normative-flats")) in.normative_flats = *n;
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
             {opt::path("db", "FILE", "the SQLite database").mandatory(), opt::busy_timeout(),
              opt::text("building", "KEY", "the building (accounts' building field)").mandatory(),
              opt::choice("resource", "NAME", resource_text, "the resource").defaults_to("electricity"),
              opt::month("month", "the month").mandatory(),
              opt::decimal_at_least("normative-flats", "VALUE", decimal{},
                                    "consumption of flats billed by normative (default 0)"),
              opt::one_of("policy", "POLICY", {"clip", "distribute", "carry"}, "a negative share")
                  .defaults_to("clip"),
              opt::path("out", "FILE", "where to write ('-': stdout)").defaults_to("-")},
             "CSV: account,area,share; the bracket of the formula on stderr. Shares add up exactly."},
            run_building_share};
}

}  // namespace kvant::cli
