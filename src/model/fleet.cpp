#include "kvant/model/fleet.hpp"

#include <algorithm>
#include <map>

#include "kvant/model/validation.hpp"

namespace kvant {
inline namespace v0 {

namespace {
template <class T, class Key>
std::map<std::string, std::size_t, std::less<>> index_by(const std::vector<T>& v, Key key) {
    std::map<std::string, std::size_t, std::less<>> m;
    for (std::size_t i = 0; i < v.size(); ++i) m.emplace(key(v[i]), i);
    return m;
}
template <class T>
const T* lookup(const std::vector<T>& v, const std::map<std::string, std::size_t, std::less<>>& m,
                std::string_view key) noexcept {
    if (key.empty()) return nullptr;
    const auto it = m.find(key);
    return it == m.end() ? nullptr : &v[it->second];
}
template <class T, class Key>
void sort_by(std::vector<T>& v, Key key) {
    std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
}
}  // namespace

struct fleet::index {
    std::vector<organization> organizations;
    std::vector<abonent> abonents;
    std::vector<account> accounts;
    std::vector<metering_point> points;
    std::vector<meter_model> models;
    std::vector<meter> meters;
    std::map<std::string, std::size_t, std::less<>> org_ix, abonent_ix, account_ix, point_ix, model_ix,
        meter_ix;
    std::multimap<std::string, std::size_t, std::less<>> abonents_by_org, accounts_by_abonent,
        points_by_account, meters_by_point;
};

fleet::fleet() : ix_(std::make_unique<index>()) {}
fleet::fleet(fleet&&) noexcept = default;
fleet& fleet::operator=(fleet&&) noexcept = default;
fleet::~fleet() = default;

fleet::fleet(std::vector<organization> organizations, std::vector<abonent> abonents,
             std::vector<account> accounts, std::vector<metering_point> points,
             std::vector<meter_model> models, std::vector<meter> meters)
    : ix_(std::make_unique<index>()) {
    auto& x = *ix_;
    x.organizations = std::move(organizations);
    x.abonents = std::move(abonents);
    x.accounts = std::move(accounts);
    x.points = std::move(points);
    x.models = std::move(models);
    x.meters = std::move(meters);
    sort_by(x.organizations, [](const organization& e) { return e.id; });
    sort_by(x.abonents, [](const abonent& e) { return e.id; });
    sort_by(x.accounts, [](const account& e) { return e.number; });
    sort_by(x.points, [](const metering_point& e) { return e.code; });
    sort_by(x.models, [](const meter_model& e) { return e.id; });
    sort_by(x.meters, [](const meter& e) { return e.serial; });
    x.org_ix = index_by(x.organizations, [](const organization& e) { return e.id; });
    x.abonent_ix = index_by(x.abonents, [](const abonent& e) { return e.id; });
    x.account_ix = index_by(x.accounts, [](const account& e) { return e.number; });
    x.point_ix = index_by(x.points, [](const metering_point& e) { return e.code; });
    x.model_ix = index_by(x.models, [](const meter_model& e) { return e.id; });
    x.meter_ix = index_by(x.meters, [](const meter& e) { return e.serial; });
    for (std::size_t i = 0; i < x.abonents.size(); ++i)
        x.abonents_by_org.emplace(x.abonents[i].organization, i);
    for (std::size_t i = 0; i < x.accounts.size(); ++i)
        x.accounts_by_abonent.emplace(x.accounts[i].abonent, i);
    for (std::size_t i = 0; i < x.points.size(); ++i) x.points_by_account.emplace(x.points[i].account, i);
    for (std::size_t i = 0; i < x.meters.size(); ++i)
        if (!x.meters[i].point.empty()) x.meters_by_point.emplace(x.meters[i].point, i);
}

const std::vector<organization>& fleet::organizations() const noexcept {
    return ix_->organizations;
}
const std::vector<abonent>& fleet::abonents() const noexcept {
    return ix_->abonents;
}
const std::vector<account>& fleet::accounts() const noexcept {
    return ix_->accounts;
}
const std::vector<metering_point>& fleet::points() const noexcept {
    return ix_->points;
}
const std::vector<meter_model>& fleet::models() const noexcept {
    return ix_->models;
}
const std::vector<meter>& fleet::meters() const noexcept {
    return ix_->meters;
}

const organization* fleet::find_organization(std::string_view k) const noexcept {
    return lookup(ix_->organizations, ix_->org_ix, k);
}
const abonent* fleet::find_abonent(std::string_view k) const noexcept {
    return lookup(ix_->abonents, ix_->abonent_ix, k);
}
const account* fleet::find_account(std::string_view k) const noexcept {
    return lookup(ix_->accounts, ix_->account_ix, k);
}
const metering_point* fleet::find_point(std::string_view k) const noexcept {
    return lookup(ix_->points, ix_->point_ix, k);
}
const meter_model* fleet::find_model(std::string_view k) const noexcept {
    return lookup(ix_->models, ix_->model_ix, k);
}
const meter* fleet::find_meter(std::string_view k) const noexcept {
    return lookup(ix_->meters, ix_->meter_ix, k);
}

const meter_model* fleet::model_of(const meter& m) const noexcept {
    return find_model(m.model);
}
const metering_point* fleet::point_of(const meter& m) const noexcept {
    return find_point(m.point);
}
const account* fleet::account_of(const meter& m) const noexcept {
    const auto* p = point_of(m);
    return p ? find_account(p->account) : nullptr;
}
const abonent* fleet::abonent_of(const account& a) const noexcept {
    return find_abonent(a.abonent);
}
const organization* fleet::organization_of(const abonent& a) const noexcept {
    return find_organization(a.organization);
}
const organization* fleet::organization_of(const meter& m) const noexcept {
    const auto* acc = account_of(m);
    const auto* ab = acc ? abonent_of(*acc) : nullptr;
    return ab ? organization_of(*ab) : nullptr;
}

std::vector<const account*> fleet::accounts_of(const abonent& a) const {
    std::vector<const account*> out;
    for (auto [it, end] = ix_->accounts_by_abonent.equal_range(a.id); it != end; ++it)
        out.push_back(&ix_->accounts[it->second]);
    return out;
}
std::vector<const abonent*> fleet::abonents_of(const organization& o) const {
    std::vector<const abonent*> out;
    for (auto [it, end] = ix_->abonents_by_org.equal_range(o.id); it != end; ++it)
        out.push_back(&ix_->abonents[it->second]);
    return out;
}
std::vector<const meter*> fleet::meters_of(const metering_point& p) const {
    std::vector<const meter*> out;
    for (auto [it, end] = ix_->meters_by_point.equal_range(p.code); it != end; ++it)
        out.push_back(&ix_->meters[it->second]);
    return out;
}
std::vector<const meter*> fleet::meters_of(const account& a) const {
    std::vector<const meter*> out;
    for (auto [it, end] = ix_->points_by_account.equal_range(a.number); it != end; ++it) {
        const auto more = meters_of(ix_->points[it->second]);
        out.insert(out.end(), more.begin(), more.end());
    }
    std::sort(out.begin(), out.end(), [](const meter* x, const meter* y) { return x->serial < y->serial; });
    return out;
}

zone fleet::zone_of(const meter& m) const {
    if (m.time_zone) return *m.time_zone;
    if (const auto* o = organization_of(m); o && o->time_zone) return *o->time_zone;
    return zone::utc();
}

int fleet::tariff_registers_of(const meter& m) const noexcept {
    return effective_tariff_registers(m, model_of(m));
}

}  // namespace v0
}  // namespace kvant
