#include "kvant/model/validation.hpp"

#include <limits>

#include "kvant/core/identifiers.hpp"
#include "kvant/core/text.hpp"
#include "kvant/model/device_address.hpp"

namespace kvant {
inline namespace v0 {

namespace {

std::string d2s(calendar_date d) {
    return to_string(d);
}

class collector {
  public:
    collector(std::string entity, std::string_view key, validation_policy policy = validation_policy::lenient)
        : policy_(policy),
          entity_(std::move(entity)),
          key_(check_text(key, excerpt_bytes) ? excerpt(key) : std::string(key)) {}
    void error(std::string field, std::string message) {
        add(severity::error, std::move(field), std::move(message));
    }
    void warning(std::string field, std::string message) {
        add(severity::warning, std::move(field), std::move(message));
    }
    void check(std::string field, const std::optional<std::string>& problem) {
        if (problem) error(std::move(field), *problem);
    }
    /// A rule real data is known to break: a warning under the lenient policy, an error under the strict.
    void imperfect(std::string field, std::string message) {
        add(policy_ == validation_policy::strict ? severity::error : severity::warning, std::move(field),
            std::move(message));
    }
    void imperfect(std::string field, const std::optional<std::string>& problem) {
        if (problem) imperfect(std::move(field), *problem);
    }
    validation_policy policy() const noexcept { return policy_; }
    void required(std::string field, const std::string& value) {
        if (value.empty()) error(std::move(field), "is required");
    }
    /// Every text field: valid UTF-8, no control character, bounded (core/text.hpp).
    void text(std::string field, std::string_view value) {
        if (auto p = check_text(value))
            error(std::move(field),
                  "byte " + std::to_string(p->offset) + ": " + p->reason + " in " + excerpt(value));
    }
    /// A plausibility range [lo, hi] of a decimal (both ends included).
    void range(std::string field, const std::optional<decimal>& v, decimal lo, decimal hi, const char* unit,
               bool lo_open = false) {
        if (!v) return;
        if ((lo_open ? *v <= lo : *v < lo) || *v > hi)
            error(std::move(field), to_string(*v) + unit + " is outside " + (lo_open ? "(" : "[") +
                                        to_string(lo) + ", " + to_string(hi) + "]");
    }
    /// A plausibility range [lo, hi] of an integer.
    void range(std::string field, const std::optional<int>& v, int lo, int hi, const char* what) {
        if (v && (*v < lo || *v > hi))
            error(std::move(field), std::to_string(*v) + what + " is outside " + std::to_string(lo) + ".." +
                                        std::to_string(hi));
    }
    /// A civil date within the plausible range.
    void date_range(std::string field, const std::optional<calendar_date>& d) {
        if (d && (*d < plausible_first_date || *d > plausible_last_date))
            error(std::move(field),
                  d2s(*d) + " is outside " + d2s(plausible_first_date) + ".." + d2s(plausible_last_date));
    }
    /// An instant within the plausible range.
    void instant_range(std::string field, const std::optional<instant>& t) {
        if (t && (to_unix(*t) < plausible_first_unix || to_unix(*t) >= plausible_end_unix))
            error(std::move(field), to_string(*t) + " is outside 1970..2099");
    }
    issues take() { return std::move(out_); }

  private:
    void add(severity s, std::string field, std::string message) {
        out_.push_back({s, entity_, key_, std::move(field), std::move(message)});
    }
    validation_policy policy_;
    std::string entity_, key_;
    issues out_;
};

/// `later_field` holds the `later_what` date, which should not precede `earlier_what`.
void check_date_order(collector& c, const char* later_field, const char* later_what,
                      const std::optional<calendar_date>& later, const char* earlier_what,
                      const std::optional<calendar_date>& earlier, severity level) {
    if (!later || !earlier || *later >= *earlier) return;
    std::string msg = std::string(later_what) + " date " + d2s(*later) + " is before the " + earlier_what +
                      " date " + d2s(*earlier);
    if (level == severity::error)
        c.error(later_field, msg);
    else
        c.warning(later_field, msg);
}

}  // namespace

std::string issue::to_string() const {
    return std::string(kvant::to_string(level)) + ": " + entity + " " + key +
           (field.empty() ? "" : ": field '" + field + "'") + ": " + message;
}

bool has_errors(const issues& list) noexcept {
    for (const auto& i : list)
        if (i.level == severity::error) return true;
    return false;
}

issues validate(const organization& o, validation_policy policy) {
    collector c("organization", o.id, policy);
    c.required("id", o.id);
    c.required("name", o.name);
    c.text("id", o.id);
    c.text("name", o.name);
    c.text("inn", o.inn);
    c.text("kpp", o.kpp);
    c.text("ogrn", o.ogrn);
    c.text("legal_address", o.legal_address);
    c.text("actual_address", o.actual_address);
    // a malformed identifier is an error; a wrong check digit, which real registers hold (the seed's own
    // ИНН 722406645712 and ОГРН 1234567891234), follows the policy
    if (!o.inn.empty()) {
        c.check("inn", check_inn_form(o.inn));
        if (!check_inn_form(o.inn)) c.imperfect("inn", check_inn_digits(o.inn));
    }
    if (!o.kpp.empty()) c.check("kpp", check_kpp(o.kpp));
    if (!o.ogrn.empty()) {
        c.check("ogrn", check_ogrn_form(o.ogrn));
        if (!check_ogrn_form(o.ogrn)) c.imperfect("ogrn", check_ogrn_digits(o.ogrn));
    }
    if (!o.inn.empty() && !o.ogrn.empty() && !check_inn_form(o.inn) && !check_ogrn_form(o.ogrn)) {
        // a 10-digit INN belongs to a legal entity (13-digit OGRN), a 12-digit one to a sole trader (OGRNIP)
        if ((o.inn.size() == 10) != (o.ogrn.size() == 13))
            c.imperfect("ogrn", "a " + std::to_string(o.inn.size()) + "-digit INN goes with a " +
                                    (o.inn.size() == 10 ? "13-digit OGRN" : "15-digit OGRNIP") + ", not " +
                                    std::to_string(o.ogrn.size()) + " digits");
    }
    if (o.billing_start_day < 1 || o.billing_start_day > 31)
        c.error("billing_start_day",
                std::to_string(o.billing_start_day) + " is not a day of the month (1..31)");
    return c.take();
}

issues validate(const abonent& a) {
    collector c("abonent", a.id);
    c.required("id", a.id);
    c.required("organization", a.organization);
    c.required("name", a.name);
    c.text("id", a.id);
    c.text("organization", a.organization);
    c.text("name", a.name);
    c.text("phone", a.phone);
    c.text("email", a.email);
    c.instant_range("registered", a.registered);
    return c.take();
}

issues validate(const account& a) {
    collector c("account", a.number);
    c.check("number", check_account_number(a.number));
    c.required("abonent", a.abonent);
    c.text("abonent", a.abonent);
    c.text("address", a.address);
    c.text("building", a.building);
    c.text("apartment", a.apartment);
    c.range("area", a.area, decimal{}, decimal::from_integer(1'000'000), " m²", true);
    c.date_range("contract_start", a.contract_start);
    c.date_range("contract_end", a.contract_end);
    if (a.residents && (*a.residents < 0 || *a.residents > 999))
        c.error("residents", std::to_string(*a.residents) + " is outside 0..999");
    check_date_order(c, "contract_end", "contract end", a.contract_end, "contract start", a.contract_start,
                     severity::error);
    return c.take();
}

issues validate(const metering_point& p) {
    collector c("metering_point", p.code);
    c.required("code", p.code);
    c.required("account", p.account);
    c.text("code", p.code);
    c.text("account", p.account);
    c.text("name", p.name);
    c.text("place", p.place);
    c.text("place_type", p.place_type);
    c.text("amenities", p.amenities);
    return c.take();
}

issues validate(const meter_model& m) {
    collector c("meter_model", m.id);
    c.required("id", m.id);
    c.required("name", m.name);
    c.text("id", m.id);
    c.text("name", m.name);
    c.text("execution", m.execution);
    c.text("manufacturer", m.manufacturer);
    c.text("registry_number", m.registry_number);
    c.text("accuracy_class", m.accuracy_class);
    c.range("nominal_voltage", m.nominal_voltage, decimal{}, decimal::from_integer(1'000'000), " V", true);
    c.range("nominal_current", m.nominal_current, decimal{}, decimal::from_integer(100'000), " A", true);
    c.range("max_current", m.max_current, decimal{}, decimal::from_integer(100'000), " A", true);
    c.range("meter_constant", m.meter_constant, 1, 10'000'000, " imp/kWh");
    if (m.verification_interval_years < 0 || m.verification_interval_years > 50)
        c.error("verification_interval_years",
                std::to_string(m.verification_interval_years) + " years is not a plausible interval (0..50)");
    if (m.service_life_years && (*m.service_life_years < 1 || *m.service_life_years > 100))
        c.error("service_life_years",
                std::to_string(*m.service_life_years) + " years is not plausible (1..100)");
    if (m.phases && *m.phases != 1 && *m.phases != 3)
        c.error("phases", std::to_string(*m.phases) + " phases (expected 1 or 3)");
    if (m.register_digits && (*m.register_digits < 1 || *m.register_digits > 12))
        c.error("register_digits", std::to_string(*m.register_digits) + " digits (expected 1..12)");
    if (m.tariff_registers < 1 || m.tariff_registers > 4)
        c.error("tariff_registers", std::to_string(m.tariff_registers) + " (expected 1..4)");
    if (m.measures != resource::electricity && m.connection != connection_type::direct)
        c.warning("connection_type",
                  "transformer connection on a " + std::string(to_string(m.measures)) + " meter");
    return c.take();
}

int effective_tariff_registers(const meter& m, const meter_model* model) noexcept {
    if (m.tariff_registers) return *m.tariff_registers;
    return model ? model->tariff_registers : 1;
}

std::optional<int> effective_register_digits(const meter& m, const meter_model* model) noexcept {
    if (m.register_digits) return m.register_digits;
    return model ? model->register_digits : std::nullopt;
}

issues validate(const meter& m, const meter_model* model, validation_policy policy) {
    collector c("meter", m.serial, policy);
    c.check("serial", check_serial(m.serial));
    c.text("model", m.model);
    c.text("point", m.point);
    c.range("transformer_ratio", m.transformer_ratio, decimal{}, max_transformer_ratio, "", true);
    c.date_range("manufactured", m.manufactured);
    c.date_range("installed", m.installed);
    c.date_range("removed", m.removed);
    c.date_range("last_verification", m.last_verification);
    if (m.register_digits && (*m.register_digits < 1 || *m.register_digits > 12))
        c.error("register_digits", std::to_string(*m.register_digits) + " digits (expected 1..12)");
    if (m.tariff_registers && (*m.tariff_registers < 1 || *m.tariff_registers > 4))
        c.error("tariff_registers", std::to_string(*m.tariff_registers) + " (expected 1..4)");
    // 004's meter card: made 01.02.2022, installed 21.01.2020. Real data has it; keep it, but say so.
    const severity passport = c.policy() == validation_policy::strict ? severity::error : severity::warning;
    check_date_order(c, "installed", "installation", m.installed, "manufacture", m.manufactured, passport);
    check_date_order(c, "last_verification", "verification", m.last_verification, "manufacture",
                     m.manufactured, passport);
    check_date_order(c, "removed", "removal", m.removed, "installation", m.installed, severity::error);
    if (m.latitude && (m.latitude->raw() < -90 * decimal::scale || m.latitude->raw() > 90 * decimal::scale))
        c.error("latitude", to_string(*m.latitude) + " is outside -90..90");
    if (m.longitude &&
        (m.longitude->raw() < -180 * decimal::scale || m.longitude->raw() > 180 * decimal::scale))
        c.error("longitude", to_string(*m.longitude) + " is outside -180..180");
    if (m.latitude.has_value() != m.longitude.has_value())
        c.error(m.latitude ? "longitude" : "latitude", "coordinates need both latitude and longitude");
    if (model) {
        if (model->measures != m.measures)
            c.error("resource", "meter measures " + std::string(to_string(m.measures)) + " but its model " +
                                    model->id + " measures " + std::string(to_string(model->measures)));
        if (m.transformer_ratio != decimal::from_integer(1) && model->connection == connection_type::direct)
            c.warning("transformer_ratio", "ratio " + to_string(m.transformer_ratio) + " on a model " +
                                               model->id + " connected directly");
    }
    if (!m.address.empty()) {
        try {
            (void)parse_device_address(m.address);
        } catch (const parse_error& e) {
            c.error("address", e.reason());
        }
    }
    if (m.role == meter_role::building && m.point.empty())
        c.warning("point", "a building meter without a metering point is left out of building sums");
    return c.take();
}

std::optional<row_issue> first_implausible(const reading_table& batch) {
    const auto& times = batch.times();
    const auto& acc = batch.accepted();
    auto at = [&](std::size_t i, std::string field, std::string message) {
        return row_issue{
            i, issue{severity::error, "reading",
                     excerpt(batch.meters()[batch.meter_index()[i]]) + " at unix " + std::to_string(times[i]),
                     std::move(field), std::move(message)}};
    };
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (times[i] < plausible_first_unix || times[i] >= plausible_end_unix)
            return at(i, "timestamp", "time outside 1970-01-01..2099-12-31");
        if (!acc.empty() && acc[i] != reading_table::missing_time &&
            (acc[i] < plausible_first_unix || acc[i] >= plausible_end_unix))
            return at(i, "accepted", "acceptance time outside 1970-01-01..2099-12-31");
        if (!batch.sources().empty() &&
            batch.sources()[i] > static_cast<std::uint8_t>(reading_source::estimated))
            return at(i, "source",
                      "source code " + std::to_string(batch.sources()[i]) + " is not a reading source");
    }
    const auto& v = batch.values();
    for (std::size_t i = 0; i < batch.size(); ++i)
        if (!plausible_value(batch.channel_of(i), v[i]))
            return at(i, to_string(batch.channel_of(i)),
                      "value " + to_string(decimal::from_raw(v[i])) + " is outside " +
                          plausible_range_text(batch.channel_of(i)));
    return std::nullopt;
}

std::vector<row_issue> validate(const reading_table& batch, std::span<const meter* const> meter_of_slot,
                                std::span<const int> tariffs_of_slot, std::size_t limit) {
    std::vector<row_issue> out;
    // Installation and removal are civil dates; readings are compared on UTC days with a day of slack either
    // side, so that a reading in the local morning of the installation day is never flagged.
    std::vector<std::int64_t> earliest(meter_of_slot.size(), std::numeric_limits<std::int64_t>::min());
    std::vector<std::int64_t> latest(meter_of_slot.size(), std::numeric_limits<std::int64_t>::max());
    for (std::size_t k = 0; k < meter_of_slot.size(); ++k) {
        const meter* m = meter_of_slot[k];
        if (m && m->installed)
            earliest[k] =
                (date::sys_days{*m->installed} - date::days{1}).time_since_epoch().count() * 86400LL;
        if (m && m->removed)
            latest[k] = (date::sys_days{*m->removed} + date::days{2}).time_since_epoch().count() * 86400LL;
    }
    const auto& times = batch.times();
    const auto& slots = batch.meter_index();
    for (std::size_t i = 0; i < batch.size() && out.size() < limit; ++i) {
        const std::uint32_t k = slots[i];
        auto add = [&](severity level, std::string_view field, std::string message) {
            out.push_back(
                {i, issue{level, "reading", batch.meters()[k] + " at " + to_string(from_unix(times[i])),
                          std::string(field), std::move(message)}});
        };
        const meter* m = meter_of_slot[k];
        if (!m) {
            add(severity::error, "meter", "unknown meter " + excerpt(batch.meters()[k]));
            continue;
        }
        const int tariffs = tariffs_of_slot[k];
        {
            const std::int64_t v = batch.values()[i];
            const channel& ch = batch.channel_of(i);
            const std::string reg = channel_label(ch, channel::main(m->measures));
            if (ch.kind == channel_kind::cumulative && v < 0)
                add(severity::error, reg, "negative register value " + to_string(decimal::from_raw(v)));
            else if (!plausible_value(ch, v))
                add(severity::error, reg,
                    "value " + to_string(decimal::from_raw(v)) + " is outside " + plausible_range_text(ch) +
                        " (12 integer digits)");
            const auto r = static_cast<int>(ch.tariff);
            if (ch.what == channel::main(m->measures).what && r > tariffs && tariffs > 1)
                add(severity::error, reg,
                    "meter " + m->serial + " has " + std::to_string(tariffs) + " tariff registers");
        }
        if (times[i] < plausible_first_unix || times[i] >= plausible_end_unix)
            add(severity::error, "timestamp", "outside 1970-01-01T00:00:00Z..2100-01-01T00:00:00Z");
        if (times[i] < earliest[k])
            add(severity::warning, "timestamp",
                "reading before the meter's installation on " + to_string(*m->installed));
        if (times[i] >= latest[k])
            add(severity::warning, "timestamp",
                "reading after the meter's removal on " + to_string(*m->removed));
        const std::int64_t acc = batch.accepted_at(i);
        if (acc != reading_table::missing_time && (acc < plausible_first_unix || acc >= plausible_end_unix))
            add(severity::error, "accepted",
                to_string(from_unix(acc)) + " is outside 1970-01-01T00:00:00Z..2100-01-01T00:00:00Z");
        else if (acc != reading_table::missing_time && acc < times[i])
            add(severity::warning, "accepted",
                "accepted at " + to_string(from_unix(acc)) + ", before the reading's own time");
    }
    return out;
}

issues validate(const reading& r, const meter& m, int tariff_registers) {
    reading_table one;
    issues out;
    if (r.values.empty()) {
        out.push_back({severity::error, "reading", r.meter + " at " + to_string(r.time), "values",
                       "a reading needs at least one value"});
        reading timed = r;  // its time is still checked, through a placeholder value of its main channel
        timed.set(channel::main(m.measures), decimal{});
        one.push(timed);
    } else {
        one.push(r);
    }
    const meter* ms[] = {&m};
    const int ts[] = {tariff_registers};
    for (auto& ri : validate(one, ms, ts)) out.push_back(std::move(ri.what));
    return out;
}

issues validate(const meter_event& e) {
    collector c("meter_event", e.meter + " at " + to_string(e.time));
    c.required("meter", e.meter);
    c.text("meter", e.meter);
    c.text("message", e.message);
    const auto t = to_unix(e.time);
    if (t < plausible_first_unix || t >= plausible_end_unix)
        c.error("timestamp", to_string(e.time) + " is outside 1970-01-01T00:00:00Z..2100-01-01T00:00:00Z");
    c.range("code", e.code, 0, 999'999'999, "");
    c.range("journal", e.journal, 0, 999'999'999, "");
    return c.take();
}

// ---- meter state

issues validate(const relay_change& r) {
    collector c("relay_change", r.meter + " at " + to_string(r.time));
    c.required("meter", r.meter);
    c.text("meter", r.meter);
    c.text("by", r.by);
    c.text("note", r.note);
    c.instant_range("time", r.time);
    return c.take();
}

issues validate(const comm_session& s) {
    collector c("comm_session", s.meter + " at " + to_string(s.start));
    c.required("meter", s.meter);
    c.text("meter", s.meter);
    c.text("note", s.note);
    c.instant_range("start", s.start);
    c.instant_range("end", s.end);
    if (s.end < s.start)
        c.error("end",
                "the session ends at " + to_string(s.end) + ", before its start " + to_string(s.start));
    else if (s.end - s.start > max_plausible_session)
        c.warning("end", "the session lasts " + std::to_string((s.end - s.start).count()) +
                             " s, more than a day (a session the collector did not close?)");
    return c.take();
}

}  // namespace v0
}  // namespace kvant
