// The analytics tiles of 004 §3.1 and the map of 001 §3.3.2.3, over a small fleet built here whose every
// figure is worked out by hand in the comments (the Mercator rows were checked with an independent
// computation in Python's math module).
#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "kvant/algorithms/analytics.hpp"
#include "kvant/algorithms/map_clusters.hpp"
#include "kvant/io/geojson.hpp"
#include "kvant/store/memory_store.hpp"
#include "kvant/store/sqlite_store.hpp"
#include "store_backends.hpp"
#include "support.hpp"

using namespace kvant;
using namespace kvant::test;

namespace {

calendar_date day(const char* s) {
    return parse_date(s);
}

meter_model model(const char* id, const char* manufacturer, int interval) {
    meter_model m;
    m.id = id;
    m.name = id;
    m.manufacturer = manufacturer;
    m.verification_interval_years = interval;
    return m;
}

meter make(const char* serial, const char* model_id, const char* point, const char* lat = nullptr,
           const char* lon = nullptr) {
    meter m;
    m.serial = serial;
    m.model = model_id;
    m.point = point;
    if (lat) m.latitude = dec(lat);
    if (lon) m.longitude = dec(lon);
    return m;
}

// Two organisations: "uk" (UTC+3) with abonents a1 (registered before the instant), a2 (registered after
// it) and a3 (never); "snt" (UTC+6) with s1 (registered).
//
// meter  org  model  resource     coordinates             state at 2020-08-21T09:05+03:00
// m1     uk   mir    electricity  55.751244, 37.618423    verified 2010-09-01 + 16 y: valid
// m2     uk   mir    electricity  55.751300, 37.618500    verified 2004-09-10: expires 2020-09-10, due soon
// m3     uk   neva   electricity  none                    verified 2004-08-01: expired 2020-08-01
// m4     uk   none   cold water   55.800000, 37.700000    no model: unknown
// m5     uk   neva   electricity  55.751244, 37.618423    removed 2020-08-01: out of service
// m6     uk   neva   electricity  55.751000, 37.618000    verified 2015-01-01: valid; not under control
// s1     snt  (no manufacturer)   54.980000, 73.370000    manufactured 2015-01-01 + 10 y: valid
// s2     snt  mir    electricity  none                    installed 2020-09-01: not yet in service
fleet test_fleet() {
    organization uk, snt;
    uk.id = "uk";
    uk.name = "УК";
    uk.time_zone = zone::fixed(180);
    snt.id = "snt";
    snt.name = "СНТ";
    snt.time_zone = zone::fixed(360);
    std::vector<abonent> abonents{
        {"a1", "uk", abonent_kind::person, "A1", "", "", at("2020-07-01T00:00:00Z")},
        {"a2", "uk", abonent_kind::person, "A2", "", "", at("2020-09-01T00:00:00Z")},
        {"a3", "uk", abonent_kind::person, "A3", "", "", std::nullopt},
        {"s1", "snt", abonent_kind::person, "S1", "", "", at("2020-01-01T00:00:00Z")}};
    std::vector<account> accounts(4);
    const char* numbers[] = {"A1", "A2", "A3", "S1"};
    const char* owners[] = {"a1", "a2", "a3", "s1"};
    for (int i = 0; i < 4; ++i) accounts[i].number = numbers[i], accounts[i].abonent = owners[i];
    std::vector<metering_point> points{{"p1", "A1", "", "", "", ""},
                                       {"p2", "A2", "", "", "", ""},
                                       {"p3", "A3", "", "", "", ""},
                                       {"ps", "S1", "", "", "", ""}};
    std::vector<meter_model> models{model("mir", "ООО «МИР»", 16), model("neva", "Тайпит", 16),
                                    model("nomaker", "", 10)};
    auto m1 = make("m1", "mir", "p1", "55.751244", "37.618423");
    m1.last_verification = day("2010-09-01");
    auto m2 = make("m2", "mir", "p1", "55.7513", "37.6185");
    m2.last_verification = day("2004-09-10");
    auto m3 = make("m3", "neva", "p2");
    m3.last_verification = day("2004-08-01");
    auto m4 = make("m4", "", "p3", "55.8", "37.7");
    m4.measures = resource::cold_water;
    auto m5 = make("m5", "neva", "p3", "55.751244", "37.618423");
    m5.removed = day("2020-08-01");
    auto m6 = make("m6", "neva", "p2", "55.751", "37.618");
    m6.last_verification = day("2015-01-01");
    m6.under_control = false;
    auto s1 = make("s1", "nomaker", "ps", "54.98", "73.37");
    s1.manufactured = day("2015-01-01");
    auto s2 = make("s2", "mir", "ps");
    s2.installed = day("2020-09-01");
    return fleet({uk, snt}, abonents, accounts, points, models, {m1, m2, m3, m4, m5, m6, s1, s2});
}

const instant now = at("2020-08-21T09:05:00+03:00");  // 06:05Z

relay_change change(const char* serial, const char* t, relay_position p) {
    return relay_change{serial, at(t), p, relay_reason::command, "operator", ""};
}

// m1 off then on again: on. m2 off the day before: off. m3 off only after the instant: on. m4 on and off at
// the same second: off, whatever the order. m5 off, but removed: not counted.
std::vector<relay_change> relays() {
    return {change("m1", "2020-08-10T10:00:00Z", relay_position::off),
            change("m1", "2020-08-15T10:00:00Z", relay_position::on),
            change("m2", "2020-08-20T12:00:00Z", relay_position::off),
            change("m3", "2020-08-21T07:00:00Z", relay_position::off),
            change("m4", "2020-08-01T00:00:00Z", relay_position::on),
            change("m4", "2020-08-01T00:00:00Z", relay_position::off),
            change("m5", "2020-07-30T00:00:00Z", relay_position::off)};
}

}  // namespace

TEST_CASE("percent: hundredths of a percent, rounded half to even") {
    CHECK(percent_of(1, 3) == dec("33.33"));
    CHECK(percent_of(2, 3) == dec("66.67"));
    CHECK(percent_of(1, 32) == dec("3.12"));  // 3.125: the even neighbour
    CHECK(percent_of(3, 32) == dec("9.38"));  // 9.375
    CHECK(percent_of(1, 8) == dec("12.5"));
    CHECK(percent_of(5, 5) == dec("100"));
    CHECK(percent_of(0, 7) == dec("0"));
    CHECK(percent_of(0, 0) == dec("0"));
}

TEST_CASE("analytics: registered abonents, all and per organisation") {
    const fleet f = test_fleet();
    const auto all = registered_abonents(f, now);
    CHECK(all.abonents == 4);
    CHECK(all.registered == 2);  // a1, s1; a2 registers only on 1 September
    CHECK(all.unregistered == 2);
    CHECK(all.registered_percent == dec("50"));
    const auto uk = registered_abonents(f, now, "uk");
    CHECK(uk.abonents == 3);
    CHECK(uk.registered == 1);
    CHECK(uk.registered_percent == dec("33.33"));
    CHECK(uk.unregistered_percent == dec("66.67"));
    CHECK(registered_abonents(f, at("2020-09-01T00:00:00Z"), "uk").registered ==
          2);  // at the instant: counts
    CHECK(registered_abonents(f, now, "nobody").abonents == 0);
}

TEST_CASE("analytics: meters in service by manufacturer, unknown apart") {
    const fleet f = test_fleet();
    // in service: m1, m2, m3, m4, m6, s1 (m5 removed, s2 not yet installed)
    const auto all = share_by_manufacturer(f, now);
    CHECK(all.meters == 6);
    REQUIRE(all.manufacturers.size() == 2);
    CHECK(all.manufacturers[0].manufacturer == "ООО «МИР»");  // 2 each: by name
    CHECK(all.manufacturers[0].meters == 2);
    CHECK(all.manufacturers[0].percent == dec("33.33"));
    CHECK(all.manufacturers[1].manufacturer == "Тайпит");
    CHECK(all.manufacturers[1].meters == 2);
    CHECK(all.unknown == 2);  // m4 without a model, s1 whose model names no manufacturer
    CHECK(all.unknown_percent == dec("33.33"));
    const auto uk = share_by_manufacturer(f, now, "uk");
    CHECK(uk.meters == 5);
    CHECK(uk.manufacturers[0].percent == dec("40"));
    CHECK(uk.unknown == 1);
    CHECK(uk.unknown_percent == dec("20"));
    const auto snt = share_by_manufacturer(f, now, "snt");
    CHECK(snt.meters == 1);
    CHECK(snt.manufacturers.empty());
    CHECK(snt.unknown_percent == dec("100"));
    // once s2 is installed it counts
    CHECK(share_by_manufacturer(f, at("2020-09-01T00:00:00+06:00"), "snt").meters == 2);
}

TEST_CASE("analytics: load state from the relay history, independent of its order") {
    const fleet f = test_fleet();
    auto changes = relays();
    const auto all = load_state_at(f, changes, now);
    CHECK(all.meters == 6);
    CHECK(all.off == 2);
    CHECK(all.on == 4);
    CHECK(all.off_percent == dec("33.33"));
    CHECK(all.off_meters == std::vector<std::string>{"m2", "m4"});
    std::reverse(changes.begin(), changes.end());
    const auto reversed = load_state_at(f, changes, now);
    CHECK(reversed.off_meters == all.off_meters);
    const auto uk = load_state_at(f, changes, now, "uk");
    CHECK(uk.meters == 5);
    CHECK(uk.off_percent == dec("40"));
    // after 07:00Z m3 is off too; before 12:00Z of the 20th m2 was on
    CHECK(load_state_at(f, changes, at("2020-08-21T07:00:00Z")).off == 3);
    CHECK(load_state_at(f, changes, at("2020-08-20T11:59:59Z")).off_meters == std::vector<std::string>{"m4"});
    CHECK(load_state_at(f, {}, now).off == 0);  // no history: every relay on
}

TEST_CASE("analytics: meters needing verification per organisation") {
    const fleet f = test_fleet();
    const auto v = verification_by_organization(f, now);
    REQUIRE(v.size() == 2);
    CHECK(v[0].organization == "snt");
    CHECK(v[0].counts.valid == 1);
    CHECK(v[0].needing() == 0);
    CHECK(v[1].organization == "uk");
    CHECK(v[1].counts.valid == 2);     // m1, m6
    CHECK(v[1].counts.due_soon == 1);  // m2: 20 days before 10 September
    CHECK(v[1].counts.expired == 1);   // m3
    CHECK(v[1].counts.unknown == 1);   // m4
    CHECK(v[1].needing() == 2);
    const auto only = verification_by_organization(f, now, {}, "snt");
    REQUIRE(only.size() == 1);
    CHECK(only[0].organization == "snt");
}

TEST_CASE("analytics: data collection for the start of today, per organisation and resource") {
    const fleet f = test_fleet();
    // midnight of 21 August: 2020-08-20T21:00Z for uk (UTC+3), 2020-08-20T18:00Z for snt (UTC+6)
    const std::vector<meter_time> values{
        {"m1", at("2020-08-20T21:00:00Z")},  // the snapshot at midnight
        {"m2", at("2020-08-20T06:05:00Z")},  // yesterday 09:05 local, the last before midnight
        {"m2", at("2020-08-21T06:00:00Z")},
        {"m3", at("2020-08-19T21:00:00Z")},  // exactly a day before midnight: yesterday's start, not today's
        {"m3", at("2020-08-21T06:00:00Z")},  // today after midnight: not the data for its start
        {"m4", at("2020-08-20T20:59:59Z")},
        {"m6", at("2020-08-20T21:00:00Z")},  // not under control
        {"s1", at("2020-08-20T19:00:00Z")},  // after midnight in UTC+6
        {"zz", at("2020-08-20T21:00:00Z")},  // no such meter
    };
    const auto r = daily_collection_rate(f, values, now);
    REQUIRE(r.groups.size() == 3);
    CHECK(r.groups[0].organization == "snt");
    CHECK(r.groups[0].under_control == 1);
    CHECK(r.groups[0].collected == 0);
    CHECK(r.groups[0].missing == std::vector<std::string>{"s1"});
    CHECK(r.groups[1].organization == "uk");
    CHECK(r.groups[1].measures == resource::electricity);
    CHECK(r.groups[1].under_control == 3);  // m1, m2, m3 (m5 removed, m6 not under control)
    CHECK(r.groups[1].collected == 2);
    CHECK(r.groups[1].percent == dec("66.67"));
    CHECK(r.groups[1].missing == std::vector<std::string>{"m3"});
    CHECK(r.groups[2].measures == resource::cold_water);
    CHECK(r.groups[2].collected == 1);
    CHECK(r.groups[2].percent == dec("100"));
    CHECK(r.under_control == 5);
    CHECK(r.collected == 3);
    CHECK(r.percent == dec("60"));
    // a tighter tolerance: only a value within the last hour before midnight
    daily_collection_policy hour;
    hour.tolerance = std::chrono::hours{1};
    CHECK(daily_collection_rate(f, values, now, hour, "uk").collected == 2);  // m1, m4
    // the snt meter's value does count in the day after
    CHECK(daily_collection_rate(f, values, at("2020-08-22T09:00:00+06:00"), {}, "snt").collected == 1);
}

TEST_CASE("analytics: every tile at once") {
    const fleet f = test_fleet();
    const auto changes = relays();
    const std::vector<meter_time> values{{"m1", at("2020-08-20T21:00:00Z")}};
    analytics_options o;
    o.organization = "uk";
    const auto r = analyze(f, {changes, values}, now, o);
    CHECK(r.abonents.registered == 1);
    CHECK(r.manufacturers.meters == 5);
    CHECK(r.load.off == 2);
    CHECK(r.needing_verification == 2);
    CHECK(r.collection.collected == 1);
    CHECK(r.collection.under_control == 4);
}

TEST_CASE("map grid: exact column edges and Mercator row edges") {
    // zoom 0, 64 px cells: 4 × 4 cells; columns 90° wide, rows split at ±66.513260 and 0
    CHECK(map_row_north(0, 4) == dec("85.051129"));
    CHECK(map_row_north(1, 4) == dec("66.51326"));  // atan(sinh(π/2)) = 66.5132604431°
    CHECK(map_row_north(2, 4) == dec("0"));
    CHECK(map_cell(dec("0"), dec("0"), 4) == std::pair<std::int64_t, std::int64_t>{2, 2});
    CHECK(map_cell(dec("0.000001"), dec("-0.000001"), 4) == std::pair<std::int64_t, std::int64_t>{1, 1});
    CHECK(map_cell(dec("66.51326"), dec("180"), 4) == std::pair<std::int64_t, std::int64_t>{3, 1});
    CHECK(map_cell(dec("66.513261"), dec("-180"), 4) == std::pair<std::int64_t, std::int64_t>{0, 0});
    CHECK(map_cell(dec("90"), dec("89.999999"), 4) == std::pair<std::int64_t, std::int64_t>{2, 0});
    CHECK(map_cell(dec("-90"), dec("90"), 4) == std::pair<std::int64_t, std::int64_t>{3, 3});
    // zoom 10: 4096 cells a side; Moscow 55.751244, 37.618423 at row 1280.512…, column 2476.01…
    CHECK(map_cell(dec("55.751244"), dec("37.618423"), 4096) ==
          std::pair<std::int64_t, std::int64_t>{2476, 1280});
    CHECK(map_cell(dec("55.8"), dec("37.7"), 4096) == std::pair<std::int64_t, std::int64_t>{2476, 1279});
    CHECK(map_cell(dec("54.98"), dec("73.37"), 4096) == std::pair<std::int64_t, std::int64_t>{2882, 1295});
}

namespace {
std::vector<meter_time> contacts() {
    // at 06:05Z: m1 5 minutes ago, m2 2 h 5 min ago (but its relay is off), m3 exactly 48 h ago, m6 too (but
    // it is not under control), s1 20 days ago
    return {{"m1", at("2020-08-21T06:00:00Z")}, {"m1", at("2020-08-20T06:00:00Z")},
            {"m2", at("2020-08-21T04:00:00Z")}, {"m3", at("2020-08-19T06:05:00Z")},
            {"m6", at("2020-08-19T06:05:00Z")}, {"s1", at("2020-08-01T00:00:00Z")}};
}
std::size_t in(const status_counts& c, meter_status b) {
    return c[static_cast<std::size_t>(b)];
}
}  // namespace

TEST_CASE("map clusters at zoom 10: counts, centroid, bounds, legend states, whatever the input order") {
    const fleet f = test_fleet();
    auto changes = relays();
    auto seen = contacts();
    map_options o;
    o.zoom = 10;
    const auto v = cluster_meters(f, seen, changes, now, o);
    CHECK(v.cells_per_side == 4096);
    CHECK(v.meters == 7);  // s2 is not installed yet
    CHECK(v.without_coordinates == 1);
    CHECK(v.without == std::vector<std::string>{"m3"});
    // disconnected: m2 (relay), m4 (relay), m5 (removed); m6 not under control; m1 30 min; m3 (not placed)
    // 2 days; s1 no link
    CHECK(in(v.states, meter_status::disconnected) == 3);
    CHECK(in(v.states, meter_status::not_under_control) == 1);
    CHECK(in(v.states, meter_status::within_30min) == 1);
    CHECK(in(v.states, meter_status::within_2d) == 1);
    CHECK(in(v.states, meter_status::no_link) == 1);
    REQUIRE(v.bounds);
    CHECK(*v.bounds == geo_bounds{dec("54.98"), dec("37.618"), dec("55.8"), dec("73.37")});
    REQUIRE(v.clusters.size() == 3);
    const auto& a = v.clusters[0];  // row 1279: m4 alone
    CHECK(a.row == 1279);
    CHECK(a.column == 2476);
    CHECK(a.count == 1);
    CHECK(a.meters == std::vector<std::string>{"m4"});
    CHECK(a.latitude == dec("55.8"));
    CHECK(in(a.states, meter_status::disconnected) == 1);
    const auto& b = v.clusters[1];  // row 1280: m1, m2, m5, m6
    CHECK(b.row == 1280);
    CHECK(b.count == 4);
    CHECK(b.meters == std::vector<std::string>{"m1", "m2", "m5", "m6"});
    // (55.751244 + 55.7513 + 55.751244 + 55.751) / 4 = 55.751197;
    // (37.618423 + 37.6185 + 37.618423 + 37.618) / 4 = 37.6183365 -> 37.618336 (half to even)
    CHECK(b.latitude == dec("55.751197"));
    CHECK(b.longitude == dec("37.618336"));
    CHECK(b.bounds == geo_bounds{dec("55.751"), dec("37.618"), dec("55.7513"), dec("37.6185")});
    CHECK(in(b.states, meter_status::disconnected) == 2);
    CHECK(in(b.states, meter_status::within_30min) == 1);
    CHECK(in(b.states, meter_status::not_under_control) == 1);
    const auto& c = v.clusters[2];  // Omsk
    CHECK(c.column == 2882);
    CHECK(c.meters == std::vector<std::string>{"s1"});
    CHECK(in(c.states, meter_status::no_link) == 1);

    std::reverse(changes.begin(), changes.end());
    std::reverse(seen.begin(), seen.end());
    const auto w = cluster_meters(f, seen, changes, now, o);
    REQUIRE(w.clusters.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(w.clusters[i].meters == v.clusters[i].meters);
        CHECK(w.clusters[i].states == v.clusters[i].states);
        CHECK(w.clusters[i].latitude == v.clusters[i].latitude);
    }

    // zoom 0: one cluster of every meter with coordinates; one organisation: the uk's alone
    o.zoom = 0;
    const auto world = cluster_meters(f, seen, changes, now, o);
    REQUIRE(world.clusters.size() == 1);
    CHECK(world.clusters[0].count == 6);
    o.organization = "uk";
    const auto uk = cluster_meters(f, seen, changes, now, o);
    CHECK(uk.meters == 6);
    CHECK(uk.clusters[0].count == 5);
    o.zoom = 25;
    CHECK_THROWS_WITH(cluster_meters(f, seen, changes, now, o), Catch::Contains("zoom 25"));
    o.zoom = 3;
    o.cell_pixels = 100;
    CHECK_THROWS_WITH(cluster_meters(f, seen, changes, now, o), Catch::Contains("100 px"));
}

TEST_CASE("GeoJSON of the map: RFC 7946 points [lon, lat], exact numbers, parsed back") {
    const fleet f = test_fleet();
    const auto changes = relays();
    const auto seen = contacts();
    map_options o;
    o.zoom = 10;
    const std::string text = to_geojson(cluster_meters(f, seen, changes, now, o));
    // the centroid written from its decimals, longitude first
    CHECK(text.find("\"coordinates\":[37.618336,55.751197]") != std::string::npos);
    const auto j = nlohmann::json::parse(text);
    CHECK(j["type"] == "FeatureCollection");
    CHECK(j["zoom"] == 10);
    CHECK(j["meters"] == 7);
    CHECK(j["without_coordinates"] == 1);
    CHECK(j["without"] == nlohmann::json::array({"m3"}));
    CHECK(j["at"] == "2020-08-21T06:05:00Z");
    CHECK(j["bbox"].dump() == "[37.618,54.98,73.37,55.8]");  // west, south, east, north
    const auto& fs = j["features"];
    REQUIRE(fs.size() == 3);
    CHECK(fs[0]["type"] == "Feature");
    CHECK(fs[0]["id"] == "10/2476/1279");
    CHECK(fs[0]["geometry"]["type"] == "Point");
    CHECK(fs[0]["geometry"]["coordinates"].dump() == "[37.7,55.8]");
    CHECK(fs[0]["properties"]["kind"] == "meter");
    CHECK(fs[0]["properties"]["state"] == "disconnected");
    const auto& b = fs[1]["properties"];
    CHECK(b["kind"] == "cluster");
    CHECK(b["count"] == 4);
    CHECK(b["meters"] == nlohmann::json::array({"m1", "m2", "m5", "m6"}));
    CHECK(b["states"]["disconnected"] == 2);
    CHECK(b["states"]["30min"] == 1);
    CHECK(b["states"]["not_under_control"] == 1);
    CHECK(b["states"]["2d"] == 0);
    CHECK(b["states"]["no_link"] == 0);
    CHECK(!b.contains("state"));
    CHECK(fs[1]["bbox"].dump() == "[37.618,55.751,37.6185,55.7513]");
    CHECK(fs[2]["properties"]["state"] == "no_link");
}

TEMPLATE_TEST_CASE("the load state and the map over a store's relay history (each backend)", "[store]",
                   memory_backend, sqlite_backend, postgres_backend, postgres_fdw_backend) {
    KVANT_BACKEND_OR_SKIP(TestType);
    TestType b;
    const fleet f = test_fleet();
    for (const auto& o : f.organizations()) b.s.put(o);
    for (const auto& a : f.abonents()) b.s.put(a);
    for (const auto& a : f.accounts()) b.s.put(a);
    for (const auto& p : f.points()) b.s.put(p);
    for (const auto& m : f.models()) b.s.put(m);
    for (const auto& m : f.meters()) b.s.put(m);
    // the stored history cannot hold m4's two changes at one second: keep its "off"
    auto changes = relays();
    changes.erase(changes.begin() + 4);
    b.s.put_relay_changes(changes);
    const fleet g = load_fleet(b.s);
    const auto in_force = b.s.relay_at(now);
    const auto load = load_state_at(g, in_force, now);
    CHECK(load.meters == 6);
    CHECK(load.off_meters == std::vector<std::string>{"m2", "m4"});
    CHECK(load.off_percent == dec("33.33"));
    map_options o;
    o.zoom = 10;
    const auto v = cluster_meters(g, contacts(), in_force, now, o);
    CHECK(in(v.states, meter_status::disconnected) == 3);
    CHECK(v.clusters.size() == 3);
}

TEST_CASE("an empty scope: zero counts and shares, a map without features, GeoJSON without a bbox") {
    const fleet f = test_fleet();
    map_options o;
    o.organization = "nobody";
    const auto v = cluster_meters(f, {}, {}, now, o);
    CHECK(v.meters == 0);
    CHECK(!v.bounds);
    const auto j = nlohmann::json::parse(to_geojson(v));
    CHECK(j["features"].empty());
    CHECK(!j.contains("bbox"));
    analytics_options a;
    a.organization = "nobody";
    const auto r = analyze(f, {}, now, a);
    CHECK(r.abonents.registered_percent == dec("0"));
    CHECK(r.manufacturers.meters == 0);
    CHECK(r.load.off_percent == dec("0"));
    CHECK(r.verification.empty());
    CHECK(r.collection.groups.empty());
    CHECK(r.collection.percent == dec("0"));
}
