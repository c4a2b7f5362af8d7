#include "kvant/algorithms/tariff.hpp"
#include "../core/int128.hpp"

#include <algorithm>
#include <map>

namespace kvant {
inline namespace v0 {

namespace {
struct compiled_day {
    std::uint16_t start_zone = 0;                        // in force at 00:00
    std::vector<std::pair<int, std::uint16_t>> changes;  // (minute, zone), minute > 0
};
struct compiled_version {
    calendar_date effective;
    std::vector<std::tuple<unsigned, unsigned, std::size_t>> seasons;  // (month, day, week)
    std::vector<std::array<std::size_t, 7>> weeks;                     // day indices, Monday first
    std::vector<compiled_day> days;
    std::map<std::pair<unsigned, unsigned>, std::size_t> recurring;  // (month, day) -> day
    std::map<int, std::size_t> dated;                                // days since epoch -> day
};
}  // namespace

struct tariff_calendar::impl {
    tariff_schedule schedule;
    std::vector<std::string> zones;
    std::size_t leaves = 0;
    std::vector<compiled_version> versions;

    const compiled_day& day_of(calendar_date d) const {
        std::size_t vi = 0;
        while (vi + 1 < versions.size() && versions[vi + 1].effective <= d) ++vi;
        const auto& v = versions[vi];
        if (const auto it = v.dated.find(date::sys_days{d}.time_since_epoch().count()); it != v.dated.end())
            return v.days[it->second];
        const unsigned m = static_cast<unsigned>(d.month()), dd = static_cast<unsigned>(d.day());
        if (const auto it = v.recurring.find({m, dd}); it != v.recurring.end()) return v.days[it->second];
        std::size_t week = std::get<2>(v.seasons.back());  // before the first start: the last season runs on
        for (const auto& [sm, sd, w] : v.seasons)
            if (std::pair(sm, sd) <= std::pair(m, dd)) week = w;
        const unsigned wd = date::weekday{date::sys_days{d}}.iso_encoding() - 1;  // Monday 0
        return v.days[v.weeks[week][wd]];
    }
};

tariff_calendar::tariff_calendar(tariff_schedule s) : impl_(std::make_unique<impl>()) {
    const auto problems = check(s);
    if (!problems.empty()) {
        std::string msg = "tariff schedule '" + s.id + "':";
        for (const auto& p : problems) msg += " " + p + ";";
        msg.pop_back();
        throw config_error(errc::config, msg);
    }
    auto& x = *impl_;
    x.zones = s.zones;
    x.leaves = s.zones.size();
    for (const auto& g : s.groups) x.zones.push_back(g.name);
    if (!(s.zones.size() == 1 && s.zones[0] == "total")) x.zones.push_back("total");
    auto zone_index = [&](const std::string& z) {
        return static_cast<std::uint16_t>(std::find(s.zones.begin(), s.zones.end(), z) - s.zones.begin());
    };
    for (const auto& v : s.versions) {
        compiled_version cv;
        cv.effective = v.effective;
        std::map<std::string, std::size_t> day_ix, week_ix;
        for (const auto& d : v.days) {
            compiled_day cd;
            cd.start_zone = d.changes.front().minute == 0 ? zone_index(d.changes.front().zone)
                                                          : zone_index(d.changes.back().zone);
            for (const auto& c : d.changes)
                if (c.minute > 0) cd.changes.emplace_back(c.minute, zone_index(c.zone));
            day_ix[d.id] = cv.days.size();
            cv.days.push_back(std::move(cd));
        }
        for (const auto& w : v.weeks) {
            std::array<std::size_t, 7> a{};
            for (std::size_t i = 0; i < 7; ++i) a[i] = day_ix.at(w.days[i]);
            week_ix[w.id] = cv.weeks.size();
            cv.weeks.push_back(a);
        }
        for (const auto& se : v.seasons) cv.seasons.emplace_back(se.month, se.day, week_ix.at(se.week));
        for (const auto& sd : v.special_days) {
            if (sd.year)
                cv.dated[date::sys_days{date::year{*sd.year} / date::month{sd.month} / date::day{sd.day}}
                             .time_since_epoch()
                             .count()] = day_ix.at(sd.day_profile);
            else
                cv.recurring[{sd.month, sd.day}] = day_ix.at(sd.day_profile);
        }
        x.versions.push_back(std::move(cv));
    }
    x.schedule = std::move(s);
}

tariff_calendar::tariff_calendar(tariff_calendar&&) noexcept = default;
tariff_calendar& tariff_calendar::operator=(tariff_calendar&&) noexcept = default;
tariff_calendar::~tariff_calendar() = default;

const tariff_schedule& tariff_calendar::schedule() const noexcept {
    return impl_->schedule;
}
const std::vector<std::string>& tariff_calendar::zones() const noexcept {
    return impl_->zones;
}
std::size_t tariff_calendar::leaf_count() const noexcept {
    return impl_->leaves;
}
int tariff_calendar::index_of(std::string_view name) const noexcept {
    const auto& z = impl_->zones;
    const auto it = std::find(z.begin(), z.end(), name);
    return it == z.end() ? -1 : static_cast<int>(it - z.begin());
}
const zone& tariff_calendar::basis(const zone& meter_zone) const noexcept {
    return impl_->schedule.time_basis ? *impl_->schedule.time_basis : meter_zone;
}

std::uint16_t tariff_calendar::zone_at(instant t, const zone& meter_zone) const {
    const zone& b = basis(meter_zone);
    const local_time lt = b.to_local(t);
    const auto day = date::floor<date::days>(lt);
    const int minute = static_cast<int>((lt - day).count() / 60);
    const auto& cd = impl_->day_of(calendar_date{day});
    std::uint16_t z = cd.start_zone;
    for (const auto& [m, zi] : cd.changes) {
        if (m > minute) break;
        z = zi;
    }
    return z;
}

std::vector<zone_switch> tariff_calendar::switches(instant from, instant to, const zone& meter_zone) const {
    std::vector<zone_switch> out;
    if (to <= from) return out;
    const zone& b = basis(meter_zone);
    out.push_back({to_unix(from), zone_at(from, meter_zone)});
    auto add = [&](std::int64_t t, std::uint16_t z) {
        if (t <= out.front().time || t >= to_unix(to)) return;
        if (t < out.back().time) return;  // cannot happen with increasing local times; kept for safety
        if (t ==
            out.back().time) {  // two switch times that fall on one instant (a clock gap): the later wins
            out.back().zone = z;
            if (out.size() > 1 && out[out.size() - 2].zone == z) out.pop_back();
            return;
        }
        if (z != out.back().zone) out.push_back({t, z});
    };
    const calendar_date last = local_date(b, to - seconds{1});
    for (calendar_date d = local_date(b, from); d <= last;
         d = calendar_date{date::sys_days{d} + date::days{1}}) {
        const auto& cd = impl_->day_of(d);
        add(to_unix(start_of_day(b, d)), cd.start_zone);
        for (const auto& [m, z] : cd.changes)
            add(to_unix(b.to_instant(date::local_days{d} + std::chrono::minutes{m}, local_policy::earliest,
                                     local_policy::earliest)),
                z);
    }
    return out;
}

namespace {
/// dst[k] += src[k], checked: an overflow names the meter, the zone summed into and the period.
void add_into(std::vector<std::int64_t>& dst, const std::vector<std::int64_t>& src,
              const zone_consumption& zc, std::size_t into, period_kind kind) {
    for (std::size_t k = 0; k < dst.size(); ++k)
        if (!detail::add_ok(dst[k], src[k], dst[k]))
            throw arithmetic_error("meter '" + zc.meter + "', tariff zone '" + zc.zones[into] + "', period " +
                                   period_label(zc.periods[k].start_date, kind) + ": the sum of its zones " +
                                   "is outside the exact range ±9223372036854.775807");
}

void add_groups_and_total(const tariff_calendar& cal, zone_consumption& zc, bool total_given,
                          period_kind kind) {
    auto& value = zc.value;
    const auto& s = cal.schedule();
    const std::size_t leaves = cal.leaf_count();
    for (std::size_t g = 0; g < s.groups.size(); ++g)
        for (const auto& member : s.groups[g].members)
            add_into(value[leaves + g], value[static_cast<std::size_t>(cal.index_of(member))], zc, leaves + g,
                     kind);
    if (total_given || cal.zones().size() == leaves) return;  // single "total" zone: it is the leaf itself
    for (std::size_t z = 0; z < leaves; ++z) add_into(value.back(), value[z], zc, value.size() - 1, kind);
}

}  // namespace

zone_consumption split_by_schedule(const meter_series& s, const zone& mz, const tariff_calendar& cal,
                                   const register_params& p, const consumption_options& o,
                                   std::span<const zone_switch> given) {
    zone_consumption out;
    out.meter = s.serial();
    out.zones = cal.zones();
    out.periods = periods_of(s, mz, o);
    const std::size_t m = out.periods.size();
    out.value.assign(out.zones.size(), std::vector<std::int64_t>(m, 0));
    out.complete.assign(m, 0);
    if (m == 0 || !s.has(p.main)) return out;
    std::vector<std::int64_t> bounds;
    bounds.reserve(m + 1);
    for (const auto& pr : out.periods) bounds.push_back(to_unix(pr.begin));
    bounds.push_back(to_unix(out.periods.back().end));

    std::vector<zone_switch> own;
    auto first = std::upper_bound(given.begin(), given.end(), bounds.front(),
                                  [](std::int64_t t, const zone_switch& z) { return t < z.time; });
    if (given.empty() || first == given.begin() || given.back().time < bounds.back() - 1) {
        own = cal.switches(from_unix(bounds.front()), from_unix(bounds.back()), mz);
        given = own;
        first = given.begin() + 1;
    }
    // merge period bounds and switches into segments, each with its period and zone
    std::vector<std::int64_t> seg;
    std::vector<std::uint32_t> seg_period;
    std::vector<std::uint16_t> seg_zone;
    seg.reserve(bounds.size() + static_cast<std::size_t>(given.end() - first) + 1);
    std::uint16_t zone_now = (first - 1)->zone;
    auto sw = first;
    for (std::size_t k = 0; k < m; ++k) {
        seg.push_back(bounds[k]);
        seg_period.push_back(static_cast<std::uint32_t>(k));
        seg_zone.push_back(zone_now);
        for (; sw != given.end() && sw->time < bounds[k + 1]; ++sw) {
            zone_now = sw->zone;
            if (sw->time == seg.back()) {
                seg_zone.back() = zone_now;
            } else {
                seg.push_back(sw->time);
                seg_period.push_back(static_cast<std::uint32_t>(k));
                seg_zone.push_back(zone_now);
            }
        }
    }
    seg.push_back(bounds[m]);
    // one cell per (period, leaf zone): the rounding works per cell, not per segment
    const std::size_t leaves = cal.leaf_count();
    std::vector<std::uint32_t> cell(seg.size() - 1);
    for (std::size_t j = 0; j < cell.size(); ++j)
        cell[j] = static_cast<std::uint32_t>(seg_period[j] * leaves + seg_zone[j]);
    std::vector<std::int64_t> parts(m * leaves, 0);
    const series_view total = s.view(p.main);
    try {
        spread_register(total, seg, p, parts, &out.notes, p.main, cell);
    } catch (const arithmetic_error& e) {
        rethrow_overflow(e, out.meter, p.main, out.periods, o.periods.kind);
    }
    for (std::size_t k = 0; k < m; ++k)
        for (std::size_t z = 0; z < leaves; ++z) out.value[z][k] = parts[k * leaves + z];
    for (std::size_t k = 0; k < m; ++k) out.complete[k] = brackets(total, bounds[k], bounds[k + 1]);
    add_groups_and_total(cal, out, false, o.periods.kind);
    return out;
}

zone_consumption split_by_registers(const meter_consumption& mc, const tariff_calendar& cal) {
    constexpr period_kind full_date = period_kind::day;  // the period kind is not known here: label by date
    zone_consumption out;
    out.meter = mc.meter;
    out.periods = mc.periods;
    out.zones = cal.zones();
    out.notes = mc.notes;
    const std::size_t m = mc.periods.size();
    out.value.assign(out.zones.size(), std::vector<std::int64_t>(m, 0));
    out.complete.assign(m, 1);
    // the main quantity's tariff registers (the meter's other channels are not split)
    auto of_main = [&](const register_consumption& rc) {
        return rc.ch.what == mc.main.what && rc.ch.in == mc.main.in && rc.ch.kind == mc.main.kind;
    };
    for (const auto& rc : mc.registers)
        if (of_main(rc))
            for (std::size_t k = 0; k < m; ++k) out.complete[k] = out.complete[k] && rc.complete[k];
    const auto* total = mc.find(register_id::total);
    const bool single = cal.zones().size() == cal.leaf_count();  // the one zone is "total"
    const auto& rz = cal.schedule().register_zones;
    for (const auto& rc : mc.registers) {
        if (!of_main(rc) || rc.ch.tariff == register_id::total) continue;
        const std::size_t t = static_cast<std::size_t>(rc.ch.tariff) - 1;
        if (!single && t >= rz.size()) continue;  // a register the schedule does not map
        const std::size_t z = single ? 0 : static_cast<std::size_t>(cal.index_of(rz[t]));
        if (single && total) continue;
        add_into(out.value[z], rc.value, out, z, full_date);
    }
    if (single) {
        if (total) out.value[0] = total->value;
        return out;
    }
    if (total) out.value.back() = total->value;
    add_groups_and_total(cal, out, total != nullptr, full_date);
    return out;
}

std::vector<split_difference> compare_splits(const zone_consumption& a, const zone_consumption& b) {
    std::vector<split_difference> out;
    for (std::size_t i = 0; i < a.periods.size(); ++i)
        for (std::size_t j = 0; j < b.periods.size(); ++j) {
            if (a.periods[i].start_date != b.periods[j].start_date) continue;
            for (std::size_t z = 0; z < a.zones.size() && z < b.zones.size(); ++z)
                out.push_back({i, a.zones[z], a.value[z][i], b.value[z][j]});
        }
    return out;
}

std::vector<register_sum_mismatch> register_sum_mismatches(const meter_series& s, int tariffs,
                                                           std::int64_t tolerance, const channel& base) {
    std::vector<register_sum_mismatch> out;
    const auto total = s.view(base.with_tariff(register_id::total));
    if (total.empty() || tariffs < 1) return out;
    std::vector<series_view> regs;
    for (int t = 1; t <= tariffs && t < static_cast<int>(register_count); ++t) {
        regs.push_back(s.view(base.with_tariff(tariff_register(t))));
        if (regs.back().empty()) return out;  // a register no reading carries: no reading has them all
    }
    std::vector<std::size_t> at(regs.size(), 0);  // a cursor into each register, moving with the total's time
    for (std::size_t i = 0; i < total.size(); ++i) {
        const std::int64_t t = total.time[i];
        std::int64_t sum = 0;  // checked: raw values from the API may be anywhere in the exact range
        bool all = true;
        for (std::size_t r = 0; r < regs.size(); ++r) {
            auto& k = at[r];
            while (k < regs[r].size() && regs[r].time[k] < t) ++k;
            if (k == regs[r].size() || regs[r].time[k] != t) {
                all = false;
                continue;
            }
            if (!detail::add_ok(sum, regs[r].value[k], sum))
                throw arithmetic_error("meter '" + s.serial() + "', reading at " + to_string(from_unix(t)) +
                                       ": the sum of its tariff registers is outside the exact range "
                                       "±9223372036854.775807");
        }
        // the difference of two values in range fits 128 bits, not always 64
        const detail::int128 diff = static_cast<detail::int128>(sum) - total.value[i];
        if (all && (diff > tolerance || -diff > tolerance)) out.push_back({t, total.value[i], sum});
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
