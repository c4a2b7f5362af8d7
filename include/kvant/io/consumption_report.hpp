/// \file
/// Consumption results as CSV and JSON for hosts and the `kvant consumption` command.
///
/// Per meter, CSV header `meter,period,register,value,complete`: `period` is the local start of the period
/// (period_label), `register` is total, t1..t4, `value` an exact decimal (shortest text), `complete` 1 or 0.
/// Per group, `group,resource,role,period,register,value,complete,meters`.
/// JSON: {"rows": [{"meter", "period", "register", "value" (a string, exact), "complete" (bool)}...],
/// "notes": [{"meter", "register", "status" (rollover|decrease), "from", "to", "previous", "current",
/// "counted"}...]}; per group the rows carry group, resource, role and meters instead of meter.
#pragma once

#include <iosfwd>
#include <span>

#include "kvant/algorithms/aggregate.hpp"
#include "kvant/algorithms/consumption.hpp"
#include "kvant/core/export.hpp"

namespace kvant {
inline namespace v0 {

struct report_options {
    period_kind kind = period_kind::month;
    bool complete_only = false;  ///< leave incomplete periods out, as the seeds' tables do
};

KVANT_API void write_consumption_csv(std::ostream& out, std::span<const meter_consumption> rows,
                                     const report_options& o);
KVANT_API void write_consumption_json(std::ostream& out, std::span<const meter_consumption> rows,
                                      const report_options& o);
KVANT_API void write_groups_csv(std::ostream& out, std::span<const group_row> rows, const report_options& o);
KVANT_API void write_groups_json(std::ostream& out, std::span<const group_row> rows, const report_options& o);

}  // namespace v0
}  // namespace kvant
