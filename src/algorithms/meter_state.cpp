#include "kvant/algorithms/meter_state.hpp"

namespace kvant {
inline namespace v0 {

static_assert(static_cast<int>(meter_status::within_30min) ==
                  static_cast<int>(link_bucket::within_30min) + 1 &&
              static_cast<int>(meter_status::no_link) == static_cast<int>(link_bucket::no_link) + 1);

std::string_view label_ru(meter_status s) noexcept {
    switch (s) {
        case meter_status::disconnected:
            return "Отключен";
        case meter_status::not_under_control:
            return "Не на контроле";
        case meter_status::within_30min:
            return "До 30 минут";
        case meter_status::within_2h:
            return "До 2 часов";
        case meter_status::within_1d:
            return "До 1 суток";
        case meter_status::within_2d:
            return "До 2 суток";
        case meter_status::within_1w:
            return "До 1 недели";
        case meter_status::within_2w:
            return "До 2 недель";
        case meter_status::no_link:
            return "Не на связи";
    }
    return "?";
}

contact last_contact(const link_summary* link, std::optional<instant> last_reading) noexcept {
    if (link && link->last_ok) return {link->last_ok->start, contact_source::session};
    if (last_reading) return {last_reading, contact_source::reading};
    return {};
}

meter_state state_of(const meter_state_input& in, instant now) {
    meter_state s;
    s.last = last_contact(in.link, in.last_reading);
    s.removed = in.m && removed_at(*in.m, in.z, now);
    s.under_control = !in.m || in.m->under_control;
    if (in.relay && in.relay->time <= now) {
        s.relay = in.relay->position;
        s.relay_since = *in.relay;
    }
    s.link = link_status(s.last.at, now, s.removed);
    if (s.removed || s.relay == relay_position::off)
        s.status = meter_status::disconnected;
    else if (!s.under_control)
        s.status = meter_status::not_under_control;
    else
        // link buckets within_30min..no_link are 1..7; the statuses from within_30min on are 2..8
        s.status = static_cast<meter_status>(static_cast<int>(s.link) + 1);
    return s;
}

}  // namespace v0
}  // namespace kvant
