/// \file
/// Validation of Russian registration numbers and of the library's own keys. Each `check_*` returns nullopt
/// when the text is valid, else a sentence saying what is wrong (for messages that name the field and line).
///
/// - ИНН (INN, taxpayer number): 10 digits for an organisation, 12 for a person; check digits per the Federal
/// Tax
///   Service algorithm (weighted sums mod 11, mod 10).
/// - КПП (KPP): 9 characters, NNNN PP NNN, where PP may be digits or Latin capitals (since 2019).
/// - ОГРН (OGRN, 13 digits): the first 12 digits mod 11, mod 10, is the 13th. ОГРНИП (OGRNIP, 15 digits, a
/// sole
///   trader): the first 14 mod 13, mod 10, is the 15th.
/// - Personal-account number (лицевой счёт): 1..32 characters, Latin letters, digits, '-', '/', '_'
///   (A15900009460, 13225468216).
/// - Meter serial number: 1..32 characters, Latin letters, digits, '-', '_', '.', '/'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {

namespace detail {
constexpr bool all_digits(std::string_view s) noexcept {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return !s.empty();
}
inline int weighted_check(std::string_view s, const int* weights, std::size_t n) noexcept {
    int sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += (s[i] - '0') * weights[i];
    return sum % 11 % 10;
}
inline std::optional<std::string> key_chars(std::string_view what, std::string_view s,
                                            std::string_view extra) {
    if (s.empty()) return std::string(what) + " is empty";
    if (s.size() > 32) return std::string(what) + " is longer than 32 characters";
    for (char c : s) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        extra.find(c) != std::string_view::npos;
        if (!ok)
            return std::string(what) + " " + excerpt(s) + " contains " + excerpt(std::string_view(&c, 1)) +
                   " (allowed: Latin letters, digits and '" + std::string(extra) + "')";
    }
    return std::nullopt;
}
}  // namespace detail

/// The INN's form alone: 10 or 12 digits.
inline std::optional<std::string> check_inn_form(std::string_view s) {
    if (!detail::all_digits(s) || (s.size() != 10 && s.size() != 12))
        return "INN " + excerpt(s) + " must be 10 digits (organisation) or 12 digits (person)";
    return std::nullopt;
}
/// The INN's check digits, of an INN of the right form (check_inn_form first).
inline std::optional<std::string> check_inn_digits(std::string_view s) {
    if (check_inn_form(s)) return check_inn_form(s);
    if (s.size() == 10) {
        static constexpr int w[] = {2, 4, 10, 3, 5, 9, 4, 6, 8};
        if (detail::weighted_check(s, w, 9) != s[9] - '0')
            return "INN " + excerpt(s) + " has a wrong check digit";
        return std::nullopt;
    }
    static constexpr int w11[] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    static constexpr int w12[] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    if (detail::weighted_check(s, w11, 10) != s[10] - '0' ||
        detail::weighted_check(s, w12, 11) != s[11] - '0')
        return "INN " + excerpt(s) + " has a wrong check digit";
    return std::nullopt;
}
/// Form and check digits.
inline std::optional<std::string> check_inn(std::string_view s) {
    if (auto p = check_inn_form(s)) return p;
    return check_inn_digits(s);
}

inline std::optional<std::string> check_kpp(std::string_view s) {
    auto bad = [&] {
        return "KPP " + excerpt(s) + " must be 9 characters: 4 digits, 2 digits or capitals, 3 digits";
    };
    if (s.size() != 9) return bad();
    for (std::size_t i = 0; i < 9; ++i) {
        const char c = s[i];
        const bool digit = c >= '0' && c <= '9';
        const bool cap = c >= 'A' && c <= 'Z';
        if (!(digit || ((i == 4 || i == 5) && cap))) return bad();
    }
    return std::nullopt;
}

/// ОГРН (13 digits) or ОГРНИП (15 digits).
/// The form alone: 13 or 15 digits.
inline std::optional<std::string> check_ogrn_form(std::string_view s) {
    if (!detail::all_digits(s) || (s.size() != 13 && s.size() != 15))
        return "OGRN " + excerpt(s) + " must be 13 digits (OGRN) or 15 digits (OGRNIP)";
    return std::nullopt;
}
/// The check digit, of an OGRN of the right form (check_ogrn_form first).
inline std::optional<std::string> check_ogrn_digits(std::string_view s) {
    if (check_ogrn_form(s)) return check_ogrn_form(s);
    const std::size_t n = s.size() - 1;
    const unsigned long long mod = s.size() == 13 ? 11 : 13;
    unsigned long long rem = 0;  // the body can exceed 64 bits' comfort only in theory; reduce digit by digit
    for (std::size_t i = 0; i < n; ++i) rem = (rem * 10 + static_cast<unsigned>(s[i] - '0')) % mod;
    if (static_cast<int>(rem % 10) != s[n] - '0')
        return (s.size() == 13 ? "OGRN '" : "OGRNIP '") + std::string(s) + "' has a wrong check digit";
    return std::nullopt;
}
/// Form and check digit.
inline std::optional<std::string> check_ogrn(std::string_view s) {
    if (auto p = check_ogrn_form(s)) return p;
    return check_ogrn_digits(s);
}

inline std::optional<std::string> check_account_number(std::string_view s) {
    return detail::key_chars("account number", s, "-/_");
}

inline std::optional<std::string> check_serial(std::string_view s) {
    return detail::key_chars("serial number", s, "-_./");
}

}  // namespace v0
}  // namespace kvant
