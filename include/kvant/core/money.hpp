/// \file
/// `kvant::money`: an exact amount of roubles in kopecks. Amounts come from a quantity (an exact decimal, see
/// decimal.hpp) times a price per unit (an exact decimal of roubles), multiplied exactly with
/// Boost.Multiprecision's overflow-checked 128-bit integers and rounded once to kopecks, half away from zero
/// ("по правилам математического округления", as bills round): `amount(250, 5.53) = 1382.50`,
/// `amount(0.125, 1) = 0.13`. A bill's total is the sum of its rounded lines, so the lines add up to it.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <compare>
#include <cstdint>
#include <string>

#include "kvant/core/decimal.hpp"

namespace kvant {
inline namespace v0 {

class money {
  public:
    constexpr money() noexcept = default;
    static constexpr money from_kopecks(std::int64_t k) noexcept {
        money m;
        m.kopecks_ = k;
        return m;
    }
    constexpr std::int64_t kopecks() const noexcept { return kopecks_; }
    constexpr money& operator+=(money o) noexcept {
        kopecks_ += o.kopecks_;
        return *this;
    }
    friend constexpr money operator+(money a, money b) noexcept {
        return from_kopecks(a.kopecks_ + b.kopecks_);
    }
    friend constexpr money operator-(money a, money b) noexcept {
        return from_kopecks(a.kopecks_ - b.kopecks_);
    }
    friend constexpr bool operator==(money, money) noexcept = default;
    friend constexpr auto operator<=>(money, money) noexcept = default;

  private:
    std::int64_t kopecks_ = 0;
};

/// quantity × price, rounded half away from zero to kopecks. Throws std::overflow_error past ±9.2 × 10^16
/// kopecks.
inline money amount(decimal quantity, decimal price) {
    using big = boost::multiprecision::checked_int128_t;
    const big product = big(quantity.raw()) * big(price.raw());  // in 10^-12 roubles
    const big unit = big(10'000'000'000LL);                      // 10^-12 roubles per kopeck
    const big magnitude = product < 0 ? big(-product) : product;
    big k = (magnitude + unit / 2) / unit;
    if (product < 0) k = -k;
    if (k > big(std::numeric_limits<std::int64_t>::max()) ||
        k < big(std::numeric_limits<std::int64_t>::min()))
        throw std::overflow_error("money amount out of range");
    return money::from_kopecks(static_cast<std::int64_t>(k));
}

/// "1382.50", "-0.05".
inline std::string to_string(money m) {
    const std::int64_t k = m.kopecks();
    const std::uint64_t a = k < 0 ? 0 - static_cast<std::uint64_t>(k) : static_cast<std::uint64_t>(k);
    std::string frac = std::to_string(a % 100);
    if (frac.size() < 2) frac.insert(frac.begin(), '0');
    return (k < 0 ? "-" : "") + std::to_string(a / 100) + "." + frac;
}

}  // namespace v0
}  // namespace kvant
