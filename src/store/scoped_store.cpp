#include "kvant/store/scoped_store.hpp"

#include <set>

namespace kvant {
inline namespace v0 {

namespace {
/// A cursor that yields nothing: the scope's answer to a scan of no meter of its own.
class empty_cursor final : public reading_cursor {
  public:
    bool next(series_chunk&) override { return false; }
};
}  // namespace

scoped_store::scoped_store(store& inner, std::string organization)
    : inner_(inner), org_(std::move(organization)) {
    if (org_.empty() || !inner_.find<kvant::organization>(org_))
        throw storage_error(errc::not_found, "no organization " + excerpt(org_) + " to scope a store to");
    set_clock([this] { return inner_.now(); });
    set_validation_policy(inner_.policy());
}

bool scoped_store::mine(entity_kind kind, std::string_view key) const {
    return inner_.organization_of(kind, key) == org_;
}
bool scoped_store::mine(const anomaly& a) const {
    return inner_.organization_of(a) == org_;
}

void scoped_store::refuse_foreign(entity_kind kind, const std::string& key) const {
    bool stored = false;
    switch (kind) {
        case entity_kind::abonent:
            stored = inner_.find<abonent>(key).has_value();
            break;
        case entity_kind::account:
            stored = inner_.find<account>(key).has_value();
            break;
        case entity_kind::metering_point:
            stored = inner_.find<metering_point>(key).has_value();
            break;
        case entity_kind::meter:
            stored = inner_.has_meter(key);
            break;
        default:
            break;
    }
    if (stored && !mine(kind, key))
        throw validation_error(errc::validation, std::string(to_string(kind)) + " " + excerpt(key) +
                                                     " is held outside organization " + excerpt(org_) +
                                                     "; a scoped store cannot write it");
}

// ---- reads

bool scoped_store::load(std::string_view key, organization& out) const {
    return key == org_ && inner_.load(key, out);
}
bool scoped_store::load(std::string_view key, abonent& out) const {
    return inner_.load(key, out) && out.organization == org_;
}
bool scoped_store::load(std::string_view key, account& out) const {
    return inner_.load(key, out) && mine(entity_kind::abonent, out.abonent);
}
bool scoped_store::load(std::string_view key, metering_point& out) const {
    return inner_.load(key, out) && mine(entity_kind::account, out.account);
}
bool scoped_store::load(std::string_view key, meter_model& out) const {
    return inner_.load(key, out);  // a shared catalogue
}
bool scoped_store::load(std::string_view key, meter& out) const {
    return inner_.load(key, out) && !out.point.empty() && mine(entity_kind::metering_point, out.point);
}
void scoped_store::list(std::vector<organization>& out) const {
    if (organization o; inner_.load(org_, o)) out.push_back(std::move(o));
}
void scoped_store::list(std::vector<abonent>& out) const {
    inner_.list_in(org_, out);
}
void scoped_store::list(std::vector<account>& out) const {
    inner_.list_in(org_, out);
}
void scoped_store::list(std::vector<metering_point>& out) const {
    inner_.list_in(org_, out);
}
void scoped_store::list(std::vector<meter_model>& out) const {
    inner_.list(out);
}
void scoped_store::list(std::vector<meter>& out) const {
    inner_.list_in(org_, out);
}
void scoped_store::list_in(std::string_view org, std::vector<abonent>& out) const {
    if (org.empty() || org == org_) inner_.list_in(org_, out);
}
void scoped_store::list_in(std::string_view org, std::vector<account>& out) const {
    if (org.empty() || org == org_) inner_.list_in(org_, out);
}
void scoped_store::list_in(std::string_view org, std::vector<metering_point>& out) const {
    if (org.empty() || org == org_) inner_.list_in(org_, out);
}
void scoped_store::list_in(std::string_view org, std::vector<meter>& out) const {
    if (org.empty() || org == org_) inner_.list_in(org_, out);
}
bool scoped_store::has_meter(std::string_view serial) const {
    return inner_.has_meter(serial) && mine(entity_kind::meter, serial);
}

std::unique_ptr<reading_cursor> scoped_store::scan(const series_query& q) const {
    std::set<std::string, std::less<>> own;
    for (auto& m : inner_.all_in<meter>(org_)) own.insert(std::move(m.serial));
    series_query scoped = q;
    scoped.meters.clear();
    if (q.meters.empty()) {
        scoped.meters.assign(own.begin(), own.end());
    } else {
        for (const auto& m : q.meters)
            if (own.count(m)) scoped.meters.push_back(m);
    }
    // an empty list would mean every meter of the inner store
    if (scoped.meters.empty()) return std::make_unique<empty_cursor>();
    return inner_.scan(scoped);
}
std::vector<last_value> scoped_store::last_values(std::string_view meter) const {
    if (!has_meter(meter)) return {};
    return inner_.last_values(meter);
}
std::size_t scoped_store::reading_count(std::string_view meter) const {
    if (!meter.empty()) return has_meter(meter) ? inner_.reading_count(meter) : 0;
    std::size_t n = 0;
    for (const auto& m : inner_.all_in<kvant::meter>(org_)) n += inner_.reading_count(m.serial);
    return n;
}
std::vector<meter_event> scoped_store::events(std::string_view meter, instant from, instant to) const {
    if (!meter.empty()) return has_meter(meter) ? inner_.events(meter, from, to) : std::vector<meter_event>{};
    std::set<std::string, std::less<>> own;
    for (auto& m : inner_.all_in<kvant::meter>(org_)) own.insert(std::move(m.serial));
    std::vector<meter_event> out;
    for (auto& e : inner_.events({}, from, to))
        if (own.count(e.meter)) out.push_back(std::move(e));
    return out;
}

// ---- meter state: one meter's rows when it is in scope; all rows filtered by the scope's meters
namespace {
template <class T, class Read>
std::vector<T> own_rows(const store& inner, const std::string& org, std::string_view meter, Read read,
                        bool meter_in_scope) {
    if (!meter.empty()) return meter_in_scope ? read(meter) : std::vector<T>{};
    std::set<std::string, std::less<>> own;
    for (auto& m : inner.all_in<kvant::meter>(org)) own.insert(std::move(m.serial));
    std::vector<T> out;
    for (auto& r : read(std::string_view{}))
        if (own.count(r.meter)) out.push_back(std::move(r));
    return out;
}
}  // namespace
std::vector<relay_change> scoped_store::relay_history(std::string_view meter, instant from,
                                                      instant to) const {
    return own_rows<relay_change>(
        inner_, org_, meter, [&](std::string_view m) { return inner_.relay_history(m, from, to); },
        !meter.empty() && has_meter(meter));
}
std::vector<relay_change> scoped_store::relay_at(instant at, std::string_view meter) const {
    return own_rows<relay_change>(
        inner_, org_, meter, [&](std::string_view m) { return inner_.relay_at(at, m); },
        !meter.empty() && has_meter(meter));
}
std::vector<comm_session> scoped_store::sessions(std::string_view meter, instant from, instant to) const {
    return own_rows<comm_session>(
        inner_, org_, meter, [&](std::string_view m) { return inner_.sessions(m, from, to); },
        !meter.empty() && has_meter(meter));
}
std::vector<link_summary> scoped_store::link_summaries(std::string_view meter) const {
    return own_rows<link_summary>(
        inner_, org_, meter, [&](std::string_view m) { return inner_.link_summaries(m); },
        !meter.empty() && has_meter(meter));
}
write_stats scoped_store::store_relay_changes(std::span<const relay_change> changes, on_conflict policy) {
    return inner_.store_relay_changes(changes,
                                      policy);  // store::put_relay_changes found every meter in scope
}
write_stats scoped_store::store_sessions(std::span<const comm_session> sessions, on_conflict policy) {
    return inner_.store_sessions(sessions, policy);
}

std::vector<anomaly> scoped_store::anomalies(std::optional<anomaly_status> status) const {
    std::set<std::string, std::less<>> meters, accounts;
    for (auto& m : inner_.all_in<meter>(org_)) meters.insert(std::move(m.serial));
    for (auto& a : inner_.all_in<account>(org_)) accounts.insert(std::move(a.number));
    std::vector<anomaly> out;
    for (auto& a : inner_.anomalies(status))
        if (meters.count(a.meter) || (!inner_.has_meter(a.meter) && accounts.count(a.account)))
            out.push_back(std::move(a));
    return out;
}
std::vector<anomaly_action> scoped_store::anomaly_history(std::string_view key) const {
    if (!mine(entity_kind::anomaly, key)) return {};
    return inner_.anomaly_history(key);
}
std::vector<change> scoped_store::changes(const change_query& q) const {
    if (!q.organization.empty() && q.organization != org_) return {};
    change_query scoped = q;
    scoped.organization = org_;
    return inner_.changes(scoped);
}

// ---- writes

void scoped_store::store_entity(const organization& o) {
    if (o.id != org_)
        throw validation_error(errc::validation, "organization " + excerpt(o.id) +
                                                     " is not the scope's organization " + excerpt(org_));
    inner_.store_entity(o);
}
void scoped_store::store_entity(const abonent& a) {
    if (a.organization != org_)
        throw validation_error(errc::validation,
                               "abonent " + excerpt(a.id) + " belongs to organization " +
                                   excerpt(a.organization) + ", outside the scope's " + excerpt(org_),
                               location{"", 0, "organization", -1});
    refuse_foreign(entity_kind::abonent, a.id);
    inner_.store_entity(a);
}
void scoped_store::store_entity(const account& a) {
    refuse_foreign(entity_kind::account, a.number);  // its abonent is visible: store::put found it
    inner_.store_entity(a);
}
void scoped_store::store_entity(const metering_point& p) {
    refuse_foreign(entity_kind::metering_point, p.code);
    inner_.store_entity(p);
}
void scoped_store::store_entity(const meter_model& m) {
    throw validation_error(errc::validation, "meter model " + excerpt(m.id) +
                                                 ": models are a catalogue shared by every organization; "
                                                 "a scoped store cannot write them");
}
void scoped_store::store_entity(const meter& m) {
    if (m.point.empty())
        throw validation_error(errc::validation,
                               "meter " + excerpt(m.serial) +
                                   " has no point, so it would belong to no "
                                   "organization; a scoped store needs one of " +
                                   excerpt(org_),
                               location{"", 0, "point", -1});
    refuse_foreign(entity_kind::meter, m.serial);
    inner_.store_entity(m);
}
write_stats scoped_store::store_readings(const reading_table& batch, on_conflict policy) {
    return inner_.store_readings(batch, policy);  // store::put_readings found every meter through the scope
}
write_stats scoped_store::store_events(std::span<const meter_event> events, on_conflict policy) {
    return inner_.store_events(events, policy);
}
write_stats scoped_store::put_anomalies(std::span<const anomaly> found) {
    for (const auto& a : found)
        if (!mine(a))
            throw validation_error(errc::validation, "anomaly " + excerpt(a.key) + " of meter " +
                                                         excerpt(a.meter) + " is outside organization " +
                                                         excerpt(org_));
    return inner_.put_anomalies(found);
}
bool scoped_store::resolve_anomaly(std::string_view key, instant at, std::string_view by,
                                   std::string_view note) {
    return mine(entity_kind::anomaly, key) && inner_.resolve_anomaly(key, at, by, note);
}
bool scoped_store::reopen_anomaly(std::string_view key, instant at, std::string_view by,
                                  std::string_view note) {
    return mine(entity_kind::anomaly, key) && inner_.reopen_anomaly(key, at, by, note);
}
void scoped_store::erase_entity(entity_kind kind, std::string_view key) {
    // store::erase counted a model's meters through the scope, so another organisation's meters of it went
    // unseen: the shared catalogue is not erased through a scope, as it is not written through one
    if (kind == entity_kind::meter_model)
        throw validation_error(errc::validation, "meter model " + excerpt(key) +
                                                     ": models are a catalogue shared by every organization; "
                                                     "a scoped store cannot erase them");
    inner_.erase_entity(kind, key);  // store::erase found it (and everything below it) through the scope
}
void scoped_store::append_change(const change& c) {
    inner_.append_change(c);
}

void scoped_store::begin() {
    inner_.begin();
}
void scoped_store::commit() {
    inner_.commit();
}
void scoped_store::rollback() noexcept {
    inner_.rollback();
}

// ---- entry
std::vector<entry_record> scoped_store::entries(std::string_view meter, instant from, instant to) const {
    if (!meter.empty())
        return has_meter(meter) ? inner_.entries(meter, from, to) : std::vector<entry_record>{};
    std::set<std::string, std::less<>> own;
    for (auto& m : inner_.all_in<kvant::meter>(org_)) own.insert(std::move(m.serial));
    std::vector<entry_record> out;
    for (auto& e : inner_.entries({}, from, to))
        if (own.count(e.entered.meter)) out.push_back(std::move(e));
    return out;
}
void scoped_store::store_entry(const entry_record& e) {
    inner_.store_entry(e);  // store::log_entry found the meter through the scope
}

// ---- tariffs: schedules are shared by every organisation (read through; a new one may be stored, a
// stored one neither changed nor removed through a scope, as other organisations may be billed under it);
// assignments and rates are seen and written only for this organisation's own id, buildings and meters;
// normatives only for its id.

bool scoped_store::visible(tariff_scope scope, const std::string& target) const {
    switch (scope) {
        case tariff_scope::organization:
            return target == org_;
        case tariff_scope::meter:
            return inner_.has_meter(target) && mine(entity_kind::meter, target);
        case tariff_scope::building:
            for (const auto& a : all<account>())
                if (a.building == target) return true;
            return false;
    }
    return false;
}

bool scoped_store::writable(tariff_scope scope, const std::string& target) const {
    if (!visible(scope, target)) return false;
    if (scope != tariff_scope::building) return true;
    // a building key is free text: another organisation's accounts may be in the same building, and a
    // building row bills them too, so only a building wholly of this organisation is written through it
    std::vector<account> every;
    inner_.list(every);
    for (const auto& a : every)
        if (a.building == target && !mine(entity_kind::account, a.number)) return false;
    return true;
}

bool scoped_store::load(std::string_view key, tariff_schedule& out) const {
    return inner_.load(key, out);
}
bool scoped_store::load(std::string_view key, tariff_assignment& out) const {
    return inner_.load(key, out) && visible(out.scope, out.target);
}
bool scoped_store::load(std::string_view key, tariff_rate& out) const {
    return inner_.load(key, out) && visible(out.scope, out.target);
}
bool scoped_store::load(std::string_view key, normative& out) const {
    return inner_.load(key, out) && out.organization == org_;
}
void scoped_store::list(std::vector<tariff_schedule>& out) const {
    inner_.list(out);
}
void scoped_store::list(std::vector<tariff_assignment>& out) const {
    std::vector<tariff_assignment> all_rows;
    inner_.list(all_rows);
    for (auto& a : all_rows)
        if (visible(a.scope, a.target)) out.push_back(std::move(a));
}
void scoped_store::list(std::vector<tariff_rate>& out) const {
    std::vector<tariff_rate> all_rows;
    inner_.list(all_rows);
    for (auto& r : all_rows)
        if (visible(r.scope, r.target)) out.push_back(std::move(r));
}
void scoped_store::list(std::vector<normative>& out) const {
    std::vector<normative> all_rows;
    inner_.list(all_rows);
    for (auto& n : all_rows)
        if (n.organization == org_) out.push_back(std::move(n));
}
void scoped_store::store_entity(const tariff_schedule& s) {
    tariff_schedule stored;
    if (inner_.load(s.id, stored) && !(stored == s))
        throw validation_error(errc::validation, "tariff_schedule " + excerpt(s.id) +
                                                     " is shared by every organisation; a scoped store "
                                                     "cannot change it");
    inner_.store_entity(s);
}
void scoped_store::store_entity(const tariff_assignment& a) {
    if (!writable(a.scope, a.target))
        throw validation_error(errc::validation, "tariff_assignment for " + excerpt(a.target) +
                                                     " is outside organization " + excerpt(org_) +
                                                     "; a scoped store cannot write it");
    inner_.store_entity(a);
}
void scoped_store::store_entity(const tariff_rate& r) {
    if (!writable(r.scope, r.target))
        throw validation_error(errc::validation, "tariff_rate for " + excerpt(r.target) +
                                                     " is outside organization " + excerpt(org_) +
                                                     "; a scoped store cannot write it");
    inner_.store_entity(r);
}
void scoped_store::store_entity(const normative& n) {
    if (n.organization != org_)
        throw validation_error(errc::validation, "normative of " + excerpt(n.organization) +
                                                     " is outside organization " + excerpt(org_) +
                                                     "; a scoped store cannot write it");
    inner_.store_entity(n);
}
bool scoped_store::erase_schedule(std::string_view id) {
    throw validation_error(errc::validation, "tariff_schedule " + excerpt(id) +
                                                 " is shared by every organisation; a scoped store cannot "
                                                 "remove it");
}
bool scoped_store::erase_assignment(std::string_view key) {
    tariff_assignment a;
    if (!load(key, a)) return false;
    if (!writable(a.scope, a.target))
        throw validation_error(errc::validation, "tariff_assignment for " + excerpt(a.target) +
                                                     " is shared with another organization; a scoped store "
                                                     "cannot remove it");
    return inner_.erase_assignment(key);
}
bool scoped_store::erase_rate(std::string_view key) {
    tariff_rate r;
    if (!load(key, r)) return false;
    if (!writable(r.scope, r.target))
        throw validation_error(errc::validation, "tariff_rate for " + excerpt(r.target) +
                                                     " is shared with another organization; a scoped store "
                                                     "cannot remove it");
    return inner_.erase_rate(key);
}
bool scoped_store::erase_normative(std::string_view key) {
    normative n;
    return load(key, n) && inner_.erase_normative(key);
}

}  // namespace v0
}  // namespace kvant
