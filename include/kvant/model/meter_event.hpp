/// \file
/// An event a meter logged: outside interference (magnetic field, cover opened), faults, relay switching,
/// power loss. `code` keeps the device's own code (СПОДЭС event codes for DLMS meters); `kind` classifies it.
#pragma once

#include <optional>
#include <string>

#include "kvant/core/time.hpp"
#include "kvant/model/enums.hpp"
#include "kvant/model/fields.hpp"

namespace kvant {
inline namespace v0 {

struct meter_event {
    std::string meter;  ///< meter::serial
    instant time;
    int code = 0;  ///< the device's event code; (meter, time, code) is the key
    event_kind kind = event_kind::other;
    std::optional<int> journal;  ///< the journal it came from (СПОДЭС 0.0.99.98.e.255: e)
    std::string message;

    friend bool operator==(const meter_event&, const meter_event&) = default;
};

template <>
struct description<meter_event> {
    static constexpr std::string_view entity = "meter_event";
    static constexpr auto fields = std::tuple{
        field{"meter", &meter_event::meter, "a meter serial", true},
        field{"time", &meter_event::time, "", true},
        field{"code", &meter_event::code, "the device's event code; (meter, time, code) is the key", true},
        field{"kind", &meter_event::kind, ""},
        field{"journal", &meter_event::journal, "the journal it came from (СПОДЭС 0.0.99.98.e.255: e)"},
        field{"message", &meter_event::message, ""}};
};

}  // namespace v0
}  // namespace kvant
