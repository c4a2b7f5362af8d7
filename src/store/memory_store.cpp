#include "kvant/store/memory_store.hpp"

#include <algorithm>
#include <array>
#include <tuple>

#include "records_common.hpp"

namespace kvant {
inline namespace v0 {

namespace {
struct stored_reading {
    std::int64_t value;
    reading_source source;
    std::int64_t accepted;
};
// one meter's values: per channel code, per time
using meter_values = std::map<std::uint32_t, std::map<std::int64_t, stored_reading>>;
using by_key = std::less<>;
}  // namespace

struct memory_store::state {
    std::map<std::string, organization, by_key> organizations;
    std::map<std::string, abonent, by_key> abonents;
    std::map<std::string, account, by_key> accounts;
    std::map<std::string, metering_point, by_key> points;
    std::map<std::string, meter_model, by_key> models;
    std::map<std::string, meter, by_key> meters;
    std::map<std::string, meter_values, by_key> readings;
    std::map<std::tuple<std::string, std::int64_t, int>, meter_event> events;
    std::map<std::string, anomaly, std::less<>> anomalies;
    // ---- meter state: per meter, by Unix seconds of time / start; the link summaries kept on write
    std::map<std::string, std::map<std::int64_t, relay_change>, by_key> relay;
    std::map<std::string, std::map<std::int64_t, comm_session>, by_key> sessions;
    std::map<std::string, link_summary, by_key> links;
    // ---- tariffs: keyed by id or key_of()
    std::map<std::string, tariff_schedule, by_key> schedules;
    std::map<std::string, tariff_assignment, by_key> assignments;
    std::map<std::string, tariff_rate, by_key> rates;
    std::map<std::string, normative, by_key> normatives;
    // ---- queries
    std::vector<change> changes;
    std::vector<anomaly_action> anomaly_history;
    // ---- entry
    std::vector<entry_record> entry_log;  // in the order of entry
};

memory_store::memory_store() : state_(std::make_unique<state>()) {}
memory_store::~memory_store() = default;

namespace {
template <class Map, class T>
bool load_from(const Map& m, std::string_view key, T& out) {
    const auto it = m.find(key);
    if (it == m.end()) return false;
    out = it->second;
    return true;
}
template <class Map, class T>
void list_from(const Map& m, std::vector<T>& out) {
    out.reserve(out.size() + m.size());
    for (const auto& [k, v] : m) out.push_back(v);
}
}  // namespace

bool memory_store::load(std::string_view k, organization& o) const {
    return load_from(state_->organizations, k, o);
}
bool memory_store::load(std::string_view k, abonent& o) const {
    return load_from(state_->abonents, k, o);
}
bool memory_store::load(std::string_view k, account& o) const {
    return load_from(state_->accounts, k, o);
}
bool memory_store::load(std::string_view k, metering_point& o) const {
    return load_from(state_->points, k, o);
}
bool memory_store::load(std::string_view k, meter_model& o) const {
    return load_from(state_->models, k, o);
}
bool memory_store::load(std::string_view k, meter& o) const {
    return load_from(state_->meters, k, o);
}
void memory_store::list(std::vector<organization>& o) const {
    list_from(state_->organizations, o);
}
void memory_store::list(std::vector<abonent>& o) const {
    list_from(state_->abonents, o);
}
void memory_store::list(std::vector<account>& o) const {
    list_from(state_->accounts, o);
}
void memory_store::list(std::vector<metering_point>& o) const {
    list_from(state_->points, o);
}
void memory_store::list(std::vector<meter_model>& o) const {
    list_from(state_->models, o);
}
void memory_store::list(std::vector<meter>& o) const {
    list_from(state_->meters, o);
}
bool memory_store::has_meter(std::string_view s) const {
    return state_->meters.count(s) != 0;
}
void memory_store::store_entity(const organization& o) {
    state_->organizations[o.id] = o;
}
void memory_store::store_entity(const abonent& a) {
    state_->abonents[a.id] = a;
}
void memory_store::store_entity(const account& a) {
    state_->accounts[a.number] = a;
}
void memory_store::store_entity(const metering_point& p) {
    state_->points[p.code] = p;
}
void memory_store::store_entity(const meter_model& m) {
    state_->models[m.id] = m;
}
void memory_store::store_entity(const meter& m) {
    state_->meters[m.serial] = m;
}

// Atomic by itself (a first pass finds conflicts before anything changes), so that the base class need not
// wrap each write in a transaction, which here would copy the whole state.
write_stats memory_store::store_readings(const reading_table& batch, on_conflict policy) {
    std::vector<meter_values*> meters;
    meters.reserve(batch.meters().size());
    for (const auto& serial : batch.meters()) meters.push_back(&state_->readings[serial]);
    auto series_of = [&](std::size_t i) -> std::map<std::int64_t, stored_reading>& {
        return (*meters[batch.meter_index()[i]])[batch.channel_of(i).code()];
    };
    if (policy == on_conflict::fail) {
        std::map<std::tuple<std::uint32_t, std::uint16_t, std::int64_t>, std::size_t> in_batch;  // repeats
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const auto& s = series_of(i);
            const auto v = batch.values()[i];
            if (const auto it = s.find(batch.times()[i]); it != s.end() && it->second.value != v)
                throw reading_conflict(i, conflict_message(batch, i, it->second.value));
            const auto [first, fresh] =
                in_batch.try_emplace({batch.meter_index()[i], batch.channel_index()[i], batch.times()[i]}, i);
            if (!fresh && batch.values()[first->second] != v)
                throw reading_conflict(i, conflict_message(batch, i, batch.values()[first->second]));
        }
    }
    write_stats st;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const stored_reading r{batch.values()[i], batch.source(i), batch.accepted_at(i)};
        auto& s = series_of(i);
        auto [it, inserted] = s.try_emplace(batch.times()[i], r);
        if (inserted) {
            ++st.inserted;
        } else if (it->second.value == r.value) {
            ++st.unchanged;
        } else if (policy == on_conflict::replace) {
            it->second = r;
            ++st.replaced;
        } else {
            ++st.kept;
        }
    }
    return st;
}

namespace {
// Walks the stored maps in (meter, channel) order; each series is one chunk of at most `limit` values.
class memory_cursor final : public reading_cursor {
  public:
    memory_cursor(const std::map<std::string, meter_values, by_key>& data, series_query q)
        : data_(data), q_(std::move(q)) {
        std::sort(q_.meters.begin(), q_.meters.end());
        q_.meters.erase(std::unique(q_.meters.begin(), q_.meters.end()), q_.meters.end());
        if (q_.meters.empty())
            for (const auto& [serial, v] : data_) serials_.push_back(&serial);
        else
            for (const auto& m : q_.meters)
                if (auto it = data_.find(m); it != data_.end()) serials_.push_back(&it->first);
    }
    bool next(series_chunk& out) override {
        while (m_ < serials_.size()) {
            const auto& channels = data_.find(*serials_[m_])->second;
            auto c = channels.begin();
            std::advance(c, static_cast<std::ptrdiff_t>(c_));
            for (; c != channels.end(); ++c, ++c_) {
                const auto ch = channel::from_code(c->first);
                if (!ch || !wanted(*ch)) continue;
                out.meter = *serials_[m_];
                out.ch = *ch;
                out.time.clear(), out.value.clear(), out.source.clear(), out.accepted.clear();
                bool plain = true;
                for (auto r = c->second.lower_bound(q_.from); r != c->second.end() && r->first < q_.to; ++r) {
                    out.time.push_back(r->first);
                    out.value.push_back(r->second.value);
                    if (q_.provenance) {
                        out.source.push_back(static_cast<std::uint8_t>(r->second.source));
                        out.accepted.push_back(r->second.accepted);
                        plain = plain && r->second.source == reading_source::automatic &&
                                r->second.accepted == reading_table::missing_time;
                    }
                }
                if (plain) out.source.clear(), out.accepted.clear();
                if (out.time.empty()) continue;
                ++c_;
                return true;
            }
            ++m_, c_ = 0;
        }
        return false;
    }

  private:
    bool wanted(const channel& c) const {
        return q_.channels.empty() ||
               std::find(q_.channels.begin(), q_.channels.end(), c) != q_.channels.end();
    }
    const std::map<std::string, meter_values, by_key>& data_;
    series_query q_;
    std::vector<const std::string*> serials_;
    std::size_t m_ = 0, c_ = 0;
};
}  // namespace

std::unique_ptr<reading_cursor> memory_store::scan(const series_query& q) const {
    return std::make_unique<memory_cursor>(state_->readings, q);
}

std::vector<last_value> memory_store::last_values(std::string_view meter) const {
    std::vector<last_value> out;
    const auto it = state_->readings.find(meter);
    if (it == state_->readings.end()) return out;
    for (const auto& [code, s] : it->second)
        if (!s.empty())
            if (const auto ch = channel::from_code(code))
                out.push_back({*ch, s.rbegin()->first, s.rbegin()->second.value});
    return out;
}

std::size_t memory_store::reading_count(std::string_view meter) const {
    std::size_t n = 0;
    for (const auto& [k, channels] : state_->readings)
        if (meter.empty() || k == meter)
            for (const auto& [c, s] : channels) n += s.size();
    return n;
}

write_stats memory_store::store_events(std::span<const meter_event> events, on_conflict policy) {
    using key = std::tuple<std::string, std::int64_t, int>;
    auto key_of = [](const meter_event& e) { return key{e.meter, to_unix(e.time), e.code}; };
    if (policy == on_conflict::fail) {
        std::map<key, const meter_event*> in_batch;
        for (const auto& e : events) {
            const auto it = state_->events.find(key_of(e));
            const auto [first, fresh] = in_batch.try_emplace(key_of(e), &e);
            if ((it != state_->events.end() && !(it->second == e)) || (!fresh && !(*first->second == e)))
                throw storage_error(errc::storage_conflict, detail::records::event_conflict(e));
        }
    }
    write_stats st;
    for (const auto& e : events) {
        auto [it, inserted] = state_->events.try_emplace(key_of(e), e);
        if (inserted) {
            ++st.inserted;
        } else if (it->second == e) {
            ++st.unchanged;
        } else if (policy == on_conflict::replace) {
            it->second = e;
            ++st.replaced;
        } else {
            ++st.kept;
        }
    }
    return st;
}

std::vector<meter_event> memory_store::events(std::string_view meter, instant from, instant to) const {
    std::vector<meter_event> out;
    for (const auto& [k, e] : state_->events)
        if ((meter.empty() || e.meter == meter) && e.time >= from && e.time < to) out.push_back(e);
    return out;
}

write_stats memory_store::put_anomalies(std::span<const anomaly> found) {
    write_stats st;
    const instant at = now();
    for (const auto& a : found) {
        auto [it, fresh] = state_->anomalies.try_emplace(a.key, a);
        if (fresh) {
            it->second.status = anomaly_status::open;
            it->second.resolved_at.reset();
            it->second.resolved_by.clear();
            it->second.first_detected = it->second.last_detected = at;
            ++st.inserted;
            note_change(entity_kind::anomaly, a.key, change_op::detected, 1, organization_of(it->second));
            continue;
        }
        anomaly updated = a;
        updated.status = it->second.status;
        updated.resolved_at = it->second.resolved_at;
        updated.resolved_by = it->second.resolved_by;
        updated.first_detected = it->second.first_detected ? it->second.first_detected : at;
        updated.last_detected = it->second.last_detected;
        const bool same = updated == it->second;
        updated.last_detected = at;
        it->second = updated;
        if (same) {
            ++st.unchanged;
        } else {
            ++st.replaced;
            note_change(entity_kind::anomaly, a.key, change_op::detected, 1, organization_of(updated));
        }
    }
    return st;
}

std::vector<anomaly> memory_store::anomalies(std::optional<anomaly_status> status) const {
    std::vector<anomaly> out;
    for (const auto& [k, a] : state_->anomalies)
        if (!status || a.status == *status) out.push_back(a);
    std::stable_sort(out.begin(), out.end(), [](const anomaly& x, const anomaly& y) {
        return std::tie(x.meter, x.from, x.key) < std::tie(y.meter, y.from, y.key);
    });
    return out;
}

bool memory_store::resolve_anomaly(std::string_view key, instant at, std::string_view by,
                                   std::string_view note) {
    const auto it = state_->anomalies.find(key);
    if (it == state_->anomalies.end()) return false;
    it->second.status = anomaly_status::resolved;
    it->second.resolved_at = at;
    it->second.resolved_by = std::string(by);
    state_->anomaly_history.push_back(
        {std::string(key), anomaly_action_kind::resolved, at, std::string(by), std::string(note)});
    note_change(entity_kind::anomaly, std::string(key), change_op::resolved, 1, organization_of(it->second));
    return true;
}

// ---- meter state

namespace {
/// Upserts rows keyed by (meter, Unix seconds of `key`) with the events' conflict policy; atomic by itself
/// (conflicts are found before anything changes).
template <class T, class Key>
write_stats upsert_keyed(std::map<std::string, std::map<std::int64_t, T>, by_key>& data,
                         std::span<const T> rows, on_conflict policy, Key key, const char* what) {
    if (policy == on_conflict::fail) {
        std::map<std::pair<std::string, std::int64_t>, const T*> in_batch;
        for (const auto& r : rows) {
            const auto k = to_unix(key(r));
            const auto [first, fresh] = in_batch.try_emplace({r.meter, k}, &r);
            bool conflict = !fresh && !(*first->second == r);
            if (const auto m = data.find(r.meter); m != data.end())
                if (const auto it = m->second.find(k); it != m->second.end() && !(it->second == r))
                    conflict = true;
            if (conflict)
                throw storage_error(errc::storage_conflict, detail::records::state_conflict(what, r));
        }
    }
    write_stats st;
    for (const auto& r : rows) {
        auto [it, inserted] = data[r.meter].try_emplace(to_unix(key(r)), r);
        if (inserted) {
            ++st.inserted;
        } else if (it->second == r) {
            ++st.unchanged;
        } else if (policy == on_conflict::replace) {
            it->second = r;
            ++st.replaced;
        } else {
            ++st.kept;
        }
    }
    return st;
}
}  // namespace

write_stats memory_store::store_relay_changes(std::span<const relay_change> changes, on_conflict policy) {
    return upsert_keyed(
        state_->relay, changes, policy, [](const relay_change& r) { return r.time; }, "relay change");
}

write_stats memory_store::store_sessions(std::span<const comm_session> sessions, on_conflict policy) {
    const auto st = upsert_keyed(
        state_->sessions, sessions, policy, [](const comm_session& r) { return r.start; }, "session");
    // the summaries of the meters written (a replaced session may change which one reached the meter last)
    for (const auto& w : sessions) {
        const auto& all = state_->sessions[w.meter];
        link_summary l{w.meter, {}, {}};
        if (!all.empty()) l.last = all.rbegin()->second;
        for (auto it = all.rbegin(); it != all.rend(); ++it)
            if (reached(it->second.result)) {
                l.last_ok = it->second;
                break;
            }
        state_->links[w.meter] = std::move(l);
    }
    return st;
}

std::vector<relay_change> memory_store::relay_history(std::string_view meter, instant from,
                                                      instant to) const {
    std::vector<relay_change> out;
    for (const auto& [serial, rows] : state_->relay)
        if (meter.empty() || serial == meter)
            for (auto it = rows.lower_bound(to_unix(from)); it != rows.end() && it->first < to_unix(to); ++it)
                out.push_back(it->second);
    return out;
}

std::vector<relay_change> memory_store::relay_at(instant at, std::string_view meter) const {
    std::vector<relay_change> out;
    for (const auto& [serial, rows] : state_->relay) {
        if (!meter.empty() && serial != meter) continue;
        auto it = rows.upper_bound(to_unix(at));
        if (it != rows.begin()) out.push_back(std::prev(it)->second);
    }
    return out;
}

std::vector<comm_session> memory_store::sessions(std::string_view meter, instant from, instant to) const {
    std::vector<comm_session> out;
    for (const auto& [serial, rows] : state_->sessions)
        if (meter.empty() || serial == meter)
            for (auto it = rows.lower_bound(to_unix(from)); it != rows.end() && it->first < to_unix(to); ++it)
                out.push_back(it->second);
    return out;
}

std::vector<link_summary> memory_store::link_summaries(std::string_view meter) const {
    std::vector<link_summary> out;
    for (const auto& [serial, l] : state_->links)
        if (meter.empty() || serial == meter) out.push_back(l);
    return out;
}

// ---- queries

bool memory_store::reopen_anomaly(std::string_view key, instant at, std::string_view by,
                                  std::string_view note) {
    const auto it = state_->anomalies.find(key);
    if (it == state_->anomalies.end()) return false;
    it->second.status = anomaly_status::open;
    it->second.resolved_at.reset();
    it->second.resolved_by.clear();
    state_->anomaly_history.push_back(
        {std::string(key), anomaly_action_kind::reopened, at, std::string(by), std::string(note)});
    note_change(entity_kind::anomaly, std::string(key), change_op::reopened, 1, organization_of(it->second));
    return true;
}

std::vector<anomaly_action> memory_store::anomaly_history(std::string_view key) const {
    std::vector<anomaly_action> out;
    for (const auto& h : state_->anomaly_history)
        if (h.anomaly == key) out.push_back(h);
    return out;
}

std::vector<change> memory_store::changes(const change_query& q) const {
    std::vector<change> out;
    for (const auto& c : state_->changes) {
        if (out.size() >= q.limit) break;
        if (c.seq <= q.after || c.at < q.since) continue;
        if (!q.organization.empty() && c.organization != q.organization) continue;
        out.push_back(c);
    }
    return out;
}

void memory_store::append_change(const change& c) {
    auto& log = state_->changes;
    log.push_back(c);
    log.back().seq = log.size() == 1 ? 1 : log[log.size() - 2].seq + 1;
}

namespace {
/// The organisation of an account in the state, or nothing.
template <class State>
const std::string* org_of_account(const State& st, std::string_view number) {
    const auto a = st.accounts.find(number);
    if (a == st.accounts.end()) return nullptr;
    const auto ab = st.abonents.find(a->second.abonent);
    return ab == st.abonents.end() ? nullptr : &ab->second.organization;
}
template <class State>
const std::string* org_of_point(const State& st, std::string_view code) {
    const auto p = st.points.find(code);
    return p == st.points.end() ? nullptr : org_of_account(st, p->second.account);
}
bool in(const std::string* org, std::string_view want) {
    return want.empty() || (org && *org == want);
}
}  // namespace

void memory_store::list_in(std::string_view org, std::vector<abonent>& out) const {
    for (const auto& [k, a] : state_->abonents)
        if (in(&a.organization, org)) out.push_back(a);
}
void memory_store::list_in(std::string_view org, std::vector<account>& out) const {
    for (const auto& [k, a] : state_->accounts)
        if (in(org.empty() ? nullptr : org_of_account(*state_, k), org)) out.push_back(a);
}
void memory_store::list_in(std::string_view org, std::vector<metering_point>& out) const {
    for (const auto& [k, p] : state_->points)
        if (in(org.empty() ? nullptr : org_of_point(*state_, k), org)) out.push_back(p);
}
void memory_store::list_in(std::string_view org, std::vector<meter>& out) const {
    for (const auto& [k, m] : state_->meters)
        if (in(org.empty() ? nullptr : org_of_point(*state_, m.point), org)) out.push_back(m);
}

void memory_store::erase_entity(entity_kind kind, std::string_view key) {
    auto drop = [&](auto& m) {
        if (const auto it = m.find(key); it != m.end()) m.erase(it);
    };
    switch (kind) {
        case entity_kind::organization:
            return drop(state_->organizations);
        case entity_kind::abonent:
            return drop(state_->abonents);
        case entity_kind::account:
            return drop(state_->accounts);
        case entity_kind::metering_point:
            return drop(state_->points);
        case entity_kind::meter_model:
            return drop(state_->models);
        case entity_kind::meter:
            drop(state_->readings);
            // ---- meter state
            drop(state_->relay);
            drop(state_->sessions);
            drop(state_->links);
            return drop(state_->meters);
        case entity_kind::anomaly:
            return drop(state_->anomalies);
    }
}

// ---- entry
void memory_store::store_entry(const entry_record& e) {
    state_->entry_log.push_back(e);
}

std::vector<entry_record> memory_store::entries(std::string_view meter, instant from, instant to) const {
    std::vector<entry_record> out;
    for (const auto& e : state_->entry_log)
        if ((meter.empty() || e.entered.meter == meter) && e.entered.time >= from && e.entered.time < to)
            out.push_back(e);
    std::stable_sort(out.begin(), out.end(), [](const entry_record& x, const entry_record& y) {
        return std::tie(x.entered.meter, x.entered.time) < std::tie(y.entered.meter, y.entered.time);
    });
    return out;
}

void memory_store::begin() {
    snapshots_.push_back(std::make_unique<state>(*state_));
}

void memory_store::commit() {
    if (snapshots_.empty()) throw storage_error(errc::storage, "commit without a transaction");
    snapshots_.pop_back();
}

void memory_store::rollback() noexcept {
    if (snapshots_.empty()) return;
    state_ = std::move(snapshots_.back());
    snapshots_.pop_back();
}

// ---- tariffs

namespace {
template <class Map>
bool erase_from(Map& m, std::string_view key) {
    const auto it = m.find(key);
    if (it == m.end()) return false;
    m.erase(it);
    return true;
}
}  // namespace

bool memory_store::load(std::string_view k, tariff_schedule& o) const {
    return load_from(state_->schedules, k, o);
}
bool memory_store::load(std::string_view k, tariff_assignment& o) const {
    return load_from(state_->assignments, k, o);
}
bool memory_store::load(std::string_view k, tariff_rate& o) const {
    return load_from(state_->rates, k, o);
}
bool memory_store::load(std::string_view k, normative& o) const {
    return load_from(state_->normatives, k, o);
}
void memory_store::list(std::vector<tariff_schedule>& o) const {
    list_from(state_->schedules, o);
}
void memory_store::list(std::vector<tariff_assignment>& o) const {
    list_from(state_->assignments, o);
}
void memory_store::list(std::vector<tariff_rate>& o) const {
    list_from(state_->rates, o);
}
void memory_store::list(std::vector<normative>& o) const {
    list_from(state_->normatives, o);
}
void memory_store::store_entity(const tariff_schedule& s) {
    state_->schedules[s.id] = s;
}
void memory_store::store_entity(const tariff_assignment& a) {
    state_->assignments[key_of(a)] = a;
}
void memory_store::store_entity(const tariff_rate& r) {
    state_->rates[key_of(r)] = r;
}
void memory_store::store_entity(const normative& n) {
    state_->normatives[key_of(n)] = n;
}
bool memory_store::erase_schedule(std::string_view id) {
    return erase_from(state_->schedules, id);
}
bool memory_store::erase_assignment(std::string_view key) {
    return erase_from(state_->assignments, key);
}
bool memory_store::erase_rate(std::string_view key) {
    return erase_from(state_->rates, key);
}
bool memory_store::erase_normative(std::string_view key) {
    return erase_from(state_->normatives, key);
}

}  // namespace v0
}  // namespace kvant
