// Internal: the text rule of the store, shared by its reads (which repair) and its writes (which refuse).
// The same rule as the import's (UTF-8 by RFC 3629, no control character but TAB, LF and CR).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kvant {
inline namespace v0 {
namespace detail::sqlite {

/// Text as the store hands it out: valid UTF-8 without control characters but TAB, LF and CR. Anything else
/// (written by a release that did not check its input, or by hand) becomes U+FFFD, one per invalid byte,
/// so that nothing already stored makes a later read, JSON dump or terminal print fail. `kvant validate`
/// (sqlite_store::check) reports such text; reading it never fails.
namespace stored_text {
/// The length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF), or 0 when there is none; control characters but TAB, LF and CR count as invalid.
inline std::size_t char_length(std::string_view s, std::size_t i) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    if (c < 0x80) return (c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size() || b(i + 1) < lo || b(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
    return n;
}
/// The byte offset of the first invalid byte, or nothing when `s` is valid text.
inline std::optional<std::size_t> first_invalid(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = char_length(s, i);
        if (n == 0) return i;
        i += n;
    }
    return std::nullopt;
}
/// `s` with every invalid byte replaced by U+FFFD.
inline std::string repaired(std::string_view s) {
    const auto bad = first_invalid(s);
    if (!bad) return std::string(s);
    std::string out(s.substr(0, *bad));
    for (std::size_t i = *bad; i < s.size();) {
        const std::size_t n = char_length(s, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}
}  // namespace stored_text

}  // namespace detail::sqlite
}  // namespace v0
}  // namespace kvant
