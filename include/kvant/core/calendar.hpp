/// \file
/// Local calendar periods as UTC instants. A period (day, month, year, billing period) is a half-open
/// interval [begin, end) of instants whose local date, in the given zone, falls in it. Days are 23 or 25
/// hours long on daylight-saving changes; a local midnight that does not exist (zones that change clocks at
/// 00:00) starts the day at the instant the gap ends. The algorithms take period boundaries from here and
/// never convert each reading to local time.
///
/// A billing period starting on day S runs from local day S of a month to day S of the next; when a month has
/// fewer than S days, it starts on that month's last day (S = 31 gives 30 April, 28 or 29 February). It is
/// named by its start date.
#pragma once

#include <string>
#include <vector>

#include "kvant/core/zone.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant {
inline namespace v0 {

enum class period_kind : std::uint8_t { day, month, year, billing };

/// Which periods: the kind, and for billing periods the day of the month they start on (1..31).
struct period_spec {
    period_kind kind = period_kind::month;
    int billing_start_day = 1;
};

/// One local period as UTC instants, with the local date it starts on.
struct period {
    calendar_date start_date;
    instant begin;
    instant end;
    seconds length() const noexcept { return end - begin; }
};

/// The local date of an instant.
inline calendar_date local_date(const zone& z, instant t) {
    return calendar_date{date::floor<date::days>(z.to_local(t))};
}

/// The first instant of a local date.
inline instant start_of_day(const zone& z, calendar_date d) {
    return z.to_instant(date::local_days{d}, local_policy::earliest, local_policy::earliest);
}

namespace detail {
inline calendar_date clamp_day(date::year_month ym, int day) {
    const auto last = static_cast<int>(static_cast<unsigned>((ym / date::last).day()));
    return ym / date::day{static_cast<unsigned>(day < last ? day : last)};
}
}  // namespace detail

/// The local start date of the period that contains local date `d`.
inline calendar_date period_start(calendar_date d, period_spec p) {
    switch (p.kind) {
        case period_kind::day:
            return d;
        case period_kind::month:
            return d.year() / d.month() / date::day{1};
        case period_kind::year:
            return d.year() / date::January / date::day{1};
        case period_kind::billing: {
            if (p.billing_start_day < 1 || p.billing_start_day > 31)
                throw config_error(errc::config, "billing period start day " +
                                                     std::to_string(p.billing_start_day) +
                                                     " is not within 1..31");
            const date::year_month ym = d.year() / d.month();
            const auto here = detail::clamp_day(ym, p.billing_start_day);
            return d >= here ? here : detail::clamp_day(ym - date::months{1}, p.billing_start_day);
        }
    }
    return d;
}

/// The local start date of the period after the one starting on `start`.
inline calendar_date next_period_start(calendar_date start, period_spec p) {
    switch (p.kind) {
        case period_kind::day:
            return calendar_date{date::sys_days{start} + date::days{1}};
        case period_kind::month:
            return start + date::months{1};
        case period_kind::year:
            return start + date::years{1};
        case period_kind::billing:
            return detail::clamp_day(start.year() / start.month() + date::months{1}, p.billing_start_day);
    }
    return start;
}

/// The period that contains instant `t`.
inline period period_of(const zone& z, instant t, period_spec p) {
    const auto s = period_start(local_date(z, t), p);
    return {s, start_of_day(z, s), start_of_day(z, next_period_start(s, p))};
}

/// The label of a period by its local start date: `YYYY-MM-DD` for days and billing periods, `YYYY-MM` for
/// months, `YYYY` for years.
inline std::string period_label(calendar_date start, period_kind kind) {
    const std::string full = to_string(start);
    switch (kind) {
        case period_kind::month:
            return full.substr(0, 7);
        case period_kind::year:
            return full.substr(0, 4);
        default:
            return full;
    }
}

inline constexpr detail::enum_text<period_kind, 4> period_kind_text{"period",
                                                                    {{{period_kind::day, "day"},
                                                                      {period_kind::month, "month"},
                                                                      {period_kind::year, "year"},
                                                                      {period_kind::billing, "billing"}}}};
KVANT_ENUM_TEXT(period_kind, period_kind_text)

/// The periods that intersect [from, to), in order. Empty when to <= from.
inline std::vector<period> periods_between(const zone& z, instant from, instant to, period_spec p) {
    std::vector<period> out;
    if (to <= from) return out;
    auto s = period_start(local_date(z, from), p);
    instant b = start_of_day(z, s);
    while (b < to) {
        const auto n = next_period_start(s, p);
        const instant e = start_of_day(z, n);
        out.push_back({s, b, e});
        s = n;
        b = e;
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
