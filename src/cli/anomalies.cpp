// kvant anomalies: detect (streamed over the database), list, export and resolve.
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
#include "kvant/reports/anomaly_detection.hpp"
#include "kvant/reports/reports.hpp"

namespace kvant::cli {

namespace {

/// Days options: 1..36500 (a hundred years), with the library's default.
option_spec days_spec(std::string name, std::string help, int fallback) {
    return opt::integer(std::move(name), "DAYS", 1, 36500, std::move(help))
        .defaults_to(std::to_string(fallback));
}

void write_anomalies(std::ostream& os, const std::vector<anomaly>& list, bool json) {
    if (!json) {
        anomalies_table(list).write_csv(os);
        return;
    }
    // the stored form (message: code and parameters) and its rendering in each language
    auto out = nlohmann::json::array();
    for (const auto& x : list) {
        nlohmann::json j = x;
        j["message_ru"] = x.render(language::ru);
        j["message_en"] = x.render(language::en);
        out.push_back(std::move(j));
    }
    os << out.dump(2) << '\n';
}

}  // namespace

int run_anomalies_detect(const args& a) {
    const instant now = at_option(a);
    anomaly_thresholds t;
    t.no_link_days = int_option(a, "no-link-days");
    t.stuck_days = int_option(a, "stuck-days");
    const auto vp = policy_from(a);
    std::optional<event_catalogue> catalogue;
    if (auto c = a.get("event-catalogue")) catalogue = event_catalogue::load(*c);
    detection_options o;
    o.at = now;
    o.thresholds = t;
    o.verification = vp;
    o.catalogue = std::move(catalogue);
    if (const auto days = a.integer("days"))
        o.days = static_cast<int>(*days);  // 1..36500: checked when parsed
    o.run.threads = threads_option(a);
    std::vector<anomaly> found;
    {
        const auto db_handle = open_db(a, open_mode::read_only);
        const store& db = *db_handle;
        found = detect_anomalies(db, o);
    }
    const auto db_handle = open_db(a, open_mode::open);
    store& db = *db_handle;
    const auto st = db.put_anomalies(found);
    std::cout << "found " << found.size() << " anomalies: " << st.inserted << " new, " << st.replaced
              << " refreshed, " << st.unchanged << " unchanged; " << db.anomalies(anomaly_status::open).size()
              << " open in the database\n";
    return 0;
}

int run_anomalies_list(const args& a) {
    const auto db_handle = open_db(a, open_mode::read_only);
    store& db = *db_handle;
    anomaly_query q;
    if (a.get("status")) q.status = a.choice("status", anomaly_status_text);
    if (a.get("type")) q.type = a.choice("type", anomaly_type_text);
    if (const auto m = a.get("meter")) q.meter = *m;
    if (const auto o = a.get("organization")) q.organization = *o;
    q.from = a.time("from");
    q.to = a.time("to");
    if (const auto n = a.integer("offset")) q.offset = static_cast<std::size_t>(*n);
    if (const auto n = a.integer("limit")) q.limit = static_cast<std::size_t>(*n);
    const auto list = listed_anomalies(db, q);
    output out(a);
    write_anomalies(out.stream(), list, a.flag("json"));
    out.finish();
    return 0;
}

int run_anomalies_resolve(const args& a) {
    const auto db_handle = open_db(a, open_mode::open);
    store& db = *db_handle;
    const std::string key = a.require("key");
    if (!db.resolve_anomaly(key, at_option(a), a.require("by"), a.get("note").value_or("")))
        throw storage_error(errc::not_found, "no anomaly with key " + excerpt(key));
    std::cout << "resolved " << key << "\n";
    return 0;
}

int run_anomalies_reopen(const args& a) {
    const auto db_handle = open_db(a, open_mode::open);
    store& db = *db_handle;
    const std::string key = a.require("key");
    if (!db.reopen_anomaly(key, at_option(a), a.require("by"), a.get("note").value_or("")))
        throw storage_error(errc::not_found, "no anomaly with key " + excerpt(key));
    std::cout << "reopened " << key << "\n";
    return 0;
}

int run_anomalies_history(const args& a) {
    const auto db_handle = open_db(a, open_mode::read_only);
    store& db = *db_handle;
    const std::string key = a.require("key");
    bool known = false;
    for (const auto& x : db.anomalies())
        if (x.key == key) known = true;
    if (!known) throw storage_error(errc::not_found, "no anomaly with key " + excerpt(key));
    output out(a);
    auto& os = out.stream();
    os << "anomaly,action,at,by,note\n";
    auto field = [&](std::string_view v) { write_csv_field(os, v); };
    for (const auto& h : db.anomaly_history(key)) {
        field(h.anomaly);
        os << ',' << to_string(h.action) << ',' << to_string(h.at) << ',';
        field(h.by);
        os << ',';
        field(h.note);
        os << '\n';
    }
    out.finish();
    return 0;
}

std::vector<command> anomaly_commands() {
    const option_spec db = db_spec().mandatory();
    const option_spec busy = opt::busy_timeout();
    const option_spec at = at_spec();
    const option_spec rule = rule_spec();
    const option_spec due = due_spec();
    const option_spec out = opt::path("out", "FILE", "where to write ('-': stdout)").defaults_to("-");
    const option_spec json = opt::flag("json", "JSON instead of CSV");
    const option_spec status =
        opt::choice("status", "STATUS", anomaly_status_text, "only these (default: all)");
    const std::vector<option_spec> filters{
        opt::choice("type", "TYPE", anomaly_type_text, "only anomalies of this type"),
        opt::text("meter", "SERIAL", "only anomalies of this meter (or building key)"),
        opt::text("organization", "ID", "only anomalies of this organisation's meters and accounts"),
        opt::time("from", "only anomalies that last until this time or later"),
        opt::time("to", "only anomalies that began before this time"),
        opt::integer("offset", "N", 0, 1'000'000'000,
                     "skip the first N (after ordering by meter, begin, key)"),
        opt::integer("limit", "N", 1, 1'000'000'000, "list at most N")};
    auto with_filters = [&](std::vector<option_spec> base) {
        base.insert(base.end() - 2, filters.begin(), filters.end());
        return base;
    };
    const option_spec key = opt::text("key", "KEY", "the anomaly's key (see list)").mandatory();
    const option_spec note = opt::text("note", "TEXT", "why (kept in the anomaly's history)");
    return {
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
        {{"anomalies list", "Lists stored anomalies as CSV (or JSON), filtered and paged.",
          with_filters({db, busy, status, json, out}),
          "CSV: "
          "key,type,severity,meter,account,from,to,status,resolved_at,resolved_by,message_ru,message_en"},
         run_anomalies_list},
        {{"anomalies export", "Exports stored anomalies as CSV (or JSON), as list does.",
          with_filters({db, busy, status, json, out}), ""},
         run_anomalies_list},
        {{"anomalies resolve",
          "Marks an anomaly resolved, with when and by whom.",
          {db, busy, key, opt::text("by", "NAME", "who resolved it").mandatory(), note, at},
          ""},
         run_anomalies_resolve},
        {{"anomalies reopen",
          "Opens a resolved anomaly again, with when, by whom and why (the history keeps the resolution).",
          {db, busy, key, opt::text("by", "NAME", "who reopened it").mandatory(), note, at},
          ""},
         run_anomalies_reopen},
        {{"anomalies history",
          "Lists who resolved or reopened an anomaly, when and why, oldest first (CSV).",
          {db, busy, key, out},
          "CSV: anomaly,action,at,by,note"},
         run_anomalies_history},
    };
}

}  // namespace kvant::cli
