/// \file
/// JSON for tariff schedules, in a separate header like model/json.hpp. The form:
///
///     {"id": "two-zone-msk", "name": "...", "zones": ["day", "night"], "groups": {"all-day": ["day",
///     "night"]},
///      "time_basis": "Europe/Moscow", "register_zones": ["day", "night"],
///      "versions": [{"effective": "2020-01-01",
///                    "seasons": [{"name": "year", "start": "01-01", "week": "all"}],
///                    "weeks": [{"id": "all", "days": ["wd", "wd", "wd", "wd", "wd", "we", "we"]}],
///                    "days": [{"id": "wd", "changes": [{"at": "00:00", "zone": "night"}, {"at": "07:00",
///                    "zone": "day"},
///                                                      {"at": "23:00", "zone": "night"}]}, ...],
///                    "special_days": [{"date": "2020-01-07", "day": "we"}, {"date": "--05-09", "day":
///                    "we"}]}]}
///
/// `time_basis` absent means the meter's zone; `effective` absent means from the beginning; a special day's
/// date
/// `--MM-DD` recurs every year (ISO 8601). Errors are parse_error naming the key; `from_json` does not check
/// the schedule's consistency, tariff_calendar does.
#pragma once

#include <nlohmann/json.hpp>

#include "kvant/model/json.hpp"
#include "kvant/model/tariff_book.hpp"
#include "kvant/model/tariff_schedule.hpp"

namespace kvant {
inline namespace v0 {

namespace detail::json {
inline int clock_minutes(const std::string& s, const char* entity, const char* key) {
    int h = 0, m = 0;
    if (s.size() != 5 || s[2] != ':' || !kvant::detail::digits(s, 0, 2, h) ||
        !kvant::detail::digits(s, 3, 2, m) || h > 23 || m > 59)
        fail(entity, key, excerpt(s) + " is not a time of day HH:MM", errc::invalid_timestamp);
    return h * 60 + m;
}
inline std::pair<unsigned, unsigned> month_day(const std::string& s, const char* entity, const char* key) {
    int mo = 0, d = 0;
    if (s.size() != 5 || s[2] != '-' || !kvant::detail::digits(s, 0, 2, mo) ||
        !kvant::detail::digits(s, 3, 2, d) ||
        !(date::month{static_cast<unsigned>(mo)} / date::day{static_cast<unsigned>(d)}).ok())
        fail(entity, key, excerpt(s) + " is not a month and day MM-DD", errc::invalid_date);
    return {static_cast<unsigned>(mo), static_cast<unsigned>(d)};
}
inline const json& array_at(const json& j, const char* entity, const char* key) {
    const json* v = member(j, entity, key, true);
    if (!v->is_array()) fail(entity, key, "expected an array");
    return *v;
}
inline std::vector<std::string> strings(const json& j, const char* entity, const char* key) {
    std::vector<std::string> out;
    for (const auto& x : array_at(j, entity, key)) {
        if (!x.is_string()) fail(entity, key, "expected an array of strings");
        const auto& s = x.get_ref<const std::string&>();
        if (auto p = check_text(s))
            fail(entity, key, p->reason + " in " + excerpt(s), errc::invalid_text,
                 static_cast<std::int64_t>(p->offset));
        out.push_back(s);
    }
    return out;
}
}  // namespace detail::json

inline void to_json(nlohmann::json& j, const tariff_schedule& s) {
    using nlohmann::json;
    j = json::object();
    j["id"] = s.id;
    if (!s.name.empty()) j["name"] = s.name;
    j["zones"] = s.zones;
    if (!s.groups.empty()) {
        json g = json::object();
        for (const auto& x : s.groups) g[x.name] = x.members;
        j["groups"] = g;
    }
    if (s.time_basis) j["time_basis"] = s.time_basis->name();
    if (!s.register_zones.empty()) j["register_zones"] = s.register_zones;
    j["versions"] = json::array();
    for (const auto& v : s.versions) {
        json jv = {{"effective", to_string(v.effective)}};
        jv["seasons"] = json::array();
        for (const auto& se : v.seasons) {
            char md[8];
            std::snprintf(md, sizeof md, "%02u-%02u", se.month % 100, se.day % 100);
            jv["seasons"].push_back({{"name", se.name}, {"start", md}, {"week", se.week}});
        }
        jv["weeks"] = json::array();
        for (const auto& w : v.weeks) jv["weeks"].push_back({{"id", w.id}, {"days", w.days}});
        jv["days"] = json::array();
        for (const auto& d : v.days) {
            json changes = json::array();
            for (const auto& c : d.changes) {
                char hm[8];
                std::snprintf(hm, sizeof hm, "%02d:%02d", (c.minute / 60) % 100, c.minute % 60);
                changes.push_back({{"at", hm}, {"zone", c.zone}});
            }
            jv["days"].push_back({{"id", d.id}, {"changes", changes}});
        }
        jv["special_days"] = json::array();
        for (const auto& sd : v.special_days) {
            char ds[16];
            if (sd.year)
                std::snprintf(ds, sizeof ds, "%04d-%02u-%02u", *sd.year % 10000, sd.month % 100,
                              sd.day % 100);
            else
                std::snprintf(ds, sizeof ds, "--%02u-%02u", sd.month % 100, sd.day % 100);
            jv["special_days"].push_back({{"date", ds}, {"day", sd.day_profile}});
        }
        j["versions"].push_back(jv);
    }
}

inline void from_json(const nlohmann::json& j, tariff_schedule& s) {
    using namespace detail::json;
    const char* e = "tariff schedule";
    s = {};
    s.id = text(j, e, "id", true);
    s.name = text(j, e, "name");
    s.zones = strings(j, e, "zones");
    if (const json* g = member(j, e, "groups", false)) {
        if (!g->is_object()) fail(e, "groups", "expected an object of group: [zones]");
        for (const auto& [name, members] : g->items())
            s.groups.push_back({name, strings(*g, e, name.c_str())});
    }
    s.time_basis = tz(j, e, "time_basis");
    if (member(j, e, "register_zones", false)) s.register_zones = strings(j, e, "register_zones");
    for (const auto& jv : array_at(j, e, "versions")) {
        schedule_version v;
        v.effective = day(jv, "version", "effective").value_or(date::year{1970} / 1 / 1);
        for (const auto& js : array_at(jv, "version", "seasons")) {
            season se;
            se.name = text(js, "season", "name");
            std::tie(se.month, se.day) = month_day(text(js, "season", "start", true), "season", "start");
            se.week = text(js, "season", "week", true);
            v.seasons.push_back(se);
        }
        for (const auto& jw : array_at(jv, "version", "weeks")) {
            week_profile w;
            w.id = text(jw, "week", "id", true);
            const auto days = strings(jw, "week", "days");
            if (days.size() != 7) fail("week", "days", "expected 7 day profiles, Monday first");
            std::copy(days.begin(), days.end(), w.days.begin());
            v.weeks.push_back(w);
        }
        for (const auto& jd : array_at(jv, "version", "days")) {
            day_profile d;
            d.id = text(jd, "day", "id", true);
            for (const auto& jc : array_at(jd, "day", "changes"))
                d.changes.push_back({clock_minutes(text(jc, "change", "at", true), "change", "at"),
                                     text(jc, "change", "zone", true)});
            v.days.push_back(d);
        }
        if (member(jv, "version", "special_days", false))
            for (const auto& jsd : array_at(jv, "version", "special_days")) {
                special_day sd;
                const std::string ds = text(jsd, "special day", "date", true);
                if (ds.rfind("--", 0) == 0) {
                    std::tie(sd.month, sd.day) = month_day(ds.substr(2), "special day", "date");
                } else {
                    const auto d = *day(jsd, "special day", "date");
                    sd.year = static_cast<int>(d.year());
                    sd.month = static_cast<unsigned>(d.month());
                    sd.day = static_cast<unsigned>(d.day());
                }
                sd.day_profile = text(jsd, "special day", "day", true);
                v.special_days.push_back(sd);
            }
        s.versions.push_back(std::move(v));
    }
}

// Stored assignments, rates and normatives (model/tariff_book.hpp) are described entities (model/fields.hpp):
// their JSON is model/json.hpp's, a flat object of the CSV columns' names.

}  // namespace v0
}  // namespace kvant
