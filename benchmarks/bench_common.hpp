// What the kernel benchmarks share: a clock, medians of repeated runs, the meters' zones, the period's text,
// and the plain pass over the arrays that bounds any algorithm over them.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "kvant/algorithms/consumption.hpp"
#include "kvant/io/csv.hpp"
#include "kvant/series/meter_series.hpp"

namespace kvant::bench {

using clock_type = std::chrono::steady_clock;

inline double since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// The median of the times of N runs (the mean of the middle two for an even N).
inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// Each meter's zone from a meters CSV (`serial,zone,...`, as `kvant split --meters` reads it); meters
/// without one are in UTC, as the CLI takes them.
inline std::map<std::string, zone> zones_of(const std::string& meters_csv) {
    std::map<std::string, zone> out;
    for (const auto& m : parse_meters_csv(read_file(meters_csv), meters_csv))
        out.emplace(m.serial, m.time_zone.value_or(zone::utc()));
    return out;
}

inline std::string month_text(const period& p) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(p.start_date.year()),
                  static_cast<unsigned>(p.start_date.month()));
    return buf;
}

/// Reads every time and total value once with the least work that keeps the compiler from skipping it: the
/// memory-bandwidth bound for any algorithm over these arrays.
inline std::int64_t memory_pass(const std::vector<meter_series>& all) {
    std::int64_t acc = 0;
    for (const auto& s : all) {
        const auto t = s.view(channel{}).time;
        const auto v = s.view(channel{}).value;
        for (std::size_t i = 0; i < t.size(); ++i) acc += v[i] ^ t[i];
    }
    return acc;
}

}  // namespace kvant::bench
