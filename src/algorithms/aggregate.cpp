#include "kvant/algorithms/aggregate.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

namespace kvant {
inline namespace v0 {

std::string group_of(const fleet& f, const meter& m, group_level level) {
    switch (level) {
        case group_level::meter:
            return m.serial;
        case group_level::point:
            return m.point;
        case group_level::account: {
            const auto* a = f.account_of(m);
            return a ? a->number : "";
        }
        case group_level::abonent: {
            const auto* a = f.account_of(m);
            return a ? a->abonent : "";
        }
        case group_level::building: {
            const auto* a = f.account_of(m);
            return a ? a->building : "";
        }
        case group_level::organization: {
            const auto* o = f.organization_of(m);
            return o ? o->id : "";
        }
    }
    return "";
}

namespace {
using date_key = int;  // days since epoch of a period's start date
using row_key = std::tuple<std::string, resource, meter_role, date_key, channel>;
// a point's cover is per resource, role and register: a water meter does not cover for the electricity one
using point_key = std::tuple<std::string, resource, meter_role, channel>;

struct cell {
    std::int64_t value = 0;
    std::uint32_t meters = 0;
    std::int64_t begin = 0, end = 0;  // the period's bounds (of the first meter seen)
    std::vector<std::string> points;
};
struct cover {
    std::int64_t first = std::numeric_limits<std::int64_t>::max();
    std::int64_t last = std::numeric_limits<std::int64_t>::min();
};
}  // namespace

std::vector<group_row> aggregate(const fleet& f, std::span<const meter_consumption> per_meter,
                                 group_level level) {
    std::map<row_key, cell> cells;
    std::map<point_key, cover> covers;
    for (const auto& mc : per_meter) {
        const meter* m = f.find_meter(mc.meter);
        const std::string group = m ? group_of(f, *m, level) : (level == group_level::meter ? mc.meter : "");
        const std::string point = m && !m->point.empty() ? "p:" + m->point : "m:" + mc.meter;
        const resource res = m ? m->measures : resource::electricity;
        const meter_role role = m ? m->role : meter_role::individual;
        for (const auto& rc : mc.registers) {
            auto& cv = covers[{point, res, role, rc.ch}];
            cv.first = std::min(cv.first, rc.first);
            cv.last = std::max(cv.last, rc.last);
            for (std::size_t k = 0; k < mc.periods.size(); ++k) {
                const auto& pr = mc.periods[k];
                const date_key day = date::sys_days{pr.start_date}.time_since_epoch().count();
                auto [it, fresh] = cells.try_emplace(row_key{group, res, role, day, rc.ch});
                cell& c = it->second;
                if (fresh) {
                    c.begin = to_unix(pr.begin);
                    c.end = to_unix(pr.end);
                }
                if (!detail::add_ok(c.value, rc.value[k], c.value))
                    throw arithmetic_error("group '" + group + "', " + std::string(to_string(res)) + ", " +
                                           std::string(to_string(role)) + ", period starting " +
                                           to_string(pr.start_date) + ", channel " + to_string(rc.ch) +
                                           ": the sum with meter '" + mc.meter +
                                           "' is outside the exact range ±9223372036854.775807");
                ++c.meters;
                if (std::find(c.points.begin(), c.points.end(), point) == c.points.end())
                    c.points.push_back(point);
            }
        }
    }
    std::vector<group_row> out;
    out.reserve(cells.size());
    for (const auto& [key, c] : cells) {
        const auto& [group, res, role, day, reg] = key;
        bool complete = true;
        for (const auto& p : c.points) {
            const auto& cv = covers.at({p, res, role, reg});
            complete = complete && cv.first <= c.begin && cv.last >= c.end;
        }
        out.push_back({group, res, role, calendar_date{date::sys_days{date::days{day}}}, reg, c.value,
                       complete, c.meters});
    }
    return out;
}

std::vector<group_zone_row> aggregate_split(const fleet& f, std::span<const zone_consumption> per_meter,
                                            group_level level) {
    std::map<std::tuple<std::string, meter_role, int, std::size_t>, group_zone_row> sums;
    for (const auto& z : per_meter) {
        const meter* m = f.find_meter(z.meter);
        const std::string group = m ? group_of(f, *m, level) : (level == group_level::meter ? z.meter : "");
        const meter_role role = m ? m->role : meter_role::individual;
        for (std::size_t k = 0; k < z.periods.size(); ++k) {
            const int day = date::sys_days{z.periods[k].start_date}.time_since_epoch().count();
            for (std::size_t zi = 0; zi < z.zones.size(); ++zi) {
                auto [it, fresh] = sums.try_emplace({group, role, day, zi});
                auto& g = it->second;
                if (fresh) {
                    g.group = group;
                    g.role = role;
                    g.period_start = z.periods[k].start_date;
                    g.period_begin = z.periods[k].begin;
                    g.zone = z.zones[zi];
                }
                g.period_begin = std::min(g.period_begin, z.periods[k].begin);
                if (!detail::add_ok(g.value, z.value[zi][k], g.value))
                    throw arithmetic_error("group '" + group + "', period starting " +
                                           to_string(z.periods[k].start_date) + ", zone " + z.zones[zi] +
                                           ": the sum is outside the exact range");
                g.complete = g.complete && z.complete[k];
                ++g.meters;
            }
        }
    }
    std::vector<group_zone_row> out;
    out.reserve(sums.size());
    for (auto& [key, g] : sums) out.push_back(std::move(g));
    return out;
}

}  // namespace v0
}  // namespace kvant
