#include "kvant/algorithms/analytics.hpp"

#include <algorithm>
#include <utility>

#include "../core/int128.hpp"
#include "kvant/core/calendar.hpp"

namespace kvant {
inline namespace v0 {

decimal percent_of(std::size_t part, std::size_t whole) {
    if (whole == 0) return decimal{};
    // hundredths of a percent, then scaled to the decimal's millionths
    const auto hundredths = decimal::div_round_half_even(static_cast<detail::int128>(part) * 10'000,
                                                         static_cast<detail::int128>(whole));
    return decimal::from_raw(detail::checked_mul(hundredths, decimal::scale / 100));
}

bool in_service(const meter& m, const zone& z, instant at) {
    const calendar_date on = local_date(z, at);
    if (m.installed && *m.installed > on) return false;
    return !(m.removed && *m.removed <= on);
}

std::string organization_id_of(const fleet& f, const meter& m) {
    const organization* o = f.organization_of(m);
    return o ? o->id : std::string();
}

namespace {
bool in_scope(const fleet& f, const meter& m, std::string_view organization) {
    return organization.empty() || organization_id_of(f, m) == organization;
}
}  // namespace

std::map<std::string, relay_position, std::less<>> relay_positions_at(std::span<const relay_change> changes,
                                                                      instant at) {
    std::map<std::string, std::pair<instant, relay_position>, std::less<>> latest;
    for (const auto& c : changes) {
        if (c.time > at) continue;
        auto it = latest.find(c.meter);
        if (it == latest.end())
            latest.emplace(c.meter, std::pair{c.time, c.position});
        else if (c.time > it->second.first)
            it->second = {c.time, c.position};
        else if (c.time == it->second.first && c.position == relay_position::off)
            it->second.second = relay_position::off;  // a tie resolves to off, whatever the order
    }
    std::map<std::string, relay_position, std::less<>> out;
    for (const auto& [serial, tp] : latest) out.emplace_hint(out.end(), serial, tp.second);
    return out;
}

registration_share registered_abonents(const fleet& f, instant at, std::string_view organization) {
    registration_share r;
    for (const auto& a : f.abonents()) {
        if (!organization.empty() && a.organization != organization) continue;
        ++r.abonents;
        if (a.registered && *a.registered <= at) ++r.registered;
    }
    r.unregistered = r.abonents - r.registered;
    r.registered_percent = percent_of(r.registered, r.abonents);
    r.unregistered_percent = percent_of(r.unregistered, r.abonents);
    return r;
}

manufacturer_shares share_by_manufacturer(const fleet& f, instant at, std::string_view organization) {
    manufacturer_shares r;
    std::map<std::string, std::size_t, std::less<>> counts;
    for (const auto& m : f.meters()) {
        if (!in_scope(f, m, organization) || !in_service(m, f.zone_of(m), at)) continue;
        ++r.meters;
        const meter_model* model = f.model_of(m);
        if (!model || model->manufacturer.empty())
            ++r.unknown;
        else
            ++counts[model->manufacturer];
    }
    for (const auto& [name, n] : counts) r.manufacturers.push_back({name, n, percent_of(n, r.meters)});
    std::stable_sort(
        r.manufacturers.begin(), r.manufacturers.end(),
        [](const manufacturer_count& a, const manufacturer_count& b) { return a.meters > b.meters; });
    r.unknown_percent = percent_of(r.unknown, r.meters);
    return r;
}

load_state load_state_at(const fleet& f, std::span<const relay_change> changes, instant at,
                         std::string_view organization) {
    load_state r;
    const auto positions = relay_positions_at(changes, at);
    for (const auto& m : f.meters()) {
        if (!in_scope(f, m, organization) || !in_service(m, f.zone_of(m), at)) continue;
        ++r.meters;
        const auto it = positions.find(m.serial);
        if (it != positions.end() && it->second == relay_position::off) {
            ++r.off;
            r.off_meters.push_back(m.serial);
        }
    }
    r.on = r.meters - r.off;
    std::sort(r.off_meters.begin(), r.off_meters.end());
    r.off_percent = percent_of(r.off, r.meters);
    return r;
}

std::vector<organization_verification> verification_by_organization(const fleet& f, instant at,
                                                                    const verification_policy& policy,
                                                                    std::string_view organization) {
    std::map<std::string, verification_counts, std::less<>> by_org;
    for (const auto& m : f.meters()) {
        const zone z = f.zone_of(m);
        if (!in_service(m, z, at)) continue;
        std::string org = organization_id_of(f, m);
        if (!organization.empty() && org != organization) continue;
        auto& c = by_org[std::move(org)];
        c.add(verification_of(m, f.model_of(m), local_date(z, at), policy).state);
    }
    std::vector<organization_verification> out;
    for (auto& [org, c] : by_org) out.push_back({org, c});
    return out;
}

daily_collection daily_collection_rate(const fleet& f, std::span<const meter_time> main_values, instant now,
                                       const daily_collection_policy& policy, std::string_view organization) {
    // the window of each meter depends on its zone: index the value times by meter first
    std::map<std::string_view, std::vector<instant>, std::less<>> times;
    for (const auto& v : main_values) times[v.meter].push_back(v.time);
    std::map<std::pair<std::string, resource>, collection_group> groups;
    daily_collection r;
    for (const auto& m : f.meters()) {
        if (!m.under_control) continue;
        const zone z = f.zone_of(m);
        if (!in_service(m, z, now)) continue;
        std::string org = organization_id_of(f, m);
        if (!organization.empty() && org != organization) continue;
        auto& g = groups[{org, m.measures}];
        g.organization = std::move(org);
        g.measures = m.measures;
        ++g.under_control;
        const instant midnight = start_of_day(z, local_date(z, now));
        bool collected = false;
        if (const auto it = times.find(m.serial); it != times.end())
            collected = std::any_of(it->second.begin(), it->second.end(), [&](instant t) {
                return t <= midnight && t > midnight - policy.tolerance;
            });
        if (collected)
            ++g.collected;
        else
            g.missing.push_back(m.serial);
    }
    for (auto& [key, g] : groups) {
        std::sort(g.missing.begin(), g.missing.end());
        g.percent = percent_of(g.collected, g.under_control);
        r.under_control += g.under_control;
        r.collected += g.collected;
        r.groups.push_back(std::move(g));
    }
    r.percent = percent_of(r.collected, r.under_control);
    return r;
}

analytics_report analyze(const fleet& f, const analytics_input& in, instant at,
                         const analytics_options& options) {
    analytics_report r;
    r.at = at;
    r.abonents = registered_abonents(f, at, options.organization);
    r.manufacturers = share_by_manufacturer(f, at, options.organization);
    r.load = load_state_at(f, in.relays, at, options.organization);
    r.verification = verification_by_organization(f, at, options.verification, options.organization);
    for (const auto& v : r.verification) r.needing_verification += v.needing();
    r.collection = daily_collection_rate(f, in.main_values, at, options.collection, options.organization);
    return r;
}

}  // namespace v0
}  // namespace kvant
