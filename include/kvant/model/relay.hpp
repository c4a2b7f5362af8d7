/// \file
/// The relay (load switch) of a meter and its history: a `relay_change` says the relay went on (load
/// connected) or off (disconnected: the seeds' «Отключен» of the bot's current readings, 000 §3.2.3, and of
/// the map legend, 001 §3.3.2.3), when, and why. The state at an instant is the latest change at or before
/// it; a meter with no change is on.
#pragma once

#include <string>

#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"
#include "kvant/model/fields.hpp"

namespace kvant {
inline namespace v0 {

enum class relay_position : std::uint8_t { on, off };
inline constexpr detail::enum_text<relay_position, 2> relay_position_text{
    "relay position", {{{relay_position::on, "on"}, {relay_position::off, "off"}}}};
KVANT_ENUM_TEXT(relay_position, relay_position_text)

/// Why the relay switched: a command of the host or an operator, an event of the meter (tamper, fault), the
/// meter's own power limiter, a schedule programmed into the meter; unknown when the source does not say.
enum class relay_reason : std::uint8_t { command, event, limiter, schedule, unknown };
inline constexpr detail::enum_text<relay_reason, 5> relay_reason_text{"relay reason",
                                                                      {{{relay_reason::command, "command"},
                                                                        {relay_reason::event, "event"},
                                                                        {relay_reason::limiter, "limiter"},
                                                                        {relay_reason::schedule, "schedule"},
                                                                        {relay_reason::unknown, "unknown"}}}};
KVANT_ENUM_TEXT(relay_reason, relay_reason_text)

struct relay_change {
    std::string meter;  ///< meter::serial; (meter, time) is the key
    instant time;
    relay_position position = relay_position::off;
    relay_reason reason = relay_reason::unknown;
    std::string by;    ///< who commanded it (a user, a host job); empty when not a command
    std::string note;  ///< free text ("долг", the event's message)

    friend bool operator==(const relay_change&, const relay_change&) = default;
};

template <>
struct description<relay_change> {
    static constexpr std::string_view entity = "relay_change";
    static constexpr auto fields =
        std::tuple{field{"meter", &relay_change::meter, "a meter serial; (meter, time) is the key", true},
                   field{"time", &relay_change::time, "", true},
                   field{"position", &relay_change::position, "", true},
                   field{"reason", &relay_change::reason, ""},
                   field{"by", &relay_change::by, "who commanded it"},
                   field{"note", &relay_change::note, ""}};
};

}  // namespace v0
}  // namespace kvant
