/// \file
/// `kvant::decimal`: an exact decimal number with six fractional digits, held as a 64-bit integer count of
/// millionths. Register values, consumption, ratios and coordinates use it; binary floating point is never
/// used for them.
///
/// Exact range: ±9,223,372,036,854.775807 (raw ±(2^63 − 1); the raw value −2^63 is `missing_raw`, never a
/// result). Parsed text has at most 12 integer digits, so any parsed value lies within ±10^12. Addition,
/// subtraction and negation are exact; multiplication rounds half to even to six digits: inline in 64 bits
/// when the raw product fits them, else through a 128-bit intermediate compiled into the library (which
/// cannot overflow: |a × b| < 2^126). Every operation whose result would leave the exact range throws
/// `arithmetic_error` (errc::overflow): a result is never wrapped. The checked primitives
/// `detail::add_ok`/`sub_ok`/`mul_ok`/`narrow_ok` (non-throwing) and `detail::checked_add`/`checked_sub`/
/// `checked_mul`/`checked_narrow` (throwing) are the one mechanism every raw 64-bit sum, difference, product
/// and 128-bit-to-64-bit narrowing of the library goes through.
///
/// This header has no 128-bit integer type: the rounding division and the narrowing are templates over any
/// signed integer type, and the library's sources instantiate them with a native 128-bit integer
/// (src/core/int128.hpp), which a public header never names.
///
/// Text: `[+-]digits[.digits]`, at most six significant fractional digits (more are accepted only when they
/// are zeros: a value is never silently rounded). No exponent, no thousands separator, `.` as decimal point.
/// `to_string` prints the shortest text that reads back to the same value; `to_fixed` pads or rounds for
/// display.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "kvant/core/error.hpp"
#include "kvant/core/export.hpp"
#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {

/// An arithmetic result outside the exact range (errc::overflow). Raised by the checked primitives below with
/// what overflowed; the algorithms rethrow it naming the meter, register and period. When it comes from a
/// step between two readings, `t0`/`t1` are their Unix times (else both 0).
class KVANT_API arithmetic_error : public error {
  public:
    explicit arithmetic_error(const std::string& what, std::int64_t t0 = 0, std::int64_t t1 = 0)
        : error(errc::overflow, what), reason_(what), t0_(t0), t1_(t1) {}
    /// What overflowed, without the code prefix.
    const std::string& reason() const noexcept { return reason_; }
    bool has_interval() const noexcept { return t0_ != 0 || t1_ != 0; }
    std::int64_t t0() const noexcept { return t0_; }
    std::int64_t t1() const noexcept { return t1_; }

  private:
    std::string reason_;
    std::int64_t t0_, t1_;
};

namespace detail {
/// The largest raw magnitude of an exact result: results lie in [−exact_max, exact_max]; −2^63 is reserved.
inline constexpr std::int64_t exact_max = std::numeric_limits<std::int64_t>::max();

/// `r = a + b`; false (r unspecified) when the result leaves the exact range. Nearly free: one flag test.
constexpr bool add_ok(std::int64_t a, std::int64_t b, std::int64_t& r) noexcept {
    return !__builtin_add_overflow(a, b, &r) && r != std::numeric_limits<std::int64_t>::min();
}
constexpr bool sub_ok(std::int64_t a, std::int64_t b, std::int64_t& r) noexcept {
    return !__builtin_sub_overflow(a, b, &r) && r != std::numeric_limits<std::int64_t>::min();
}
constexpr bool mul_ok(std::int64_t a, std::int64_t b, std::int64_t& r) noexcept {
    return !__builtin_mul_overflow(a, b, &r) && r != std::numeric_limits<std::int64_t>::min();
}
/// `r = v` for a wider signed integer `v`; false when v is outside the exact range.
template <class Wide>
constexpr bool narrow_ok(Wide v, std::int64_t& r) noexcept {
    if constexpr (sizeof(Wide) <= sizeof(std::int64_t)) {
        const std::int64_t x = v;
        if (x < -exact_max) return false;
        r = x;
    } else {
        if (v > Wide(exact_max) || v < -Wide(exact_max)) return false;
        r = static_cast<std::int64_t>(v);
    }
    return true;
}

/// Throws arithmetic_error "<raw a> <op> <raw b> ...", the operands shown as decimals.
[[noreturn]] inline void throw_overflow(std::int64_t a, char op, std::int64_t b);
/// Throws arithmetic_error "<what> is outside the exact range ...".
[[noreturn]] inline void throw_overflow(const std::string& what) {
    throw arithmetic_error(what + " is outside the exact range ±9223372036854.775807");
}

constexpr std::int64_t checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (!add_ok(a, b, r)) throw_overflow(a, '+', b);
    return r;
}
constexpr std::int64_t checked_sub(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (!sub_ok(a, b, r)) throw_overflow(a, '-', b);
    return r;
}
/// Raw × integer (not a decimal product: no rescaling).
constexpr std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (!mul_ok(a, b, r)) throw_overflow(a, 'x', b);
    return r;
}
/// A signed 128-bit sum of 64-bit values, two's complement in two 64-bit halves: a sum that cannot overflow
/// (it would take 2^64 additions), held in portable code so that a public struct needs no 128-bit type. The
/// library reads it as a native 128-bit integer (`to_int128`, src/core/int128.hpp).
struct wide_sum {
    std::uint64_t lo = 0, hi = 0;
    constexpr wide_sum& operator+=(std::int64_t v) noexcept {
        const std::uint64_t l = lo + static_cast<std::uint64_t>(v);
        hi += (l < lo ? 1U : 0U) + (v < 0 ? ~std::uint64_t{0} : 0U);
        lo = l;
        return *this;
    }
};

/// The decimal product of raw values `a × b / 10^6` rounded half to even, exact in 128 bits; throws
/// arithmetic_error when it leaves the exact range. Compiled into the library (src/core/decimal.cpp):
/// `decimal::operator*` calls it only when the raw product does not fit 64 bits.
KVANT_API std::int64_t multiply_wide(std::int64_t a, std::int64_t b);
}  // namespace detail

/// Why a text is not a decimal.
enum class decimal_status : std::uint8_t { ok, empty, syntax, too_precise, overflow };

constexpr std::string_view describe(decimal_status s) noexcept {
    switch (s) {
        case decimal_status::ok:
            return "ok";
        case decimal_status::empty:
            return "empty value";
        case decimal_status::syntax:
            return "not a decimal number (expected digits with an optional '.' part)";
        case decimal_status::too_precise:
            return "more than 6 decimal places";
        case decimal_status::overflow:
            return "out of range (more than 12 integer digits)";
    }
    return "unknown";
}

class decimal {
  public:
    static constexpr int scale_digits = 6;
    static constexpr std::int64_t scale = 1'000'000;
    /// The raw value that marks "no value" in column arrays (an empty CSV cell, a register the meter lacks).
    static constexpr std::int64_t missing_raw = std::numeric_limits<std::int64_t>::min();

    constexpr decimal() noexcept = default;
    /// An integer value: decimal(5) is 5.000000.
    /// Throws arithmetic_error past ±9,223,372,036,854.
    static constexpr decimal from_integer(std::int64_t units) {
        std::int64_t r = 0;
        if (!detail::mul_ok(units, scale, r))
            detail::throw_overflow("integer " + std::to_string(units) + " as a decimal");
        return from_raw(r);
    }
    /// From a count of millionths: from_raw(1'500'000) is 1.5.
    static constexpr decimal from_raw(std::int64_t raw) noexcept {
        decimal d;
        d.raw_ = raw;
        return d;
    }
    constexpr std::int64_t raw() const noexcept { return raw_; }

    /// Non-throwing parse, for untrusted input in loops.
    static constexpr decimal_status try_parse(std::string_view text, decimal& out) noexcept;
    /// Throwing parse: `parse_error` with code invalid_number and the reason.
    static decimal parse(std::string_view text, location where = {}) {
        decimal d;
        const auto st = try_parse(text, d);
        if (st != decimal_status::ok)
            throw parse_error(errc::invalid_number, excerpt(text) + ": " + std::string(describe(st)),
                              std::move(where));
        return d;
    }

    /// Exact; every operator throws arithmetic_error when the result leaves the exact range.
    constexpr decimal operator-() const { return from_raw(detail::checked_sub(0, raw_)); }
    constexpr decimal& operator+=(decimal o) {
        raw_ = detail::checked_add(raw_, o.raw_);
        return *this;
    }
    constexpr decimal& operator-=(decimal o) {
        raw_ = detail::checked_sub(raw_, o.raw_);
        return *this;
    }
    friend constexpr decimal operator+(decimal a, decimal b) {
        return from_raw(detail::checked_add(a.raw_, b.raw_));
    }
    friend constexpr decimal operator-(decimal a, decimal b) {
        return from_raw(detail::checked_sub(a.raw_, b.raw_));
    }
    friend constexpr bool operator==(decimal, decimal) noexcept = default;
    friend constexpr auto operator<=>(decimal, decimal) noexcept = default;

    /// Product rounded half to even to six decimals. In 64 bits when the raw product fits them (the common
    /// case: |a × b| < 9.2 × 10^18 millionths²), else exactly in 128 bits by `detail::multiply_wide`; the
    /// rounded result is checked.
    friend constexpr decimal operator*(decimal a, decimal b) {
        std::int64_t p = 0;
        if (detail::mul_ok(a.raw_, b.raw_, p)) return from_raw(div_round_half_even_wide(p, scale));
        return from_raw(detail::multiply_wide(a.raw_, b.raw_));
    }

    /// `n / q` rounded half to even, for any signed integer type (q != 0; q > −max, no step overflows).
    /// The library calls it with 128-bit integers (src/core/int128.hpp).
    template <class N, class Q>
    static constexpr std::common_type_t<N, Q> div_round_half_even_wide(N num, Q den) noexcept {
        using T = std::common_type_t<N, Q>;
        const T n = num, q = den;
        T quo = n / q, rem = n % q;
        if (rem != 0) {
            const bool neg = (rem < 0) != (q < 0);
            const T ra = rem < 0 ? -rem : rem, qa = q < 0 ? -q : q;
            const T other = qa - ra;  // 2 × ra > qa without computing 2 × ra
            if (ra > other || (ra == other && (quo % 2 != 0))) quo += neg ? T(-1) : T(1);
        }
        return quo;
    }
    /// `n / q` rounded half to even (`n` a product `n * d`, computed by the caller in 128 bits: the
    /// building block of exact proportional shares). Throws arithmetic_error when the quotient does not
    /// fit the exact range (it is never truncated).
    template <class N, class Q>
    static constexpr std::int64_t div_round_half_even(N n, Q q) {
        std::int64_t r = 0;
        if (!detail::narrow_ok(div_round_half_even_wide(n, q), r))
            detail::throw_overflow("a quotient in 128 bits");
        return r;
    }

  private:
    std::int64_t raw_ = 0;
};

constexpr decimal_status decimal::try_parse(std::string_view s, decimal& out) noexcept {
    if (s.empty()) return decimal_status::empty;
    std::size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        ++i;
    }
    std::int64_t ip = 0;
    int int_digits = 0;   // all integer digits, leading zeros included
    int significant = 0;  // integer digits from the first non-zero one on
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        ++int_digits;
        const int dgt = s[i] - '0';
        if (ip == 0 && dgt == 0) continue;
        if (++significant > 12) return decimal_status::overflow;
        ip = ip * 10 + dgt;
    }
    std::int64_t fp = 0;
    int frac_digits = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
            if (frac_digits < scale_digits) {
                fp = fp * 10 + (s[i] - '0');
            } else if (s[i] != '0') {
                return decimal_status::too_precise;
            }
            ++frac_digits;
        }
    }
    if (i != s.size()) return decimal_status::syntax;
    if (int_digits == 0 && frac_digits == 0) return decimal_status::syntax;  // "-", ".", "+."
    for (int k = frac_digits; k < scale_digits; ++k) fp *= 10;
    const std::int64_t raw = ip * scale + fp;
    out = from_raw(neg ? -raw : raw);
    return decimal_status::ok;
}

/// Shortest text that parses back to the same value: "352.248", "-0.5", "12".
inline std::string to_string(decimal d) {
    const std::int64_t r = d.raw();
    const bool neg = r < 0;
    // work on unsigned magnitude so that the most negative raw value is printed correctly
    const std::uint64_t m = neg ? 0 - static_cast<std::uint64_t>(r) : static_cast<std::uint64_t>(r);
    std::string s = std::to_string(m / decimal::scale);
    std::uint64_t f = m % decimal::scale;
    if (f) {
        char buf[decimal::scale_digits];
        for (int k = decimal::scale_digits - 1; k >= 0; --k) {
            buf[k] = static_cast<char>('0' + f % 10);
            f /= 10;
        }
        int len = decimal::scale_digits;
        while (len > 0 && buf[len - 1] == '0') --len;
        s += '.';
        s.append(buf, static_cast<std::size_t>(len));
    }
    return neg ? "-" + s : s;
}

namespace detail {
[[noreturn]] inline void throw_overflow(std::int64_t a, char op, std::int64_t b) {
    // '+', '-' and '*' (a decimal product) show both operands as decimals; 'x' (raw times a count) shows b
    // as the integer it is
    const std::string rhs = op == 'x' ? std::to_string(b) : to_string(decimal::from_raw(b));
    throw_overflow(to_string(decimal::from_raw(a)) + " " + (op == 'x' ? '*' : op) + " " + rhs);
}
}  // namespace detail

/// Fixed number of decimal places for display (0..6), rounding half away from zero as people expect on
/// screens and receipts: to_fixed(352.248, 4) is "352.2480", to_fixed(0.125, 2) is "0.13".
inline std::string to_fixed(decimal d, int places) {
    if (places < 0) places = 0;
    if (places > decimal::scale_digits) places = decimal::scale_digits;
    std::int64_t step = 1;
    for (int k = places; k < decimal::scale_digits; ++k) step *= 10;
    const std::int64_t r = d.raw();
    const std::uint64_t mag = r < 0 ? 0 - static_cast<std::uint64_t>(r) : static_cast<std::uint64_t>(r);
    const std::uint64_t rounded =
        (mag + static_cast<std::uint64_t>(step) / 2) / static_cast<std::uint64_t>(step);
    std::uint64_t pow10 = 1;
    for (int k = 0; k < places; ++k) pow10 *= 10;
    std::string s = std::to_string(rounded / pow10);
    if (places > 0) {
        std::string frac = std::to_string(rounded % pow10);
        s += '.' + std::string(static_cast<std::size_t>(places) - frac.size(), '0') + frac;
    }
    return (r < 0 && rounded != 0) ? "-" + s : s;
}

}  // namespace v0
}  // namespace kvant
