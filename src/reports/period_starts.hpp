// Internal to the reports: the start instant of a period known by its local start date, for the rows that
// carry only the date (groups, cost groups, billing estimates).
#pragma once

#include <map>
#include <span>

#include "kvant/core/calendar.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

/// The earliest begin of the periods starting on each local date.
class period_starts {
  public:
    void add(std::span<const period> periods) {
        for (const auto& p : periods) {
            auto [it, added] = begin_.try_emplace(p.start_date, p.begin);
            if (!added && p.begin < it->second) it->second = p.begin;
        }
    }
    /// The begin of the periods starting on `d`; else d's midnight in UTC.
    instant at(calendar_date d) const {
        const auto it = begin_.find(d);
        return it != begin_.end() ? it->second : instant(date::sys_days(d));
    }

  private:
    std::map<calendar_date, instant> begin_;
};

}  // namespace detail
}  // namespace v0
}  // namespace kvant
