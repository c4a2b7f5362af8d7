// The instant a report is computed at (`at`, `now`): within the plausible times of readings, 1970..2099, so
// that no period, date or second past it can leave the calendar or overflow.
#pragma once

#include <string>
#include <string_view>

#include "kvant/core/error.hpp"
#include "kvant/core/time.hpp"
#include "kvant/model/validation.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

/// config_error (errc::out_of_range) naming `what` when `t` is outside [1970-01-01, 2100-01-01).
inline void check_report_time(instant t, std::string_view what) {
    if (to_unix(t) < plausible_first_unix || to_unix(t) >= plausible_end_unix)
        throw config_error(errc::out_of_range, std::string(what) + " " + std::to_string(to_unix(t)) +
                                                   " (Unix seconds) is outside 1970-01-01T00:00:00Z.."
                                                   "2100-01-01T00:00:00Z");
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
