#include "kvant/core/money.hpp"

#include "int128.hpp"

namespace kvant {
inline namespace v0 {

money amount(decimal quantity, decimal price) {
    // in 10^-12 roubles; |product| < 2^126, so neither the product nor the rounding overflows 128 bits
    const detail::int128 product = static_cast<detail::int128>(quantity.raw()) * price.raw();
    const detail::int128 unit = 10'000'000'000LL;  // 10^-12 roubles per kopeck
    const detail::int128 magnitude = product < 0 ? -product : product;
    detail::int128 k = (magnitude + unit / 2) / unit;
    if (product < 0) k = -k;
    std::int64_t kopecks = 0;
    if (!detail::narrow_ok(k, kopecks))
        throw arithmetic_error("amount " + to_string(quantity) + " * " + to_string(price) +
                               " roubles is outside the exact range of money ±92233720368547758.07 roubles");
    return money::from_kopecks(kopecks);
}

}  // namespace v0
}  // namespace kvant
