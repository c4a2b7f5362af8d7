// Helpers shared by the tests: short ways to write decimals, instants and total-only series.
#pragma once

#include <initializer_list>
#include <utility>

#include "kvant/core/decimal.hpp"
#include "kvant/core/time.hpp"
#include "kvant/series/meter_series.hpp"

namespace kvant::test {

inline decimal dec(const char* s) { return decimal::parse(s); }
inline instant at(const char* s) { return parse_instant(s); }
inline std::int64_t raw(const char* s) { return decimal::parse(s).raw(); }

/// A series of the total register only, from (timestamp, value) pairs in increasing time.
inline meter_series totals(const char* serial, std::initializer_list<std::pair<const char*, const char*>> rows) {
    meter_series s(serial);
    for (const auto& [t, v] : rows) {
        std::array<std::int64_t, register_count> vals;
        vals.fill(decimal::missing_raw);
        vals[0] = raw(v);
        s.push(to_unix(at(t)), vals);
    }
    return s;
}

}  // namespace kvant::test
