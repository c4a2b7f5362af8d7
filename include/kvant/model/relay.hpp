/// \file
/// The relay (load switch) of a meter and its history: a `relay_change` says the relay went on (load
/// connected) or off (disconnected: the seeds' «Отключен» of the bot's current readings, 000 §3.2.3, and of
/// the map legend, 001 §3.3.2.3), when, and why. The state at an instant is the latest change at or before
/// it; a meter with no change is on.
#pragma once

#include <string>

#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant {
inline namespace v0 {

enum class relay_position : std::uint8_t { on, off };
inline constexpr detail::enum_text<relay_position, 2> relay_position_text{
    "relay position", {{{relay_position::on, "on"}, {relay_position::off, "off"}}}};
inline std::string_view to_string(relay_position v) noexcept {
    return relay_position_text.name(v);
}
inline relay_position parse_relay_position(std::string_view s, location where = {}) {
    return relay_position_text.parse(s, std::move(where));
}
inline std::optional<relay_position> try_parse_relay_position(std::string_view s) noexcept {
    return relay_position_text.find(s);
}

/// Why the relay switched: a command of the host or an operator, an event of the meter (tamper, fault), the
/// meter's own power limiter, a schedule programmed into the meter; unknown when the source does not say.
enum class relay_reason : std::uint8_t { command, event, limiter, schedule, unknown };
inline constexpr detail::enum_text<relay_reason, 5> relay_reason_text{"relay reason",
                                                                      {{{relay_reason::command, "command"},
                                                                        {relay_reason::event, "event"},
                                                                        {relay_reason::limiter, "limiter"},
                                                                        {relay_reason::schedule, "schedule"},
                                                                        {relay_reason::unknown, "unknown"}}}};
inline std::string_view to_string(relay_reason v) noexcept {
    return relay_reason_text.name(v);
}
inline relay_reason parse_relay_reason(std::string_view s, location where = {}) {
    return relay_reason_text.parse(s, std::move(where));
}
inline std::optional<relay_reason> try_parse_relay_reason(std::string_view s) noexcept {
    return relay_reason_text.find(s);
}

struct relay_change {
    std::string meter;  ///< meter::serial; (meter, time) is the key
    instant time;
    relay_position position = relay_position::off;
    relay_reason reason = relay_reason::unknown;
    std::string by;    ///< who commanded it (a user, a host job); empty when not a command
    std::string note;  ///< free text ("долг", the event's message)

    friend bool operator==(const relay_change&, const relay_change&) = default;
};

}  // namespace v0
}  // namespace kvant
