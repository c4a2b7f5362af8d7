/// \file
/// A communication session with a meter (сеанс связи): when a data collector reached it, over what, and how
/// it ended. Link status and the «не на связи» rule use the last successful session when a host records
/// sessions, and the last reading otherwise (docs/state.md).
#pragma once

#include <optional>
#include <string>

#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant {
inline namespace v0 {

/// The medium a session ran over.
enum class link_channel : std::uint8_t { gsm, nb_iot, lorawan, plc, radio, rs485, ethernet, optical, other };
inline constexpr detail::enum_text<link_channel, 9> link_channel_text{"link channel",
                                                                      {{{link_channel::gsm, "gsm"},
                                                                        {link_channel::nb_iot, "nb_iot"},
                                                                        {link_channel::lorawan, "lorawan"},
                                                                        {link_channel::plc, "plc"},
                                                                        {link_channel::radio, "radio"},
                                                                        {link_channel::rs485, "rs485"},
                                                                        {link_channel::ethernet, "ethernet"},
                                                                        {link_channel::optical, "optical"},
                                                                        {link_channel::other, "other"}}}};
inline std::string_view to_string(link_channel v) noexcept {
    return link_channel_text.name(v);
}
inline link_channel parse_link_channel(std::string_view s, location where = {}) {
    return link_channel_text.parse(s, std::move(where));
}
inline std::optional<link_channel> try_parse_link_channel(std::string_view s) noexcept {
    return link_channel_text.find(s);
}

/// How a session ended: `ok` (the meter answered and its data was read), `partial` (it answered, some data
/// was not read), `no_answer`, `timeout` (it answered and then fell silent), `error` (a protocol or
/// authentication failure). ok and partial count as the meter being on the link.
enum class session_result : std::uint8_t { ok, partial, no_answer, timeout, error };
inline constexpr detail::enum_text<session_result, 5> session_result_text{
    "session result",
    {{{session_result::ok, "ok"},
      {session_result::partial, "partial"},
      {session_result::no_answer, "no_answer"},
      {session_result::timeout, "timeout"},
      {session_result::error, "error"}}}};
inline std::string_view to_string(session_result v) noexcept {
    return session_result_text.name(v);
}
inline session_result parse_session_result(std::string_view s, location where = {}) {
    return session_result_text.parse(s, std::move(where));
}
inline std::optional<session_result> try_parse_session_result(std::string_view s) noexcept {
    return session_result_text.find(s);
}
/// Whether a session reached the meter (it counts as being on the link).
constexpr bool reached(session_result r) noexcept {
    return r == session_result::ok || r == session_result::partial;
}

struct comm_session {
    std::string meter;  ///< meter::serial; (meter, start) is the key
    instant start;
    instant end;  ///< not before start
    link_channel channel = link_channel::other;
    session_result result = session_result::ok;
    std::string note;  ///< the collector's own words on a failure

    friend bool operator==(const comm_session&, const comm_session&) = default;
};

/// What a store keeps per meter on every session write (store::link_summaries), so that a fleet's link
/// status reads no history: the latest session by start, and the latest that reached the meter.
struct link_summary {
    std::string meter;
    std::optional<comm_session> last;     ///< absent when the meter has no session
    std::optional<comm_session> last_ok;  ///< absent when no session reached it

    friend bool operator==(const link_summary&, const link_summary&) = default;
};

}  // namespace v0
}  // namespace kvant
