#include "kvant/core/decimal.hpp"

#include "int128.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

std::int64_t multiply_wide(std::int64_t a, std::int64_t b) {
    // |a × b| < 2^126: the 128-bit product cannot overflow; the rounded quotient is checked
    std::int64_t r = 0;
    if (!narrow_ok(decimal::div_round_half_even_wide(static_cast<int128>(a) * b, decimal::scale), r))
        throw_overflow(a, '*', b);
    return r;
}

}  // namespace detail
}  // namespace v0
}  // namespace kvant
