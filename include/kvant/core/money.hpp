/// \file
/// `kvant::money`: an exact amount of roubles in kopecks. Amounts come from a quantity (an exact decimal, see
/// decimal.hpp) times a price per unit (an exact decimal of roubles), multiplied exactly in 128 bits
/// (compiled into the library, src/core/money.cpp: this header needs no wide integer type) and rounded once
/// to kopecks, half away from zero
/// ("по правилам математического округления", as bills round): `amount(250, 5.53) = 1382.50`,
/// `amount(0.125, 1) = 0.13`. A bill's total is the sum of its rounded lines, so the lines add up to it.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"

namespace kvant {
inline namespace v0 {

class money;
inline std::string to_string(money m);

class money {
  public:
    constexpr money() noexcept = default;
    static constexpr money from_kopecks(std::int64_t k) noexcept {
        money m;
        m.kopecks_ = k;
        return m;
    }
    constexpr std::int64_t kopecks() const noexcept { return kopecks_; }
    /// Exact; throws arithmetic_error when the sum leaves ±92,233,720,368,547,758.07 roubles (±(2^63 − 1)
    /// kopecks).
    constexpr money& operator+=(money o) {
        *this = *this + o;
        return *this;
    }
    friend constexpr money operator+(money a, money b) {
        std::int64_t r = 0;
        if (!detail::add_ok(a.kopecks_, b.kopecks_, r)) overflow(a, " + ", b);
        return from_kopecks(r);
    }
    friend constexpr money operator-(money a, money b) {
        std::int64_t r = 0;
        if (!detail::sub_ok(a.kopecks_, b.kopecks_, r)) overflow(a, " - ", b);
        return from_kopecks(r);
    }
    friend constexpr bool operator==(money, money) noexcept = default;
    friend constexpr auto operator<=>(money, money) noexcept = default;

  private:
    [[noreturn]] static void overflow(money a, const char* op, money b);
    std::int64_t kopecks_ = 0;
};

/// "1382.50", "-0.05".
inline std::string to_string(money m) {
    const std::int64_t k = m.kopecks();
    const std::uint64_t a = k < 0 ? 0 - static_cast<std::uint64_t>(k) : static_cast<std::uint64_t>(k);
    std::string frac = std::to_string(a % 100);
    if (frac.size() < 2) frac.insert(frac.begin(), '0');
    return (k < 0 ? "-" : "") + std::to_string(a / 100) + "." + frac;
}

inline void money::overflow(money a, const char* op, money b) {
    throw arithmetic_error("money " + to_string(a) + op + to_string(b) +
                           " is outside the exact range ±92233720368547758.07 roubles");
}

/// quantity × price, rounded half away from zero to kopecks. The product is exact in 128 bits; throws
/// arithmetic_error (errc::overflow) when the amount is past ±(2^63 − 1) kopecks (±92233720368547758.07
/// roubles).
KVANT_API money amount(decimal quantity, decimal price);

}  // namespace v0
}  // namespace kvant
