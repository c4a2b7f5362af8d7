// What the benchmarks share: a clock, and the plain pass over the arrays that bounds any algorithm over them.
#pragma once

#include <chrono>
#include <vector>

#include "kvant/series/meter_series.hpp"

namespace kvant::bench {

using clock_type = std::chrono::steady_clock;

inline double since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// Reads every time and total value once with the least work that keeps the compiler from skipping it: the
/// memory-bandwidth bound for any algorithm over these arrays.
inline std::int64_t memory_pass(const std::vector<meter_series>& all) {
    std::int64_t acc = 0;
    for (const auto& s : all) {
        const auto t = s.times();
        const auto v = s.values(register_id::total);
        for (std::size_t i = 0; i < t.size(); ++i) acc += v[i] ^ t[i];
    }
    return acc;
}

}  // namespace kvant::bench
