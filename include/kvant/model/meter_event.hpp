/// \file
/// An event a meter logged: outside interference (magnetic field, cover opened), faults, relay switching,
/// power loss. `code` keeps the device's own code (СПОДЭС event codes for DLMS meters); `kind` classifies it.
#pragma once

#include <optional>
#include <string>

#include "kvant/core/time.hpp"
#include "kvant/model/enums.hpp"

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

}  // namespace v0
}  // namespace kvant
