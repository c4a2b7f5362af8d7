// The kvant tool's commands. Each returns the process exit code: 0 success, 1 a failure of the data or the
// store (the message went to stderr), 2 a usage error.
#pragma once

#include <string>
#include <vector>

#include "args.hpp"

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

/// verification and anomalies commands (checks.cpp)
std::vector<command> check_commands();
command estimate_command();
command building_share_command();

}  // namespace kvant::cli
