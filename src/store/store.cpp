#include "kvant/store/store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "kvant/core/text.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/tariff_json.hpp"

namespace kvant {
inline namespace v0 {

namespace {
template <class T>
void refuse_invalid(const issues& found, const char* entity, const std::string& key) {
    std::string msg;
    for (const auto& i : found)
        if (i.level == severity::error) msg += (msg.empty() ? "" : "; ") + i.to_string();
    if (!msg.empty())
        throw validation_error(errc::validation,
                               std::string(entity) + " " + excerpt(key) + " is invalid: " + msg);
}

/// Refuses text the store could not give back as written (core/text.hpp): invalid UTF-8 or a control
/// character in any text field of `j`. The import checks text first with file and line; this is the last
/// line for API callers, so that a store never alters text silently (its reads repair only what older
/// releases stored).
void refuse_invalid_text(const nlohmann::json& j, const std::string& what, const std::string& field = {}) {
    if (j.is_string()) {
        const auto& t = j.get_ref<const std::string&>();
        if (const auto bad = check_text(t))
            throw validation_error(errc::invalid_text, what + ": " + bad->reason + " in " + excerpt(t),
                                   location{"", 0, field, static_cast<std::int64_t>(bad->offset)});
    } else if (j.is_object()) {
        for (const auto& [k, v] : j.items())
            refuse_invalid_text(v, what, field.empty() ? k : field + "." + k);
    } else if (j.is_array()) {
        for (const auto& v : j) refuse_invalid_text(v, what, field);
    }
}
template <class T>
void refuse_invalid_text(const T& e, const char* entity, const std::string& key) {
    refuse_invalid_text(nlohmann::json(e), std::string(entity) + " " + excerpt(key));
}

/// A transaction when the backend needs one for a single write to be atomic.
class implicit_transaction {
  public:
    implicit_transaction(store& s, bool needed) : s_(needed ? &s : nullptr) {
        if (s_) s_->begin();
    }
    implicit_transaction(const implicit_transaction&) = delete;
    implicit_transaction& operator=(const implicit_transaction&) = delete;
    ~implicit_transaction() {
        if (s_) s_->rollback();
    }
    void commit() {
        if (s_) s_->commit();
        s_ = nullptr;
    }

  private:
    store* s_;
};

[[noreturn]] void unknown(const char* entity, const std::string& key, const char* field, const char* target,
                          const std::string& ref) {
    throw validation_error(errc::unknown_reference,
                           std::string(entity) + " " + key + ": unknown " + target + " '" + ref + "'",
                           location{"", 0, field, -1});
}
}  // namespace

void store::put(const organization& o) {
    refuse_invalid_text(o, "organization", o.id);
    refuse_invalid<organization>(validate(o, policy_), "organization", o.id);
    if (const auto old = find<organization>(o.id); old && *old == o) return;
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(o);
    note_change(entity_kind::organization, o.id, change_op::put, 1, o.id);
    t.commit();
}

void store::put(const abonent& a) {
    refuse_invalid_text(a, "abonent", a.id);
    refuse_invalid<abonent>(validate(a), "abonent", a.id);
    if (!find<organization>(a.organization))
        unknown("abonent", a.id, "organization", "organization", a.organization);
    if (const auto old = find<abonent>(a.id); old && *old == a) return;
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(a);
    note_change(entity_kind::abonent, a.id, change_op::put, 1, a.organization);
    t.commit();
}

void store::put(const account& a) {
    refuse_invalid_text(a, "account", a.number);
    refuse_invalid<account>(validate(a), "account", a.number);
    const auto owner = find<abonent>(a.abonent);
    if (!owner) unknown("account", a.number, "abonent", "abonent", a.abonent);
    if (const auto old = find<account>(a.number); old && *old == a) return;
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(a);
    note_change(entity_kind::account, a.number, change_op::put, 1, owner->organization);
    t.commit();
}

void store::put(const metering_point& p) {
    refuse_invalid_text(p, "metering_point", p.code);
    refuse_invalid<metering_point>(validate(p), "metering_point", p.code);
    if (!find<account>(p.account)) unknown("metering_point", p.code, "account", "account", p.account);
    if (const auto old = find<metering_point>(p.code); old && *old == p) return;
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(p);
    note_change(entity_kind::metering_point, p.code, change_op::put, 1,
                organization_of(entity_kind::account, p.account));
    t.commit();
}

void store::put(const meter_model& m) {
    refuse_invalid_text(m, "meter_model", m.id);
    refuse_invalid<meter_model>(validate(m), "meter_model", m.id);
    if (const auto old = find<meter_model>(m.id); old && *old == m) return;
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(m);
    note_change(entity_kind::meter_model, m.id, change_op::put, 1, {});
    t.commit();
}

void store::put(const meter& m) {
    refuse_invalid_text(m, "meter", m.serial);
    std::optional<meter_model> model;
    if (!m.model.empty()) {
        model = find<meter_model>(m.model);
        if (!model) unknown("meter", m.serial, "model", "meter model", m.model);
    }
    refuse_invalid<meter>(validate(m, model ? &*model : nullptr, policy_), "meter", m.serial);
    if (!m.point.empty() && !find<metering_point>(m.point))
        unknown("meter", m.serial, "point", "metering point", m.point);
    if (const auto old = find<meter>(m.serial); old && *old == m) return;
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(m);
    note_change(entity_kind::meter, m.serial, change_op::put, 1,
                m.point.empty() ? std::string{} : organization_of(entity_kind::metering_point, m.point));
    t.commit();
}

write_stats store::put_readings(const reading_table& batch, on_conflict policy) {
    if (const auto bad = first_implausible(batch))
        throw validation_error(
            errc::out_of_range,
            "row " + std::to_string(bad->row + 1) + " (" + bad->what.key + "): " + bad->what.message,
            location{"", 0, bad->what.field, -1});
    for (const auto& serial : batch.meters())
        if (!has_meter(serial))
            throw validation_error(errc::unknown_reference, "unknown meter " + excerpt(serial),
                                   location{"", 0, "meter", -1});
    implicit_transaction t(*this, needs_implicit_transactions());
    const auto stats = store_readings(batch, policy);
    if (stats.inserted + stats.replaced > 0) {
        std::vector<std::size_t> per_meter(batch.meters().size(), 0);
        for (const auto m : batch.meter_index()) ++per_meter[m];
        for (std::size_t m = 0; m < per_meter.size(); ++m)
            if (per_meter[m])
                note_change(entity_kind::meter, batch.meters()[m], change_op::readings, per_meter[m],
                            organization_of(entity_kind::meter, batch.meters()[m]));
    }
    t.commit();
    return stats;
}

// ---- entry
void store::log_entry(const entry_record& e) {
    if (e.entered.meter.empty() || !has_meter(e.entered.meter))
        throw validation_error(errc::unknown_reference,
                               "entry log: unknown meter " + excerpt(e.entered.meter),
                               location{"", 0, "meter", -1});
    if (e.entered_by.empty())
        throw validation_error(
            errc::missing_field,
            "entry log of meter " + excerpt(e.entered.meter) + ": who entered the reading is required",
            location{"", 0, "entered_by", -1});
    if (const auto bad = check_text(e.entered_by))
        throw validation_error(errc::invalid_text,
                               "entry log of meter " + excerpt(e.entered.meter) + ": " + bad->reason,
                               location{"", 0, "entered_by", static_cast<std::int64_t>(bad->offset)});
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entry(e);
    t.commit();
}

void store::enter_reading(const entry_record& e) {
    transaction tx(*this);
    if (e.outcome != entry_outcome::refused) {
        reading r = e.entered;
        r.source = reading_source::manual;
        reading_table batch;
        batch.push(r);
        put_readings(batch, on_conflict::fail);
    }
    log_entry(e);
    tx.commit();
}

write_stats store::put_events(std::span<const meter_event> events, on_conflict policy) {
    std::set<std::string, std::less<>> checked;
    for (const auto& e : events) {
        for (const auto* t : {&e.meter, &e.message})
            if (const auto bad = check_text(*t))
                throw validation_error(
                    errc::invalid_text,
                    "event " + std::to_string(e.code) + " of meter " + excerpt(e.meter) + ": " + bad->reason,
                    location{"", 0, t == &e.meter ? "meter" : "message",
                             static_cast<std::int64_t>(bad->offset)});
        // the plausible ranges of an import (time, code, journal), so that no API caller stores what a read
        // could not give back
        for (const auto& i : validate(e))
            if (i.level == severity::error)
                throw validation_error(
                    errc::out_of_range,
                    "event " + std::to_string(e.code) + " of meter " + excerpt(e.meter) + ": " + i.message,
                    location{"", 0, i.field, -1});
        if (checked.count(e.meter)) continue;
        if (!has_meter(e.meter))
            throw validation_error(errc::unknown_reference, "unknown meter " + excerpt(e.meter),
                                   location{"", 0, "meter", -1});
        checked.insert(e.meter);
    }
    implicit_transaction t(*this, needs_implicit_transactions());
    const auto stats = store_events(events, policy);
    if (stats.inserted + stats.replaced > 0) {
        std::map<std::string, std::size_t, std::less<>> per_meter;
        for (const auto& e : events) ++per_meter[e.meter];
        for (const auto& [serial, n] : per_meter)
            note_change(entity_kind::meter, serial, change_op::events, n,
                        organization_of(entity_kind::meter, serial));
    }
    t.commit();
    return stats;
}

// ---- meter state

namespace {
/// Refuses a batch of relay changes or sessions with an error-level issue or an unknown meter.
template <class T>
void check_state_rows(const store& s, std::span<const T> rows, const char* what,
                      bool (*known)(const store&, std::string_view)) {
    std::set<std::string, std::less<>> checked;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (const auto& is : validate(rows[i]))
            if (is.level == severity::error)
                throw validation_error(
                    is.message.find(" is outside ") != std::string::npos ? errc::out_of_range
                                                                         : errc::validation,
                    std::string(what) + " " + std::to_string(i + 1) + " (" + is.key + "): " + is.message,
                    location{"", 0, is.field, -1});
        if (checked.count(rows[i].meter)) continue;
        if (!known(s, rows[i].meter))
            throw validation_error(
                errc::unknown_reference,
                std::string(what) + " " + std::to_string(i + 1) + ": unknown meter " + excerpt(rows[i].meter),
                location{"", 0, "meter", -1});
        checked.insert(rows[i].meter);
    }
}
}  // namespace

write_stats store::put_relay_changes(std::span<const relay_change> changes, on_conflict policy) {
    check_state_rows(*this, changes, "relay change",
                     [](const store& s, std::string_view m) { return s.has_meter(m); });
    implicit_transaction t(*this, needs_implicit_transactions());
    const auto stats = store_relay_changes(changes, policy);
    t.commit();
    return stats;
}

write_stats store::put_sessions(std::span<const comm_session> sessions, on_conflict policy) {
    check_state_rows(*this, sessions, "session",
                     [](const store& s, std::string_view m) { return s.has_meter(m); });
    implicit_transaction t(*this, needs_implicit_transactions());
    const auto stats = store_sessions(sessions, policy);
    t.commit();
    return stats;
}

fleet load_fleet(const store& s) {
    return fleet(s.all<organization>(), s.all<abonent>(), s.all<account>(), s.all<metering_point>(),
                 s.all<meter_model>(), s.all<meter>());
}

// ---- tariffs

namespace {
/// A key of key_of() for messages: its parts joined by '/'.
std::string shown_key(std::string k) {
    for (auto& c : k)
        if (c == '\x1f') c = '/';
    return k;
}
}  // namespace

void store::put(const tariff_schedule& s) {
    refuse_invalid_text(s, "tariff_schedule", s.id);
    if (s.id.empty())
        throw validation_error(errc::missing_field, "tariff_schedule: id is empty",
                               location{"", 0, "id", -1});
    const auto problems = check(s);
    if (!problems.empty()) {
        std::string msg;
        for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
        throw validation_error(errc::validation, "tariff_schedule " + excerpt(s.id) + " is invalid: " + msg);
    }
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(s);
    t.commit();
}

namespace {
/// Whether the target of a scope exists: an organisation, a building some account names, a meter.
template <class Store>
void check_target(const Store& st, const char* entity, const std::string& key, tariff_scope scope,
                  const std::string& target, bool meter_known) {
    bool known = false;
    switch (scope) {
        case tariff_scope::organization:
            known = st.template find<organization>(target).has_value();
            break;
        case tariff_scope::building:
            for (const auto& a : st.template all<account>())
                if (a.building == target) known = true;
            break;
        case tariff_scope::meter:
            known = meter_known;
            break;
    }
    if (!known)
        unknown(entity, key, "target",
                scope == tariff_scope::building ? "building (no account is in it)"
                : scope == tariff_scope::meter  ? "meter"
                                                : "organization",
                target);
}
/// Refuses a version whose key is stored with other values; true when it is stored with these (nothing to
/// write).
template <class T>
bool stored_already(const std::optional<T>& old, const T& now, const char* entity, const std::string& key) {
    if (!old) return false;
    if (*old == now) return true;
    throw validation_error(errc::duplicate,
                           std::string(entity) + " " + key + " is stored already with other values (stored " +
                               nlohmann::json(*old).dump() + ", given " + nlohmann::json(now).dump() +
                               "); remove that version first to correct it");
}
}  // namespace

void store::put(const tariff_assignment& a) {
    const std::string key = shown_key(key_of(a));
    refuse_invalid_text(a, "tariff_assignment", key);
    refuse_invalid<tariff_assignment>(validate(a), "tariff_assignment", key);
    if (!find<tariff_schedule>(a.schedule))
        unknown("tariff_assignment", key, "schedule", "tariff schedule", a.schedule);
    check_target(*this, "tariff_assignment", key, a.scope, a.target,
                 a.scope == tariff_scope::meter && has_meter(a.target));
    if (stored_already(find<tariff_assignment>(key_of(a)), a, "tariff_assignment", key)) return;
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(a);
    t.commit();
}

void store::put(const tariff_rate& r) {
    const std::string key = shown_key(key_of(r));
    refuse_invalid_text(r, "tariff_rate", key);
    refuse_invalid<tariff_rate>(validate(r), "tariff_rate", key);
    const auto sched = find<tariff_schedule>(r.schedule);
    if (!sched) unknown("tariff_rate", key, "schedule", "tariff schedule", r.schedule);
    const bool zone_known =
        r.zone == "total" ||
        std::find(sched->zones.begin(), sched->zones.end(), r.zone) != sched->zones.end() ||
        std::any_of(sched->groups.begin(), sched->groups.end(),
                    [&](const zone_group& g) { return g.name == r.zone; });
    if (!zone_known)
        unknown("tariff_rate", key, "zone", ("zone of schedule " + excerpt(r.schedule)).c_str(), r.zone);
    check_target(*this, "tariff_rate", key, r.scope, r.target,
                 r.scope == tariff_scope::meter && has_meter(r.target));
    if (stored_already(find<tariff_rate>(key_of(r)), r, "tariff_rate", key)) return;
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(r);
    t.commit();
}

void store::put(const normative& n) {
    const std::string key = shown_key(key_of(n));
    refuse_invalid_text(n, "normative", key);
    refuse_invalid<normative>(validate(n), "normative", key);
    if (!find<organization>(n.organization))
        unknown("normative", key, "organization", "organization", n.organization);
    if (stored_already(find<normative>(key_of(n)), n, "normative", key)) return;
    implicit_transaction t(*this, needs_implicit_transactions());
    store_entity(n);
    t.commit();
}

bool store::remove_schedule(std::string_view id) {
    for (const auto& a : all<tariff_assignment>())
        if (a.schedule == id)
            throw validation_error(errc::validation, "tariff_schedule " + excerpt(id) +
                                                         " is assigned (tariff_assignment " +
                                                         shown_key(key_of(a)) + "): remove that first");
    for (const auto& r : all<tariff_rate>())
        if (r.schedule == id)
            throw validation_error(errc::validation, "tariff_schedule " + excerpt(id) +
                                                         " is priced (tariff_rate " + shown_key(key_of(r)) +
                                                         "): remove that first");
    implicit_transaction t(*this, needs_implicit_transactions());
    const bool done = erase_schedule(id);
    t.commit();
    return done;
}

bool store::remove(const tariff_assignment& a) {
    implicit_transaction t(*this, needs_implicit_transactions());
    const bool done = erase_assignment(key_of(a));
    t.commit();
    return done;
}
bool store::remove(const tariff_rate& r) {
    implicit_transaction t(*this, needs_implicit_transactions());
    const bool done = erase_rate(key_of(r));
    t.commit();
    return done;
}
bool store::remove(const normative& n) {
    implicit_transaction t(*this, needs_implicit_transactions());
    const bool done = erase_normative(key_of(n));
    t.commit();
    return done;
}

tariff_book load_tariffs(const store& s) {
    return {s.all<tariff_schedule>(), s.all<tariff_assignment>(), s.all<tariff_rate>(), s.all<normative>()};
}

std::string store::conflict_message(const reading_table& batch, std::size_t row, std::int64_t stored) {
    return "reading of meter " + batch.meter_of(row) + " at " + to_string(from_unix(batch.times()[row])) +
           " is stored already with another value (" + to_string(batch.channel_of(row)) + " stored " +
           to_string(decimal::from_raw(stored)) + ", new " +
           to_string(decimal::from_raw(batch.values()[row])) +
           "); choose on_conflict keep or replace to accept it";
}

reading_table store::readings(std::string_view meter, instant from, instant to) const {
    series_query q;
    q.meters = {std::string(meter)};
    q.from = to_unix(from);
    q.to = to_unix(to);
    reading_table out;
    const auto m = out.meter_slot(meter);
    series_chunk c;
    for (auto cur = scan(q); cur->next(c);) {
        const auto ch = out.channel_slot(c.ch);
        for (std::size_t i = 0; i < c.size(); ++i)
            out.push(m, ch, c.time[i], c.value[i],
                     c.source.empty() ? reading_source::automatic : static_cast<reading_source>(c.source[i]),
                     c.accepted.empty() ? reading_table::missing_time : c.accepted[i]);
    }
    return out;
}

std::optional<reading> store::last_reading(std::string_view meter, std::optional<instant> at) const {
    std::optional<std::int64_t> when;
    if (!at) {
        for (const auto& l : last_values(meter))
            if (!when || l.time > *when) when = l.time;
    } else {
        // the latest time at or before `at` over the channels: read back from `at` in growing windows
        const std::int64_t end = to_unix(*at) + 1;
        for (std::int64_t span = 86400 * 31; !when; span *= 4) {
            series_query q;
            q.meters = {std::string(meter)};
            q.from = span > (std::int64_t{1} << 40) ? std::numeric_limits<std::int64_t>::min() : end - span;
            q.to = end;
            q.provenance = false;
            series_chunk c;
            for (auto cur = scan(q); cur->next(c);)
                if (!c.time.empty() && (!when || c.time.back() > *when)) when = c.time.back();
            if (q.from == std::numeric_limits<std::int64_t>::min()) break;
        }
    }
    if (!when) return std::nullopt;
    const auto t = readings(meter, from_unix(*when), from_unix(*when + 1));
    if (t.empty()) return std::nullopt;
    auto rs = t.to_readings();
    return std::move(rs.front());
}

}  // namespace v0
}  // namespace kvant
