#include "kvant/algorithms/cost.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace kvant {
inline namespace v0 {

namespace {
/// The rates of one billed zone, by effective date.
struct billed_zone {
    std::string name;
    std::vector<const rate*> versions;  // sorted by date
};
}  // namespace

meter_cost cost(const meter_series& s, const zone& mz, const tariff_calendar& cal,
                std::span<const rate> rates, const register_params& p, const consumption_options& o) {
    const auto& sched = cal.schedule();
    const std::size_t leaves = cal.leaf_count();
    // which billed zone each leaf zone falls under: its own rate, else a group's, else total's
    std::vector<billed_zone> billed;
    std::vector<std::size_t> billed_of(leaves);
    auto billed_index = [&](const std::string& name) {
        for (std::size_t i = 0; i < billed.size(); ++i)
            if (billed[i].name == name) return i;
        billed.push_back({name, {}});
        for (const auto& r : rates)
            if (r.zone == name) billed.back().versions.push_back(&r);
        std::sort(billed.back().versions.begin(), billed.back().versions.end(),
                  [](const rate* a, const rate* b) { return a->from < b->from; });
        return billed.size() - 1;
    };
    auto has_rate = [&](const std::string& name) {
        return std::any_of(rates.begin(), rates.end(), [&](const rate& r) { return r.zone == name; });
    };
    // a rate that names no zone, group or total of the schedule would be ignored: a typo ("nigth") must not
    // bill the night at another rate silently
    for (const auto& r : rates) {
        const bool known = r.zone == "total" ||
                           std::find(sched.zones.begin(), sched.zones.end(), r.zone) != sched.zones.end() ||
                           std::any_of(sched.groups.begin(), sched.groups.end(),
                                       [&](const zone_group& g) { return g.name == r.zone; });
        if (!known)
            throw config_error(errc::config,
                               "a rate names zone " + excerpt(r.zone) +
                                   ", which the schedule does not have (zones, groups or total)");
    }
    for (std::size_t z = 0; z < leaves; ++z) {
        const std::string& leaf = sched.zones[z];
        std::string chosen;
        if (has_rate(leaf)) chosen = leaf;
        for (const auto& g : sched.groups)
            if (chosen.empty() && has_rate(g.name) &&
                std::find(g.members.begin(), g.members.end(), leaf) != g.members.end())
                chosen = g.name;
        if (chosen.empty() && has_rate("total")) chosen = "total";
        if (chosen.empty()) throw config_error(errc::config, "no rate for tariff zone '" + leaf + "'");
        billed_of[z] = billed_index(chosen);
    }

    meter_cost out;
    out.meter = s.serial();
    out.periods = periods_of(s, mz, o);
    const std::size_t m = out.periods.size();
    out.total.assign(m, money{});
    out.complete.assign(m, 0);
    if (m == 0 || !s.has(p.main)) return out;
    std::vector<std::int64_t> bounds;
    for (const auto& pr : out.periods) bounds.push_back(to_unix(pr.begin));
    bounds.push_back(to_unix(out.periods.back().end));

    // the instants where something changes: zone switches and rate dates
    const auto sw = cal.switches(from_unix(bounds.front()), from_unix(bounds.back()), mz);
    const zone& basis = cal.basis(mz);
    std::vector<std::vector<std::int64_t>> version_start(billed.size());  // per billed zone, per rate version
    for (std::size_t b = 0; b < billed.size(); ++b)
        for (const rate* r : billed[b].versions)
            version_start[b].push_back(to_unix(start_of_day(basis, r->from)));
    std::vector<std::int64_t> seg(bounds.begin(), bounds.end());
    for (const auto& x : sw) seg.push_back(x.time);
    for (const auto& starts : version_start)
        for (const std::int64_t t : starts)
            if (t > bounds.front() && t < bounds.back()) seg.push_back(t);
    std::sort(seg.begin(), seg.end());
    seg.erase(std::unique(seg.begin(), seg.end()), seg.end());

    // each segment's cell: (period, billed zone, rate version); version -1 = no rate in force (an error if
    // used)
    std::map<std::tuple<std::size_t, std::size_t, int>, std::uint32_t> cell_ix;
    std::vector<std::tuple<std::size_t, std::size_t, int>> cells;
    std::vector<std::uint32_t> cell_of(seg.size() - 1);
    std::size_t k = 0, si = 0;
    for (std::size_t j = 0; j + 1 < seg.size(); ++j) {
        while (k + 1 < m && bounds[k + 1] <= seg[j]) ++k;
        while (si + 1 < sw.size() && sw[si + 1].time <= seg[j]) ++si;
        const std::size_t b = billed_of[sw[si].zone];
        const auto& starts = version_start[b];
        const int version =
            static_cast<int>(std::upper_bound(starts.begin(), starts.end(), seg[j]) - starts.begin()) - 1;
        const auto key = std::tuple{k, b, version};
        auto [it, fresh] = cell_ix.try_emplace(key, static_cast<std::uint32_t>(cells.size()));
        if (fresh) cells.push_back(key);
        cell_of[j] = it->second;
    }
    std::vector<std::int64_t> quantity(cells.size(), 0);
    const series_view total = s.view(p.main);
    try {
        spread_register(total, seg, p, quantity, nullptr, p.main, cell_of);
    } catch (const arithmetic_error& e) {
        rethrow_overflow(e, out.meter, p.main, out.periods, o.periods.kind);
    }
    // an amount or a period's total past the exact range of money names the meter, period and zone
    auto where = [&](std::size_t period, std::size_t b) {
        return "meter '" + out.meter + "', period " +
               period_label(out.periods[period].start_date, o.periods.kind) + ", zone '" + billed[b].name +
               "': ";
    };

    for (const auto& [key, ci] : cell_ix) {
        const auto& [period, b, version] = key;
        if (quantity[ci] == 0) continue;
        if (version < 0)
            throw config_error(
                errc::config,
                "no rate for '" + billed[b].name + "' in force on " +
                    to_string(local_date(basis, from_unix(std::max(bounds[period], bounds.front())))));
        const rate& r = *billed[b].versions[static_cast<std::size_t>(version)];
        try {
            cost_line line{period,       billed[b].name, r.from,
                           quantity[ci], r.price,        amount(decimal::from_raw(quantity[ci]), r.price)};
            out.total[period] += line.amount;
            out.lines.push_back(std::move(line));
        } catch (const arithmetic_error& e) {
            throw arithmetic_error(where(period, b) + e.reason());
        }
    }
    for (std::size_t i = 0; i < m; ++i) out.complete[i] = brackets(total, bounds[i], bounds[i + 1]);
    return out;
}

std::vector<group_cost> aggregate_cost(const fleet& f, std::span<const meter_cost> bills, group_level level) {
    std::map<std::tuple<std::string, meter_role, int>, group_cost> sums;
    for (const auto& b : bills) {
        const meter* m = f.find_meter(b.meter);
        const std::string group = m ? group_of(f, *m, level) : (level == group_level::meter ? b.meter : "");
        for (std::size_t k = 0; k < b.periods.size(); ++k) {
            const int day = date::sys_days{b.periods[k].start_date}.time_since_epoch().count();
            const meter_role role = m ? m->role : meter_role::individual;
            auto& g = sums[{group, role, day}];
            g.group = group;
            g.role = role;
            g.period_start = b.periods[k].start_date;
            try {
                g.total += b.total[k];
            } catch (const arithmetic_error& e) {
                throw arithmetic_error("group '" + group + "', period starting " +
                                       to_string(b.periods[k].start_date) + ": " + e.reason());
            }
            g.complete = g.complete && b.complete[k];
            ++g.meters;
        }
    }
    std::vector<group_cost> out;
    for (auto& [key, g] : sums) out.push_back(std::move(g));
    return out;
}

}  // namespace v0
}  // namespace kvant
