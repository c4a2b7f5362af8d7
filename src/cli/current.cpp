// kvant current: the bot's current readings (000 §3.2.3) with each meter's state: the last value of every
// channel and «Отключен» or the link bucket of the map legend (001 §3.3.2.3); docs/state.md.
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/meter_state.hpp"
#include "kvant/core/calendar.hpp"
#include "kvant/reports/anomaly_detection.hpp"

namespace kvant::cli {

namespace {

/// "21.08.2020 09:05" in a zone.
std::string local_minutes(instant t, const zone& z) {
    const auto lt = z.to_local(t);
    const auto day = date::floor<date::days>(lt);
    const date::hh_mm_ss hms{lt - day};
    std::ostringstream s;
    s << to_russian_string(calendar_date{day}) << ' ' << std::setfill('0') << std::setw(2)
      << hms.hours().count() << ':' << std::setw(2) << hms.minutes().count();
    return s.str();
}

}  // namespace

fleet_states read_states(const store& db, instant now) {
    fleet_states s;
    for (auto& r : db.relay_at(now)) s.relay.emplace(r.meter, std::move(r));
    for (auto& l : db.link_summaries()) s.links.emplace(l.meter, std::move(l));
    return s;
}

meter_state state_in(const store& db, const fleet_states& s, const fleet& f, const meter& m, instant now) {
    const auto r = s.relay.find(m.serial);
    const auto l = s.links.find(m.serial);
    std::optional<instant> last_reading;
    // the latest value at or before now: from what each write keeps when it is not after now, else read back
    for (const auto& v : db.last_values(m.serial))
        if (from_unix(v.time) <= now && (!last_reading || from_unix(v.time) > *last_reading))
            last_reading = from_unix(v.time);
    if (!last_reading)
        if (const auto lr = db.last_reading(m.serial, now)) last_reading = lr->time;
    link_summary then;
    if (l != s.links.end()) then = link_as_of(db, l->second, now);
    return state_of({&m, f.zone_of(m), r == s.relay.end() ? nullptr : &r->second,
                     l == s.links.end() ? nullptr : &then, last_reading},
                    now);
}

int run_current(const args& a) {
    const auto db_handle = open_db(a, open_mode::read_only);
    store& db = *db_handle;
    const fleet f = load_fleet(db);
    const instant now = at_option(a);
    const bool russian = a.get("lang").value_or("ru") == "ru";
    std::vector<const meter*> meters;
    if (const auto serial = a.get("meter")) {
        const meter* m = f.find_meter(*serial);
        if (!m) throw config_error(errc::config, "no meter " + excerpt(*serial) + " in " + db_name(a));
        meters.push_back(m);
    } else if (const auto number = a.get("account")) {
        const account* acc = f.find_account(*number);
        if (!acc)
            throw config_error(errc::config, "no personal account " + excerpt(*number) + " in " + db_name(a));
        meters = f.meters_of(*acc);
    } else {
        throw config_error(errc::usage, "give --meter SERIAL or --account NUMBER");
    }
    const fleet_states states = read_states(db, now);
    auto& out = std::cout;
    for (const meter* m : meters) {
        const zone z = f.zone_of(*m);
        const auto st = state_in(db, states, f, *m, now);
        out << m->serial << ": " << (russian ? label_ru(st.status) : to_string(st.status));
        if (st.relay_since && st.relay == relay_position::off) {
            const auto& rc = *st.relay_since;
            out << (russian ? " с " : " since ") << local_minutes(rc.time, z) << " (" << to_string(rc.reason);
            if (!rc.by.empty()) out << ", " << rc.by;
            if (!rc.note.empty()) out << ": " << rc.note;
            out << ")";
        } else if (st.removed) {
            out << (russian ? " (снят с учёта " : " (removed ") << to_russian_string(*m->removed) << ")";
        }
        if (st.last.at)
            out << (russian ? "; последний сеанс связи " : "; last contact ") << local_minutes(*st.last.at, z)
                << " (" << to_string(st.last.source) << ")";
        out << "\n";
        // each channel's last value at or before now
        const channel main = channel::main(m->measures);
        const int places = display_places(m->measures);
        bool any = false;
        auto line = [&](const channel& ch, std::int64_t t, std::int64_t raw) {
            out << "  " << channel_label(ch, main) << " " << to_fixed(decimal::from_raw(raw), places) << " "
                << (russian ? unit_symbol_ru(ch.in) : unit_symbol(ch.in)) << "  "
                << local_minutes(from_unix(t), z) << "\n";
            any = true;
        };
        const auto last = db.last_values(m->serial);
        if (std::all_of(last.begin(), last.end(),
                        [&](const last_value& v) { return from_unix(v.time) <= now; })) {
            for (const auto& v : last) line(v.ch, v.time, v.value);
        } else if (const auto r = db.last_reading(m->serial, now)) {
            for (const auto& v : r->values) line(v.ch, to_unix(r->time), v.value.raw());
        }
        if (!any) out << (russian ? "  нет показаний\n" : "  no readings\n");
    }
    return 0;
}

command current_command() {
    return {{"current",
             "The current readings of a meter or of a personal account's meters with each meter's state (the "
             "bot's\n«Текущие показания», 000 §3.2.3): Отключен, Не на контроле, or the map legend's link "
             "bucket.",
             {db_spec().mandatory(), opt::busy_timeout(), opt::text("meter", "SERIAL", "one meter"),
              opt::text("account", "NUMBER", "a personal account's meters"), at_spec(),
              opt::one_of("lang", "LANG", {"ru", "en"}, "the language of the labels").defaults_to("ru")},
             "One line a meter: its state, since when the relay is off (reason, by whom: note), the last "
             "contact\n"
             "(session or reading); then each channel's last value at or before --at. docs/state.md."},
            run_current};
}

}  // namespace kvant::cli
