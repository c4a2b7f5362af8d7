// Helpers shared by the tests: short ways to write decimals, instants and total-only series.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "kvant/core/decimal.hpp"
#include "kvant/core/time.hpp"
#include "kvant/model/fleet.hpp"
#include "kvant/series/meter_series.hpp"
#include "kvant/store/store.hpp"

namespace kvant::test {

/// Bytes from hex digit pairs, as tests write frames: any character that is not a hex digit separates
/// (spaces, '|' between fields); an odd number of digits is a mistake in the test (std::invalid_argument),
/// unless `drop_lone_digit` (a corpus file that has one, read as its project reads it: the digit ignored).
inline std::vector<std::uint8_t> hex_bytes(std::string_view text, bool drop_lone_digit = false) {
    std::vector<std::uint8_t> out;
    int hi = -1;
    for (const char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) continue;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
            hi = -1;
        }
    }
    if (hi >= 0 && !drop_lone_digit) throw std::invalid_argument("hex_bytes: an odd number of hex digits");
    return out;
}

inline decimal dec(const char* s) {
    return decimal::parse(s);
}
inline instant at(const char* s) {
    return parse_instant(s);
}
inline std::int64_t raw(const char* s) {
    return decimal::parse(s).raw();
}

/// A series of one channel only (by default the total of active energy import), from (timestamp, value)
/// pairs in increasing time.
inline meter_series totals(const char* serial,
                           std::initializer_list<std::pair<const char*, const char*>> rows,
                           const channel& ch = {}) {
    meter_series s(serial);
    for (const auto& [t, v] : rows) s.push(ch, to_unix(at(t)), raw(v));
    return s;
}

/// A meter model "x" with a verification interval and, optionally, a service life in years.
inline meter_model model_with(int interval, std::optional<int> life = std::nullopt) {
    meter_model m;
    m.id = "x";
    m.name = "X";
    m.verification_interval_years = interval;
    m.service_life_years = life;
    return m;
}

/// One organisation "org" (in `org_zone`, UTC when absent), one abonent "ab", one account `account_number` in
/// building `building`, one metering point "tp" where every meter without a point is put.
inline fleet one_point_fleet(std::vector<meter> meters, std::optional<zone> org_zone = std::nullopt,
                             std::vector<meter_model> models = {}, std::string account_number = "A1",
                             std::string building = "") {
    organization o;
    o.id = "org";
    o.name = "УК";
    o.time_zone = org_zone;
    account a;
    a.number = account_number;
    a.abonent = "ab";
    a.building = std::move(building);
    for (auto& m : meters)
        if (m.point.empty()) m.point = "tp";
    return fleet({o}, {abonent{"ab", "org", abonent_kind::person, "X", "", "", std::nullopt}}, {a},
                 {metering_point{"tp", account_number, "", "", "", ""}}, std::move(models),
                 std::move(meters));
}

/// Puts into a store one organisation "o", abonent "ab", account "A", metering point "tp" and a meter of each
/// serial on it (electricity): the least a store needs before readings of those meters.
inline void put_one_point(store& s, std::initializer_list<const char*> serials) {
    organization o;
    o.id = "o";
    o.name = "O";
    s.put(o);
    s.put(abonent{"ab", "o", abonent_kind::person, "X", "", "", std::nullopt});
    account acc;
    acc.number = "A";
    acc.abonent = "ab";
    s.put(acc);
    s.put(metering_point{"tp", "A", "", "", "", ""});
    for (const char* serial : serials) {
        meter m;
        m.serial = serial;
        m.point = "tp";
        s.put(m);
    }
}

/// SQL that drops every table schema 4 added (all parts of it), so that a test can fake a version 3 (or
/// older) database from a new one. A part that adds a schema 4 table adds it here.
inline constexpr const char* drop_schema_v4_tables =
    "DROP TABLE IF EXISTS changes; DROP TABLE IF EXISTS anomaly_history; "    // queries
    "DROP TABLE IF EXISTS entry_log; "                                        // manual entry
    "DROP TABLE IF EXISTS meter_links; DROP TABLE IF EXISTS comm_sessions; "  // meter state
    "DROP TABLE IF EXISTS relay_changes; "                                    //
    "DROP TABLE IF EXISTS normatives; DROP TABLE IF EXISTS tariff_rates; "    // stored tariffs
    "DROP TABLE IF EXISTS tariff_assignments; DROP TABLE IF EXISTS tariff_schedules; ";

}  // namespace kvant::test
