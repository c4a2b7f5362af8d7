/// \file
/// Data collection rate (004 §3.1): the share of meters under control whose daily data for the start of today
/// has been collected. A meter is under control when it is installed (on or before today's local date, or
/// with no installation date) and not removed, and the host does not exclude it (a disconnected meter). Its
/// data for today are collected when it has a reading in [start of today − tolerance, now], the start of
/// today taken in the meter's zone: the daily snapshot at local midnight, or any later reading of today.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "kvant/core/calendar.hpp"
#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/meter.hpp"

namespace kvant {
inline namespace v0 {

struct collection_policy {
    seconds tolerance_before{0};  ///< a snapshot stamped this much before local midnight still counts
};

/// One meter as the rate sees it.
struct collection_input {
    const meter* m = nullptr;
    zone z;                               ///< the meter's calendar zone (fleet::zone_of)
    std::span<const std::int64_t> times;  ///< its reading times, sorted (any register)
    bool excluded = false;                ///< the host takes it out of control (relay off, not polled)
};

struct collection_result {
    std::size_t under_control = 0;
    std::size_t collected = 0;
    decimal share;  ///< collected / under_control, rounded half to even to 6 places; 0 if none
    std::vector<std::string> missing;  ///< serials under control without today's data
};

KVANT_API collection_result collection_rate(std::span<const collection_input> meters, instant now,
                                            const collection_policy& policy = {});

/// Whether sorted `times` hold a value in [a, b].
KVANT_API bool any_between(std::span<const std::int64_t> times, std::int64_t a, std::int64_t b) noexcept;

}  // namespace v0
}  // namespace kvant
