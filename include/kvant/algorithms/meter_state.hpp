/// \file
/// The state of a meter as the bot's current readings (000 §3.2.3) and the cabinet's map legend
/// (001 §3.3.2.3) show it: «Отключен» first (the relay is off, or the meter is out of service), then, for a
/// meter on control, its link bucket by its last contact; a meter not on control (meter::under_control
/// false) is shown as such, never as having no link. The last contact is the start of the meter's last
/// session that reached it when the host records sessions for that meter, and its last reading otherwise
/// (docs/state.md). Pure: the host (or the CLI) reads the relay change in force, the link summary and the
/// last reading time from a store, or from anywhere else.
#pragma once

#include <optional>
#include <string_view>

#include "kvant/algorithms/link_status.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/comm_session.hpp"
#include "kvant/model/relay.hpp"

namespace kvant {
inline namespace v0 {

/// Where a meter's last contact comes from.
enum class contact_source : std::uint8_t { none, session, reading };
inline constexpr detail::enum_text<contact_source, 3> contact_source_text{
    "contact source",
    {{{contact_source::none, "none"},
      {contact_source::session, "session"},
      {contact_source::reading, "reading"}}}};
KVANT_ENUM_TEXT(contact_source, contact_source_text)

/// What a state shows, in the order it is decided: disconnected (relay off, or removed), not on control,
/// else the link bucket.
enum class meter_status : std::uint8_t {
    disconnected,       ///< Отключен
    not_under_control,  ///< Не на контроле
    within_30min,       ///< До 30 минут
    within_2h,          ///< До 2 часов
    within_1d,          ///< До 1 суток
    within_2d,          ///< До 2 суток
    within_1w,          ///< До 1 недели
    within_2w,          ///< До 2 недель
    no_link,            ///< Не на связи
};
inline constexpr std::size_t meter_status_count = 9;
inline constexpr detail::enum_text<meter_status, meter_status_count> meter_status_text{
    "meter status",
    {{{meter_status::disconnected, "disconnected"},
      {meter_status::not_under_control, "not_under_control"},
      {meter_status::within_30min, "30min"},
      {meter_status::within_2h, "2h"},
      {meter_status::within_1d, "1d"},
      {meter_status::within_2d, "2d"},
      {meter_status::within_1w, "1w"},
      {meter_status::within_2w, "2w"},
      {meter_status::no_link, "no_link"}}}};
KVANT_ENUM_TEXT(meter_status, meter_status_text)
/// The seeds' Russian label: «Отключен», «До 30 минут» … «До 2 недель» (the map legend), «Не на контроле»,
/// «Не на связи».
KVANT_API std::string_view label_ru(meter_status s) noexcept;

/// The last contact with a meter: the start of its last session that reached it when `link` holds any
/// session; when none reached it, or the host records no sessions for it (`link` null or empty), its last
/// reading (`last_reading`, at or before now), if any.
struct contact {
    std::optional<instant> at;
    contact_source source = contact_source::none;
    friend bool operator==(const contact&, const contact&) = default;
};
KVANT_API contact last_contact(const link_summary* link, std::optional<instant> last_reading) noexcept;

/// What state_of needs of one meter.
struct meter_state_input {
    const meter* m = nullptr;
    zone z;                               ///< the meter's zone (for its removal date)
    const relay_change* relay = nullptr;  ///< the change in force at `now` (store::relay_at); null: on
    const link_summary* link = nullptr;   ///< its sessions' summary (store::link_summaries); null: none
    std::optional<instant> last_reading;  ///< the time of its last reading at or before `now`
};

struct meter_state {
    meter_status status = meter_status::no_link;
    link_bucket link = link_bucket::no_link;  ///< by the last contact alone (disconnected if removed)
    relay_position relay = relay_position::on;
    std::optional<relay_change> relay_since;  ///< the change that set the relay, if any
    bool under_control = true;
    bool removed = false;  ///< removed on or before the local date of `now`
    contact last;
    friend bool operator==(const meter_state&, const meter_state&) = default;
};

/// The state of one meter at `now`. A session or reading after `now` counts as within 30 minutes (as
/// link_status does).
KVANT_API meter_state state_of(const meter_state_input& in, instant now);

/// Counts per status, indexed by meter_status (the map legend's figures).
using status_counts = std::array<std::size_t, meter_status_count>;

}  // namespace v0
}  // namespace kvant
