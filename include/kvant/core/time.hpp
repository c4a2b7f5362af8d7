/// \file
/// Instants and calendar dates. An `instant` is a UTC time point with one-second resolution (meters and
/// gateways time-stamp in seconds). A `calendar_date` is a civil date with no zone (verification,
/// installation, contract dates). Local time exists only at the calendar boundary: see zone.hpp and
/// calendar.hpp.
///
/// Text forms:
/// - instant: ISO 8601 `YYYY-MM-DDTHH:MM:SS` (a space may replace `T`; seconds may be omitted) followed by
/// `Z`
///   or an offset `±HH:MM`, `±HHMM` or `±HH`. A fractional second is accepted only when it is zero: the
///   library never truncates silently. A text without an offset is refused unless the caller names a default
///   offset.
/// - calendar_date: `YYYY-MM-DD` or the Russian `DD.MM.YYYY` (as the seeds show dates). Years 1900..9999.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

#include "kvant/core/error.hpp"
#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {

using seconds = std::chrono::seconds;
/// A UTC time point, one-second resolution.
using instant = std::chrono::time_point<std::chrono::system_clock, seconds>;
/// A civil date without a zone.
using calendar_date = date::year_month_day;
/// A local wall-clock time (no zone attached): the result of zone::to_local.
using local_time = date::local_seconds;

/// Seconds since 1970-01-01T00:00:00Z, the integer form used in arrays and storage.
constexpr std::int64_t to_unix(instant t) noexcept {
    return t.time_since_epoch().count();
}
constexpr instant from_unix(std::int64_t s) noexcept {
    return instant{seconds{s}};
}

/// The range of instants read from text: 1900-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
inline constexpr std::int64_t min_instant_unix = -2'208'988'800;
inline constexpr std::int64_t max_instant_unix = 253'402'300'799;

/// Why a text is not a timestamp or a date.
enum class time_status : std::uint8_t {
    ok,
    syntax,
    bad_date,
    bad_time,
    bad_offset,
    no_offset,
    subsecond,
    out_of_range  ///< a valid local time whose UTC instant falls outside years 1900..9999
};

constexpr std::string_view describe(time_status s) noexcept {
    switch (s) {
        case time_status::ok:
            return "ok";
        case time_status::syntax:
            return "not an ISO 8601 timestamp (expected YYYY-MM-DDTHH:MM:SSZ or an offset)";
        case time_status::bad_date:
            return "impossible date";
        case time_status::bad_time:
            return "impossible time of day";
        case time_status::bad_offset:
            return "bad UTC offset (expected Z, +HH:MM, +HHMM or +HH within ±18:00)";
        case time_status::no_offset:
            return "no UTC offset (add Z or an offset such as +03:00)";
        case time_status::subsecond:
            return "fractional seconds are not supported";
        case time_status::out_of_range:
            return "outside 1900-01-01T00:00:00Z .. 9999-12-31T23:59:59Z once converted to UTC";
    }
    return "unknown";
}

namespace detail {
constexpr bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const char c = s[pos + k];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}
constexpr bool valid_ymd(int y, int m, int d) noexcept {
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    constexpr int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap ? 1 : 0);
}
}  // namespace detail

/// Parse a UTC offset `Z`, `±HH:MM`, `±HHMM` or `±HH`; result in minutes east of UTC.
constexpr bool parse_utc_offset(std::string_view s, int& minutes) noexcept {
    if (s == "Z" || s == "z") {
        minutes = 0;
        return true;
    }
    if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return false;
    int h = 0, m = 0;
    if (!detail::digits(s, 1, 2, h)) return false;
    if (s.size() == 6 && s[3] == ':') {
        if (!detail::digits(s, 4, 2, m)) return false;
    } else if (s.size() == 5) {
        if (!detail::digits(s, 3, 2, m)) return false;
    } else if (s.size() != 3) {
        return false;
    }
    if (m > 59 || h * 60 + m > 18 * 60) return false;
    minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
    return true;
}

/// Non-throwing ISO 8601 parse. `default_offset_minutes` applies to texts without an offset; when absent such
/// texts give time_status::no_offset.
constexpr time_status try_parse_instant(std::string_view s, instant& out,
                                        std::optional<int> default_offset_minutes = std::nullopt) noexcept {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    if (s.size() < 16 || !detail::digits(s, 0, 4, y) || s[4] != '-' || !detail::digits(s, 5, 2, mo) ||
        s[7] != '-' || !detail::digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') ||
        !detail::digits(s, 11, 2, h) || s[13] != ':' || !detail::digits(s, 14, 2, mi))
        return time_status::syntax;
    std::size_t i = 16;
    if (i < s.size() && s[i] == ':') {
        if (!detail::digits(s, 17, 2, se)) return time_status::syntax;
        i = 19;
        if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
            ++i;
            const std::size_t start = i;
            for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
                if (s[i] != '0') return time_status::subsecond;
            if (i == start) return time_status::syntax;
        }
    }
    if (!detail::valid_ymd(y, mo, d)) return time_status::bad_date;
    if (h > 23 || mi > 59 || se > 59) return time_status::bad_time;  // leap seconds are not representable
    int off = 0;
    if (i == s.size()) {
        if (!default_offset_minutes) return time_status::no_offset;
        off = *default_offset_minutes;
    } else if (!parse_utc_offset(s.substr(i), off)) {
        return time_status::bad_offset;
    }
    const auto days = date::sys_days{date::year{y} / date::month{static_cast<unsigned>(mo)} /
                                     date::day{static_cast<unsigned>(d)}};
    const std::int64_t utc =
        days.time_since_epoch().count() * 86400LL + h * 3600LL + mi * 60LL + se - off * 60LL;
    // The years are checked on the UTC instant too, so that every accepted instant prints (to_string) as a
    // text that reads back: 1900-01-01T00:00+01:00 would be 1899-12-31T23:00:00Z.
    if (utc < min_instant_unix || utc > max_instant_unix) return time_status::out_of_range;
    out = instant{seconds{utc}};
    return time_status::ok;
}

/// Throwing ISO 8601 parse (parse_error invalid_timestamp naming the text and the reason).
inline instant parse_instant(std::string_view s, location where = {},
                             std::optional<int> default_offset_minutes = std::nullopt) {
    instant t;
    const auto st = try_parse_instant(s, t, default_offset_minutes);
    if (st != time_status::ok)
        throw parse_error(errc::invalid_timestamp, excerpt(s) + ": " + std::string(describe(st)),
                          std::move(where));
    return t;
}

/// `2020-08-21T06:05:00Z`.
inline std::string to_string(instant t) {
    const auto days = date::floor<date::days>(t);
    const date::year_month_day ymd{days};
    const auto tod = t - days;
    const long long s = tod.count();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), s / 3600, s / 60 % 60,
                  s % 60);
    return buf;
}

/// Non-throwing date parse: `YYYY-MM-DD` or `DD.MM.YYYY`.
constexpr time_status try_parse_date(std::string_view s, calendar_date& out) noexcept {
    int y = 0, m = 0, d = 0;
    if (s.size() != 10) return time_status::syntax;
    if (s[4] == '-' && s[7] == '-') {
        if (!detail::digits(s, 0, 4, y) || !detail::digits(s, 5, 2, m) || !detail::digits(s, 8, 2, d))
            return time_status::syntax;
    } else if (s[2] == '.' && s[5] == '.') {
        if (!detail::digits(s, 0, 2, d) || !detail::digits(s, 3, 2, m) || !detail::digits(s, 6, 4, y))
            return time_status::syntax;
    } else {
        return time_status::syntax;
    }
    if (!detail::valid_ymd(y, m, d)) return time_status::bad_date;
    out = date::year{y} / date::month{static_cast<unsigned>(m)} / date::day{static_cast<unsigned>(d)};
    return time_status::ok;
}

/// Throwing date parse (parse_error invalid_date).
inline calendar_date parse_date(std::string_view s, location where = {}) {
    calendar_date d;
    const auto st = try_parse_date(s, d);
    if (st != time_status::ok)
        throw parse_error(
            errc::invalid_date,
            excerpt(s) + ": " +
                (st == time_status::syntax ? std::string("not a date (expected YYYY-MM-DD or DD.MM.YYYY)")
                                           : std::string(describe(st))),
            std::move(where));
    return d;
}

/// `2020-05-20`.
inline std::string to_string(calendar_date d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return buf;
}

/// `20.05.2020`, as the seeds print dates.
inline std::string to_russian_string(calendar_date d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02u.%02u.%04d", static_cast<unsigned>(d.day()),
                  static_cast<unsigned>(d.month()), static_cast<int>(d.year()));
    return buf;
}

}  // namespace v0
}  // namespace kvant
