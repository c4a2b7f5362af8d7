#include "kvant/model/tariff_schedule.hpp"

#include <algorithm>
#include <set>

namespace kvant {
inline namespace v0 {

namespace {
tariff_schedule every_day(std::string id, std::string name, std::vector<std::string> zones,
                          std::vector<day_profile::change> changes, std::vector<zone_group> groups = {}) {
    tariff_schedule s;
    s.id = std::move(id);
    s.name = std::move(name);
    s.zones = std::move(zones);
    s.groups = std::move(groups);
    schedule_version v;
    v.days.push_back({"all", std::move(changes)});
    week_profile w{"all", {}};
    w.days.fill("all");
    v.weeks.push_back(w);
    v.seasons.push_back({"year", 1, 1, "all"});
    s.versions.push_back(std::move(v));
    return s;
}
}  // namespace

tariff_schedule single_rate_schedule() {
    auto s = every_day("single", "Одноставочный", {"total"}, {{0, "total"}});
    s.zones = {"total"};
    return s;
}

tariff_schedule two_zone_schedule() {
    // the Russian two-rate program as meters carry it: 00:00 -> T2 (night), 07:00 -> T1 (day), 23:00 -> T2
    auto s = every_day("two-zone", "Двухзонный (ФСТ 1473-э)", {"day", "night"},
                       {{0, "night"}, {7 * 60, "day"}, {23 * 60, "night"}});
    s.register_zones = {"day", "night"};
    return s;
}

tariff_schedule three_zone_schedule() {
    auto s = every_day("three-zone", "Трёхзонный (ФСТ 1473-э)", {"peak", "semi-peak", "night"},
                       {{0, "night"},
                        {7 * 60, "peak"},
                        {10 * 60, "semi-peak"},
                        {17 * 60, "peak"},
                        {21 * 60, "semi-peak"},
                        {23 * 60, "night"}},
                       {{"day", {"peak", "semi-peak"}}});
    s.register_zones = {"peak", "night",
                        "semi-peak"};  // T1 peak, T2 night, T3 semi-peak: the usual programming
    return s;
}

std::optional<tariff_schedule> preset_schedule(std::string_view name) {
    if (name == "single") return single_rate_schedule();
    if (name == "two-zone") return two_zone_schedule();
    if (name == "three-zone") return three_zone_schedule();
    return std::nullopt;
}

std::vector<std::string> check(const tariff_schedule& s) {
    std::vector<std::string> out;
    const std::set<std::string> zones(s.zones.begin(), s.zones.end());
    if (s.zones.empty()) out.push_back("schedule " + s.id + " declares no zones");
    if (zones.size() != s.zones.size()) out.push_back("schedule " + s.id + " declares a zone twice");
    if (zones.count("total") && s.zones.size() > 1)
        out.push_back("'total' is the sum of the zones, not a zone beside others");
    for (const auto& g : s.groups) {
        if (zones.count(g.name) || g.name == "total")
            out.push_back("group " + excerpt(g.name) + " has the name of a zone");
        for (const auto& m : g.members)
            if (!zones.count(m))
                out.push_back("group " + excerpt(g.name) + " names an undeclared zone '" + m + "'");
    }
    if (s.versions.empty()) out.push_back("schedule " + s.id + " has no version");
    for (const auto& z : s.register_zones)
        if (!zones.count(z)) out.push_back("register_zones names an undeclared zone " + excerpt(z));
    for (std::size_t vi = 0; vi < s.versions.size(); ++vi) {
        const auto& v = s.versions[vi];
        const std::string where = "version " + to_string(v.effective);
        if (!v.effective.ok()) out.push_back(where + ": impossible effective date");
        if (vi > 0 && !(s.versions[vi - 1].effective < v.effective))
            out.push_back(where + ": versions must take effect in increasing order");
        std::set<std::string> days, weeks;
        for (const auto& d : v.days) {
            days.insert(d.id);
            if (d.changes.empty()) out.push_back(where + ": day profile " + excerpt(d.id) + " has no switch");
            for (std::size_t i = 0; i < d.changes.size(); ++i) {
                const auto& c = d.changes[i];
                if (c.minute < 0 || c.minute > 1439)
                    out.push_back(where + ": day profile " + excerpt(d.id) + ": minute " +
                                  std::to_string(c.minute) + " is not in 0..1439");
                if (i > 0 && d.changes[i - 1].minute >= c.minute)
                    out.push_back(where + ": day profile " + excerpt(d.id) + ": switch times must increase");
                if (!zones.count(c.zone))
                    out.push_back(where + ": day profile " + excerpt(d.id) + " names an undeclared zone '" +
                                  c.zone + "'");
            }
        }
        for (const auto& w : v.weeks) {
            weeks.insert(w.id);
            for (const auto& d : w.days)
                if (!days.count(d))
                    out.push_back(where + ": week profile " + excerpt(w.id) +
                                  " names an unknown day profile '" + d + "'");
        }
        if (v.seasons.empty()) out.push_back(where + ": no season");
        for (std::size_t i = 0; i < v.seasons.size(); ++i) {
            const auto& se = v.seasons[i];
            if (!(date::month{se.month} / date::day{se.day}).ok())
                out.push_back(where + ": season " + excerpt(se.name) + " starts on an impossible day");
            if (i > 0 &&
                std::pair(v.seasons[i - 1].month, v.seasons[i - 1].day) >= std::pair(se.month, se.day))
                out.push_back(where + ": seasons must start in calendar order");
            if (!weeks.count(se.week))
                out.push_back(where + ": season " + excerpt(se.name) + " names an unknown week profile '" +
                              se.week + "'");
        }
        for (const auto& sd : v.special_days) {
            const bool ok = sd.year ? (date::year{*sd.year} / date::month{sd.month} / date::day{sd.day}).ok()
                                    : (date::month{sd.month} / date::day{sd.day}).ok();
            if (!ok) out.push_back(where + ": a special day has an impossible date");
            if (!days.count(sd.day_profile))
                out.push_back(where + ": a special day names an unknown day profile '" + sd.day_profile +
                              "'");
        }
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
