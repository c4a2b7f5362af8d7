#include "kvant/algorithms/tariff_resolution.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace kvant {
inline namespace v0 {

namespace {
/// The subject's target of a scope; empty when it has none there (no building, not placed).
const std::string& target_of(const tariff_subject& s, tariff_scope scope) {
    switch (scope) {
        case tariff_scope::meter:
            return s.meter;
        case tariff_scope::building:
            return s.building;
        case tariff_scope::organization:
            break;
    }
    return s.organization;
}
bool applies(const tariff_subject& s, tariff_scope scope, const std::string& target) {
    const std::string& mine = target_of(s, scope);
    return !mine.empty() && mine == target;
}
constexpr std::array<tariff_scope, 3> most_specific_first{tariff_scope::meter, tariff_scope::building,
                                                          tariff_scope::organization};
}  // namespace

tariff_subject subject_of(const fleet& f, const meter& m) {
    tariff_subject s;
    s.meter = m.serial;
    s.measures = m.measures;
    if (const auto* p = f.point_of(m)) s.amenities = p->amenities;
    if (const auto* a = f.account_of(m)) {
        s.building = a->building;
        s.residents = a->residents;
    }
    if (const auto* o = f.organization_of(m)) s.organization = o->id;
    return s;
}

const tariff_assignment* assignment_at(const tariff_book& book, const tariff_subject& s, calendar_date d) {
    for (const auto scope : most_specific_first) {
        const tariff_assignment* best = nullptr;
        for (const auto& a : book.assignments)
            if (a.scope == scope && a.measures == s.measures && a.from <= d && applies(s, scope, a.target) &&
                (!best || a.from > best->from))
                best = &a;
        if (best) return best;
    }
    return nullptr;
}

std::vector<const tariff_rate*> rates_at(const tariff_book& book, const tariff_subject& s,
                                         std::string_view schedule, calendar_date d) {
    for (const auto scope : most_specific_first) {
        std::map<std::string, const tariff_rate*> latest;  // by zone
        for (const auto& r : book.rates)
            if (r.schedule == schedule && r.scope == scope && r.from <= d && applies(s, scope, r.target)) {
                auto& slot = latest[r.zone];
                if (!slot || r.from > slot->from) slot = &r;
            }
        if (!latest.empty()) {
            std::vector<const tariff_rate*> out;
            for (const auto& [z, r] : latest) out.push_back(r);
            return out;
        }
    }
    return {};
}

std::vector<rate> rate_timeline(const tariff_book& book, const tariff_subject& s, std::string_view schedule) {
    // cost() bills each leaf zone at one name for the whole range (its own, else a group's, else total's), so
    // every name any list uses gets a price on every change: the price the list then in force gives it (its
    // own; for a leaf, a group's holding it, else total; for a group, total). A meter's own `total` list thus
    // replaces its organisation's day and night prices, and a later day/night list replaces a total one.
    const tariff_schedule* sch = nullptr;
    for (const auto& x : book.schedules)
        if (x.id == schedule) sch = &x;
    std::set<calendar_date> changes;
    std::set<std::string> names;
    for (const auto& r : book.rates)
        if (r.schedule == schedule && applies(s, r.scope, r.target)) {
            changes.insert(r.from);
            names.insert(r.zone);
        }
    const auto price_of = [&](const std::string& name,
                              const std::map<std::string, decimal>& list) -> std::optional<decimal> {
        if (const auto it = list.find(name); it != list.end()) return it->second;
        if (sch && std::find(sch->zones.begin(), sch->zones.end(), name) != sch->zones.end())
            for (const auto& g : sch->groups)
                if (std::find(g.members.begin(), g.members.end(), name) != g.members.end())
                    if (const auto it = list.find(g.name); it != list.end()) return it->second;
        if (const auto it = list.find("total"); it != list.end()) return it->second;
        return std::nullopt;
    };
    std::vector<rate> out;
    std::map<std::string, decimal> current;  // by name: the price last emitted
    for (const auto d : changes) {
        std::map<std::string, decimal> list;
        for (const auto* r : rates_at(book, s, schedule, d)) list.emplace(r->zone, r->price);
        for (const auto& name : names) {
            const auto price = price_of(name, list);
            if (!price) continue;
            const auto it = current.find(name);
            if (it != current.end() && it->second == *price) continue;
            current[name] = *price;
            out.push_back({name, d, *price});
        }
    }
    return out;
}

normative_in_force normative_at(const tariff_book& book, const tariff_subject& s, calendar_date d) {
    normative_in_force out;
    if (s.organization.empty()) return out;
    // the dwelling's own kind first, then the organisation's normative for any dwelling
    auto latest = [&](const std::string& kind) {
        const normative* best = nullptr;
        for (const auto& n : book.normatives)
            if (n.organization == s.organization && n.measures == s.measures && n.amenities == kind &&
                n.from <= d && (!best || n.from > best->from))
                best = &n;
        return best;
    };
    if (!s.amenities.empty()) out.row = latest(s.amenities);
    if (!out.row) out.row = latest(std::string());
    if (!out.row) return out;
    if (out.row->basis == normative_basis::per_account)
        out.value = out.row->value;
    else if (s.residents)
        out.value = out.row->value * decimal::from_integer(*s.residents);
    return out;
}

std::vector<tariff_terms> resolve_terms(const tariff_book& book, const tariff_subject& s, calendar_date from,
                                        calendar_date to) {
    std::vector<tariff_terms> out;
    if (!(from < to)) return out;
    std::set<calendar_date> cuts{from};
    for (const auto& a : book.assignments)
        if (a.measures == s.measures && applies(s, a.scope, a.target) && from < a.from && a.from < to)
            cuts.insert(a.from);
    for (const auto& r : book.rates)
        if (applies(s, r.scope, r.target) && from < r.from && r.from < to) cuts.insert(r.from);
    for (const auto& n : book.normatives)
        if (n.organization == s.organization && from < n.from && n.from < to) cuts.insert(n.from);
    for (const auto d : cuts) {
        tariff_terms t;
        t.from = d;
        t.to = to;
        if (const auto* a = assignment_at(book, s, d)) {
            t.schedule = a->schedule;
            t.rates = rates_at(book, s, t.schedule, d);
        }
        t.normative = normative_at(book, s, d).value;
        const auto same_prices = [](const std::vector<const tariff_rate*>& x,
                                    const std::vector<const tariff_rate*>& y) {
            return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const auto* a, const auto* b) {
                return a->zone == b->zone && a->price == b->price;
            });
        };
        if (!out.empty() && out.back().schedule == t.schedule && same_prices(out.back().rates, t.rates) &&
            out.back().normative == t.normative)
            continue;
        if (!out.empty()) out.back().to = d;
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
