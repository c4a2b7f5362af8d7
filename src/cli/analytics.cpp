// kvant analytics: the tiles of the energy retailer's analytics panel (004 §3.1); kvant map: the cabinet's
// map clusters (001 §3.3.2.3), as text or GeoJSON.
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/analytics.hpp"
#include "kvant/algorithms/map_clusters.hpp"
#include "kvant/io/geojson.hpp"

namespace kvant::cli {

namespace {

std::string pct(decimal d) {
    return to_fixed(d, 2) + " %";
}

std::string padded(std::string s, std::size_t width) {
    // pads by code points, so that Cyrillic names line up
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    if (n < width) s.append(width - n, ' ');
    return s;
}

/// The times of each in-service meter's main-quantity total values in the day before its local midnight
/// (the window daily_collection_rate looks at, with its default tolerance).
std::vector<meter_time> daily_main_values(const store& db, const fleet& f, instant now,
                                          const daily_collection_policy& policy) {
    // one cursor over the meters under control, their main channels, and the union of their windows (the
    // zones differ); the algorithm keeps each meter's own window
    series_query q;
    q.provenance = false;
    std::optional<instant> first, last;
    std::set<channel> mains;
    for (const auto& m : f.meters()) {
        const zone z = f.zone_of(m);
        if (!m.under_control || !in_service(m, z, now)) continue;
        const instant midnight = start_of_day(z, local_date(z, now));
        if (!first || midnight - policy.tolerance < *first) first = midnight - policy.tolerance;
        if (!last || midnight > *last) last = midnight;
        q.meters.push_back(m.serial);
        mains.insert(channel::main(m.measures));
    }
    std::vector<meter_time> out;
    if (q.meters.empty()) return out;
    q.channels.assign(mains.begin(), mains.end());
    q.from = to_unix(*first) + 1;
    q.to = to_unix(*last) + 1;
    const auto cursor = db.scan(q);
    series_chunk chunk;
    while (cursor->next(chunk)) {
        const meter* m = f.find_meter(chunk.meter);
        if (!m || chunk.ch != channel::main(m->measures)) continue;  // a main channel of another resource
        for (const auto t : chunk.time) out.push_back({chunk.meter, from_unix(t)});
    }
    return out;
}

/// The last contact of each meter at or before `at`: when the store holds sessions of the meter, the start of
/// its latest session that reached it (ok or partial; looked for in the 15 days before `at`, older being no
/// link anyway), else its last reading.
std::vector<meter_time> last_contacts(const store& db, const fleet& f, instant at) {
    std::map<std::string, link_summary, std::less<>> summaries;
    for (auto& s : db.link_summaries())
        if (s.last) summaries.emplace(s.meter, std::move(s));
    std::vector<meter_time> out;
    for (const auto& m : f.meters()) {
        const auto it = summaries.find(m.serial);
        if (it == summaries.end()) {
            if (const auto r = db.last_reading(m.serial, at)) out.push_back({m.serial, r->time});
        } else if (it->second.last_ok && it->second.last_ok->start <= at) {
            out.push_back({m.serial, it->second.last_ok->start});
        } else {
            for (const auto& s : db.sessions(m.serial, at - std::chrono::hours{24 * 15}, at + seconds{1}))
                if (reached(s.result)) out.push_back({m.serial, s.start});
        }
    }
    return out;
}

void check_organization(const fleet& f, const std::string& id) {
    if (!id.empty() && !f.find_organization(id))
        throw config_error(errc::usage,
                           "--organization " + excerpt(id) + ": no such organisation in the database");
}

nlohmann::json analytics_json(const analytics_report& r, const analytics_options& o) {
    using nlohmann::json;
    auto d = [](decimal x) { return to_string(x); };  // decimals as strings, exact (as model/json.hpp)
    json makers = json::array();
    for (const auto& m : r.manufacturers.manufacturers)
        makers.push_back({{"manufacturer", m.manufacturer}, {"meters", m.meters}, {"percent", d(m.percent)}});
    json orgs = json::array();
    for (const auto& v : r.verification)
        orgs.push_back({{"organization", v.organization},
                        {"valid", v.counts.valid},
                        {"due_soon", v.counts.due_soon},
                        {"expired", v.counts.expired},
                        {"unknown", v.counts.unknown},
                        {"needing", v.needing()}});
    json groups = json::array();
    for (const auto& g : r.collection.groups)
        groups.push_back({{"organization", g.organization},
                          {"resource", to_string(g.measures)},
                          {"under_control", g.under_control},
                          {"collected", g.collected},
                          {"percent", d(g.percent)},
                          {"missing", g.missing}});
    return {{"at", to_string(r.at)},
            {"organization", o.organization},
            {"abonents",
             {{"abonents", r.abonents.abonents},
              {"registered", r.abonents.registered},
              {"unregistered", r.abonents.unregistered},
              {"registered_percent", d(r.abonents.registered_percent)},
              {"unregistered_percent", d(r.abonents.unregistered_percent)}}},
            {"manufacturers",
             {{"meters", r.manufacturers.meters},
              {"by_manufacturer", makers},
              {"unknown", r.manufacturers.unknown},
              {"unknown_percent", d(r.manufacturers.unknown_percent)}}},
            {"load",
             {{"meters", r.load.meters},
              {"on", r.load.on},
              {"off", r.load.off},
              {"off_percent", d(r.load.off_percent)},
              {"off_meters", r.load.off_meters}}},
            {"verification",
             {{"due_within_days", o.verification.due_soon_days},
              {"needing", r.needing_verification},
              {"organizations", orgs}}},
            {"collection",
             {{"under_control", r.collection.under_control},
              {"collected", r.collection.collected},
              {"percent", d(r.collection.percent)},
              {"groups", groups}}}};
}

int run_analytics(const args& a) {
    const auto db_handle = open_db(a, open_mode::read_only);
    store& db = *db_handle;
    const fleet f = load_fleet(db);
    analytics_options o;
    o.organization = a.get("organization").value_or("");
    check_organization(f, o.organization);
    o.verification = policy_from(a);
    const analytics_report r = store_analytics(db, f, at_option(a), o);
    output out(a);
    if (a.flag("json"))
        out.stream() << analytics_json(r, o).dump(2) << '\n';
    else
        write_analytics(out.stream(), r, o);
    out.finish();
    return 0;
}

int run_map(const args& a) {
    const auto db_handle = open_db(a, open_mode::read_only);
    store& db = *db_handle;
    const fleet f = load_fleet(db);
    const instant now = at_option(a);
    map_options o;
    o.zoom = int_option(a, "zoom");
    o.cell_pixels = int_option(a, "cell");
    o.organization = a.get("organization").value_or("");
    check_organization(f, o.organization);
    const auto seen = last_contacts(db, f, now);
    const auto relays = db.relay_at(now);
    const map_view v = cluster_meters(f, seen, relays, now, o);
    if (const auto path = a.get("geojson")) {
        write_file_whole(*path, [&](std::ostream& os) { write_geojson(os, v); });
    }
    output out(a);
    auto& os = out.stream();
    os << "map at " << to_string(now) << ", zoom " << v.zoom << " (" << v.cells_per_side << " cells of "
       << v.cell_pixels << " px a side)\n";
    os << "meters without coordinates: " << v.without_coordinates << " of " << v.meters << "\n";
    os << "states:";
    for (std::size_t b = 0; b < meter_status_count; ++b)
        os << " " << to_string(static_cast<meter_status>(b)) << " " << v.states[b];
    os << "\nclusters: " << v.clusters.size() << "\n";
    os << "column,row,count,latitude,longitude,south,west,north,east";
    for (std::size_t b = 0; b < meter_status_count; ++b) os << "," << to_string(static_cast<meter_status>(b));
    os << ",meters\n";
    for (const auto& c : v.clusters) {
        os << c.column << ',' << c.row << ',' << c.count << ',' << to_string(c.latitude) << ','
           << to_string(c.longitude) << ',' << to_string(c.bounds.south) << ',' << to_string(c.bounds.west)
           << ',' << to_string(c.bounds.north) << ',' << to_string(c.bounds.east);
        for (std::size_t b = 0; b < meter_status_count; ++b) os << ',' << c.states[b];
        os << ',';
        for (std::size_t i = 0; i < c.meters.size(); ++i) os << (i ? " " : "") << c.meters[i];
        os << '\n';
    }
    out.finish();
    return 0;
}

option_spec organization_spec() {
    return opt::text("organization", "ID", "only this organisation's abonents and meters (default: all)");
}

}  // namespace

analytics_report store_analytics(const store& db, const fleet& f, instant now, const analytics_options& o) {
    const auto values = daily_main_values(db, f, now, o.collection);
    const auto relays = db.relay_at(now);
    return analyze(f, {relays, values}, now, o);
}

void write_analytics(std::ostream& os, const analytics_report& r, const analytics_options& o) {
    os << "analytics at " << to_string(r.at) << ", organisation "
       << (o.organization.empty() ? "all" : o.organization) << "\n\n";
    os << "abonents: " << r.abonents.abonents << "; registered " << r.abonents.registered << " ("
       << pct(r.abonents.registered_percent) << "), not registered " << r.abonents.unregistered << " ("
       << pct(r.abonents.unregistered_percent) << ")\n";
    os << "meters in service by manufacturer: " << r.manufacturers.meters << "\n";
    for (const auto& m : r.manufacturers.manufacturers)
        os << "  " << padded(m.manufacturer, 28) << padded(std::to_string(m.meters), 6) << pct(m.percent)
           << "\n";
    if (r.manufacturers.unknown)
        os << "  " << padded("(unknown)", 28) << padded(std::to_string(r.manufacturers.unknown), 6)
           << pct(r.manufacturers.unknown_percent) << "\n";
    os << "load: " << r.load.meters << " meters; relay off " << r.load.off << " (" << pct(r.load.off_percent)
       << ")";
    if (!r.load.off_meters.empty()) {
        os << ":";
        for (const auto& s : r.load.off_meters) os << " " << s;
    }
    os << "\n";
    os << "needing verification: " << r.needing_verification << " (due within "
       << o.verification.due_soon_days << " days or expired)\n";
    for (const auto& v : r.verification)
        os << "  " << padded(v.organization.empty() ? "(none)" : v.organization, 20) << "valid "
           << v.counts.valid << ", due soon " << v.counts.due_soon << ", expired " << v.counts.expired
           << ", unknown " << v.counts.unknown << "; needing " << v.needing() << "\n";
    os << "data collected for the start of today: " << r.collection.collected << " of "
       << r.collection.under_control << " under control (" << pct(r.collection.percent) << ")\n";
    for (const auto& g : r.collection.groups) {
        os << "  " << padded(g.organization.empty() ? "(none)" : g.organization, 20)
           << padded(std::string(to_string(g.measures)), 13) << g.collected << " of " << g.under_control
           << " (" << pct(g.percent) << ")";
        if (!g.missing.empty()) {
            os << "; missing:";
            for (const auto& s : g.missing) os << " " << s;
        }
        os << "\n";
    }
}

std::vector<command> analytics_commands() {
    const option_spec db = db_spec().mandatory();
    const option_spec out = opt::path("out", "FILE", "where to write ('-': stdout)").defaults_to("-");
    return {
        {{"analytics",
          "The analytics panel's tiles (004 §3.1).\nRegistered abonents, meters by manufacturer, load state, "
          "meters needing verification, and data collection per organisation and resource.",
          {db, opt::busy_timeout(), at_spec(), organization_spec(), rule_spec(), due_spec(),
           opt::flag("json", "JSON (decimals as strings) instead of text"), out},
          "Shares are percents rounded half to even to hundredths. A meter's daily data for the start of "
          "today\n"
          "is a value of its main quantity's total at its local midnight or in the day before it\n"
          "(docs/analytics.md). The load state is the relay change in force at --at (none: on)."},
         run_analytics},
        {{"map",
          "The map of meters in clusters (001 §3.3.2.3), as text or GeoJSON.\nClusters of a zoom level with "
          "their counts and legend states, and the meters without coordinates.",
          {db, opt::busy_timeout(), opt::integer("zoom", "Z", 0, 24, "the map's zoom level").mandatory(),
           opt::integer("cell", "PX", 8, 256, "cluster cell size in pixels (a power of two)")
               .defaults_to("64"),
           at_spec(), organization_spec(), opt::path("geojson", "FILE", "also write the clusters as GeoJSON"),
           out},
          "Clusters are cells of a Web Mercator grid (256-px tiles, cells of --cell px); the state of a "
          "meter\n"
          "comes from its relay at --at and its last session that reached it (else its last reading) at or\n"
          "before --at (docs/analytics.md)."},
         run_map},
    };
}

}  // namespace kvant::cli
