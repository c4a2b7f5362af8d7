/// \file
/// A communication session with a meter (сеанс связи): when a data collector reached it, over what, and how
/// it ended. Link status and the «не на связи» rule use the last successful session when a host records
/// sessions, and the last reading otherwise (docs/state.md).
#pragma once

#include <string>

#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"
#include "kvant/model/fields.hpp"

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
KVANT_ENUM_TEXT(link_channel, link_channel_text)

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
KVANT_ENUM_TEXT(session_result, session_result_text)
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

template <>
struct description<comm_session> {
    static constexpr std::string_view entity = "comm_session";
    static constexpr auto fields =
        std::tuple{field{"meter", &comm_session::meter, "a meter serial; (meter, start) is the key", true},
                   field{"start", &comm_session::start, "", true},
                   field{"end", &comm_session::end, "not before start", true},
                   field{"channel", &comm_session::channel, ""},
                   field{"result", &comm_session::result, ""},
                   field{"note", &comm_session::note, ""}};
};

}  // namespace v0
}  // namespace kvant
