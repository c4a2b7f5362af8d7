// Internal to the reports: what each report asks of one meter — its periods (the report's kind, the report's
// billing day or the meter's organisation's) and its register parameters (defaults for a meter the source
// does not know).
#pragma once

#include "kvant/reports/reports.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

inline consumption_options consumption_options_for(const meter_input& mi, const period_report_options& o) {
    consumption_options co;
    co.periods = {o.by, o.billing_day.value_or(mi.billing_day)};
    return co;
}

inline register_params register_params_for(const meter_input& mi) {
    return mi.entity ? register_params_of(*mi.entity, mi.model) : register_params{};
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
