// The kvant tool's commands. Each returns the process exit code: 0 success, 1 a failure of the data or the
// store (the message went to stderr), 2 a usage error.
#pragma once

#include <string>
#include <vector>

#include <map>
#include "args.hpp"

#include "kvant/algorithms/analytics.hpp"
#include "kvant/algorithms/meter_state.hpp"
#include "kvant/algorithms/verification.hpp"
#include "kvant/model/fleet.hpp"
#include "kvant/store/store.hpp"

namespace kvant::cli {

struct command {
    command_spec spec;
    int (*run)(const args& a);
};

const std::vector<command>& commands();

int run_demo(const args& a);
int run_consumption(const args& a);
int run_split(const args& a);
int run_cost(const args& a);

/// --billing-day N: the day billing periods start (1..31, clamped to the month's end as the library does).
option_spec billing_day_spec();
std::optional<int> billing_day_option(const args& a);

/// --at: an ISO 8601 instant or a date (its start in UTC); absent, the current time.
instant at_option(const args& a);
/// An integer option that the parser checked against a range within int (every declared range is).
int int_option(const args& a, const std::string& name);
/// --at, --rule and --due-within, as verification and anomalies detect declare them.
option_spec at_spec();
option_spec rule_spec();
option_spec due_spec();
/// The verification policy of --rule and --due-within.
verification_policy policy_from(const args& a);

command verification_command();             // verification.cpp
std::vector<command> anomaly_commands();    // anomalies.cpp
command estimate_command();                 // estimate.cpp
command building_share_command();           // building_share.cpp
command entry_command();                    // entry.cpp
command fields_command();                   // fields.cpp
std::vector<command> analytics_commands();  // analytics.cpp
std::vector<command> decode_commands();     // decode.cpp: decode, ingest
/// The tiles of 004 §3.1 over a database at `now`: the relay changes in force and each meter's main-quantity
/// values before its local midnight read from the store (for kvant analytics, and the demo).
analytics_report store_analytics(const store& db, const fleet& f, instant now, const analytics_options& o);
/// The tiles as text.
void write_analytics(std::ostream& os, const analytics_report& r, const analytics_options& o);

// ---- meter state (current.cpp)
command current_command();
/// What a store holds of every meter's state at `now`: the relay change in force, the link summary.
struct fleet_states {
    std::map<std::string, relay_change, std::less<>> relay;
    std::map<std::string, link_summary, std::less<>> links;
};
fleet_states read_states(const store& db, instant now);
/// One meter's state at `now` (its last reading at or before now read from the store).
meter_state state_in(const store& db, const fleet_states& s, const fleet& f, const meter& m, instant now);

}  // namespace kvant::cli
