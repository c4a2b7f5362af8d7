/// \file
/// The library's native 128-bit integer for intermediate products and overflow-free sums (GCC and Clang).
/// Internal: public headers never name it (they stay free of compiler extensions and of
/// Boost.Multiprecision); they hold 128-bit sums as `detail::wide_sum` and call the templates of decimal.hpp,
/// which the sources instantiate with this type.
#pragma once

#include <cstdint>

#include "kvant/core/decimal.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {
/// `__extension__` keeps -Wpedantic quiet.
__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

/// The value a `wide_sum` holds.
constexpr int128 to_int128(const wide_sum& s) noexcept {
    const auto u = (static_cast<uint128>(s.hi) << 64) | s.lo;
    return static_cast<int128>(u);
}
}  // namespace detail
}  // namespace v0
}  // namespace kvant
