/// \file
/// Text at the library's boundaries, in one place: the check every text value passes once where it enters
/// (CSV cells, JSON strings, API entities; decoders later), and the bounded excerpt every error message uses
/// when it quotes input.
///
/// A valid text is UTF-8 as RFC 3629 defines it (no overlong forms, no surrogates, nothing above U+10FFFF),
/// holds no control character but TAB, LF and CR (no NUL, no ESC: a field is data, not a terminal command),
/// and is at most `max_text_bytes` long. `check_text` says where the first offence is (its byte offset) and
/// what it is; `require_text` throws parse_error(errc::invalid_text) naming the location and that offset.
///
/// `excerpt` quotes a value for a message: at most `excerpt_bytes` bytes (cut on a character boundary),
/// control characters and invalid bytes escaped (`\n`, `\x1B`), in single quotes, and when cut, the total
/// length after it: `'aaaa…' (1048576 bytes)`. An error never echoes a 1 MB field in full, and never puts a
/// byte into a message that would make the message itself invalid UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "kvant/core/error.hpp"

namespace kvant {
inline namespace v0 {

/// The longest text value the library accepts (a name, an address, an event message): 4096 bytes.
inline constexpr std::size_t max_text_bytes = 4096;
/// The most bytes of a value an error message quotes.
inline constexpr std::size_t excerpt_bytes = 64;

/// The first offence of a text: its byte offset and what it is.
struct text_problem {
    std::size_t offset = 0;
    std::string reason;
};

namespace detail {
/// The length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
constexpr std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    if (c < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;  // no overlong
        if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;  // no overlong
        if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
    }
    if (i + n > s.size()) return 0;
    if (b(i + 1) < lo || b(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
    return n;
}
constexpr bool allowed_control(unsigned char c) noexcept {
    return c == '\t' || c == '\n' || c == '\r';
}
/// The length of the allowed character at s[i]: 0 for an invalid UTF-8 sequence, a C0 control other than TAB,
/// LF and CR, DEL, or a C1 control (U+0080..U+009F: U+009B is a terminal's CSI, U+0085 a line break).
constexpr std::size_t char_length(std::string_view s, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return (c >= 0x20 && c != 0x7F) || allowed_control(c) ? 1 : 0;
    const std::size_t n = utf8_length(s, i);
    if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return 0;
    return n;
}
}  // namespace detail

/// The first offence of `s` against the rules above, or nothing when it is valid text.
inline std::optional<text_problem> check_text(std::string_view s, std::size_t max_bytes = max_text_bytes) {
    if (s.size() > max_bytes)
        return text_problem{max_bytes, "text of " + std::to_string(s.size()) + " bytes is longer than the " +
                                           std::to_string(max_bytes) + " allowed"};
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F) {  // printable ASCII: the fast path
            ++i;
            continue;
        }
        if (c < 0x20 || c == 0x7F) {
            if (detail::allowed_control(c)) {
                ++i;
                continue;
            }
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%02X", c);
            return text_problem{i, std::string("control character ") + buf};
        }
        const std::size_t n = detail::utf8_length(s, i);
        if (n == 0) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%02X", c);
            return text_problem{i, std::string("invalid UTF-8 (byte ") + buf + ")"};
        }
        if (detail::char_length(s, i) == 0) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned char>(s[i + 1]));
            return text_problem{i, std::string("control character ") + buf};
        }
        i += n;
    }
    return std::nullopt;
}

/// `s` quoted for a message: see the file comment.
inline std::string excerpt(std::string_view s, std::size_t max_bytes = excerpt_bytes) {
    std::string out = "'";
    std::size_t i = 0;
    while (i < s.size() && i < max_bytes) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7F) {
            if (c == '\\' || c == '\'') out += '\\';
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        if (c == '\n' || c == '\r' || c == '\t') {
            out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
            ++i;
            continue;
        }
        const std::size_t n = c < 0x80 ? 0 : detail::char_length(s, i);
        if (n == 0) {  // a control character or an invalid byte
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
            ++i;
            continue;
        }
        if (i + n > max_bytes) break;  // never cut a character
        out.append(s.substr(i, n));
        i += n;
    }
    if (i < s.size()) return out + "…' (" + std::to_string(s.size()) + " bytes)";
    return out + "'";
}

/// Throws parse_error(errc::invalid_text) when `s` is not valid text: the location names the field and the
/// byte offset of the first offence in it (`where.offset` is set to it).
inline void require_text(std::string_view s, location where = {}, std::size_t max_bytes = max_text_bytes) {
    if (auto p = check_text(s, max_bytes)) {
        where.offset = static_cast<std::int64_t>(p->offset);
        throw parse_error(errc::invalid_text, p->reason + " in " + excerpt(s), std::move(where));
    }
}

/// The byte offset of the first invalid UTF-8 byte or forbidden control character of `s` (its length not
/// counted), or nothing when there is none.
inline std::optional<std::size_t> first_invalid_byte(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = detail::char_length(s, i);
        if (n == 0) return i;
        i += n;
    }
    return std::nullopt;
}

/// `s` as valid text, for text that is already stored (by a release that did not check it, or by hand):
/// every invalid byte and forbidden control character becomes U+FFFD, and a text longer than `max_bytes` is
/// cut on a character boundary. Reads repair so that nothing stored makes a later read, JSON dump or print
/// fail; writes refuse (require_text); `kvant validate` reports what a read would repair.
inline std::string repair_text(std::string_view s, std::size_t max_bytes = max_text_bytes) {
    auto bad = first_invalid_byte(s);
    if (!bad && s.size() <= max_bytes) return std::string(s);
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = detail::char_length(s, i);
        const std::size_t add = n == 0 ? 3 : n;
        if (out.size() + add > max_bytes) break;
        if (n == 0)
            out += "\xEF\xBF\xBD";  // U+FFFD
        else
            out.append(s.substr(i, n));
        i += n == 0 ? 1 : n;
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
