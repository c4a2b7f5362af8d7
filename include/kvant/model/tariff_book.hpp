/// \file
/// Everything stored about prices: schedules, their assignments, rates and normatives, as one value the
/// resolution algorithm (algorithms/tariff_resolution.hpp) reads without a store.
#pragma once

#include <string>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/model/normative.hpp"
#include "kvant/model/tariff_assignment.hpp"
#include "kvant/model/tariff_rate.hpp"
#include "kvant/model/tariff_schedule.hpp"
#include "kvant/model/validation.hpp"

namespace kvant {
inline namespace v0 {

/// The store key of a schedule: its id (the others' key_of are beside their types).
inline const std::string& key_of(const tariff_schedule& s) noexcept {
    return s.id;
}

struct tariff_book {
    std::vector<tariff_schedule> schedules;
    std::vector<tariff_assignment> assignments;
    std::vector<tariff_rate> rates;
    std::vector<normative> normatives;

    bool empty() const noexcept {
        return schedules.empty() && assignments.empty() && rates.empty() && normatives.empty();
    }
};

/// The largest price or normative value stored, as the rates CSV's limit (io/tariff_files.hpp).
inline constexpr decimal max_stored_price = decimal::from_integer(1'000'000);

/// Each row on its own: required texts present, the date within 1900..2099, a price or value within
/// 0..1,000,000 (a negative or absurd price is an error: it would bill). References (the schedule, the
/// organisation, the target of a scope) are the store's to check.
KVANT_API issues validate(const tariff_assignment& a);
KVANT_API issues validate(const tariff_rate& r);
KVANT_API issues validate(const normative& n);

}  // namespace v0
}  // namespace kvant
