#include "kvant/algorithms/manual_entry.hpp"

#include <algorithm>
#include <cstdio>

#include "../core/int128.hpp"
#include "kvant/core/calendar.hpp"

namespace kvant {
inline namespace v0 {

namespace {

constexpr std::int64_t day_seconds = 86400;

std::string value_text(decimal v, resource r) {
    return to_fixed(v, display_places(r));
}
std::string local_text(instant t, const zone& z) {
    const auto lt = z.to_local(t);
    const auto day = date::floor<date::days>(lt);
    const auto sec = (lt - day).count();
    char hm[8];
    std::snprintf(hm, sizeof hm, "%02d:%02d", static_cast<int>(sec / 3600 % 100),
                  static_cast<int>(sec / 60 % 60));
    return to_russian_string(calendar_date{day}) + " " + hm;
}
std::string tariff_text(register_id t) {
    return t == register_id::total ? std::string() : std::to_string(static_cast<int>(t));
}
std::optional<std::int64_t> capacity_of(const register_params& p) {
    if (!p.register_digits || *p.register_digits < 1 || *p.register_digits > 12) return std::nullopt;
    std::int64_t capacity = decimal::scale;
    for (int k = 0; k < *p.register_digits; ++k) capacity *= 10;
    return capacity;
}
// v × n / d rounded half to even, in 128 bits
std::int64_t scaled(std::int64_t v, std::int64_t n, std::int64_t d) {
    return decimal::div_round_half_even(static_cast<detail::int128>(v) * n, d);
}

}  // namespace

std::vector<expected_register> expected_readings(const meter_series& history, const register_params& p,
                                                 int tariffs, instant at, const entry_policy& policy) {
    std::vector<expected_register> out;
    const std::int64_t t = to_unix(at);
    register_params raw = p;
    raw.transformer_ratio = decimal::from_integer(1);  // register readings, not consumption
    for (int k = 0; k <= std::clamp(tariffs, 0, 8); ++k) {
        const channel ch = p.main.with_tariff(static_cast<register_id>(k));
        const auto s = history.view(ch);
        if (s.empty() || s.time.front() > t) continue;
        const auto last =
            static_cast<std::size_t>(std::upper_bound(s.time.begin(), s.time.end(), t) - s.time.begin()) - 1;
        const auto expected = expected_reading(s, t, p, policy.expectation);
        if (!expected) continue;
        // the daily rate: the expectation one day after the last reading, less the last reading
        const auto window = series_view{s.time.subspan(0, last + 1), s.value.subspan(0, last + 1)};
        const auto next_day = expected_reading(window, s.time[last] + day_seconds, p, policy.expectation);
        const std::int64_t daily =
            next_day ? step_consumption(s.value[last], *next_day, raw, nullptr) : std::int64_t{0};
        out.push_back({ch, decimal::from_raw(*expected), from_unix(s.time[last]),
                       decimal::from_raw(s.value[last]), decimal::from_raw(daily)});
    }
    return out;
}

entry_verdict check_entry(const meter& m, const meter_series& history, const register_params& p, int tariffs,
                          const zone& z, const reading& entered, entry_confirmation confirmed,
                          const entry_policy& policy) {
    entry_verdict v;
    const resource r = m.measures;
    const channel total_ch = p.main.with_tariff(register_id::total);
    auto find = [&](entry_check c, const channel& ch, message_code code,
                    std::initializer_list<std::pair<const char*, std::string>> params) {
        message text{code, {}};
        text.set("meter", m.serial);
        for (const auto& [k, val] : params) text.set(k, val);
        v.findings.push_back({c, ch, std::move(text)});
    };
    const auto total = entered[total_ch];
    const std::string time_text = local_text(entered.time, z);
    if (!total) {
        find(entry_check::missing_total, total_ch, message_code::entry_missing_total, {});
        v.outcome = entry_outcome::refused;
        return v;
    }
    // a meter removed from service reads nothing after its removal day (its final reading is on that day)
    if (m.removed && local_date(z, entered.time) > *m.removed) {
        find(entry_check::after_removal, total_ch, message_code::entry_after_removal,
             {{"removed", to_russian_string(*m.removed)}, {"time", time_text}});
        v.outcome = entry_outcome::refused;
        return v;
    }
    // the tariff registers entered must add up to the total
    bool any_tariff = false;
    std::int64_t sum = 0;
    for (const auto& x : entered.values)
        if (x.ch.with_tariff(register_id::total) == total_ch && x.ch.tariff != register_id::total) {
            any_tariff = true;
            sum = detail::checked_add(sum, x.value.raw());
        }
    if (any_tariff) {
        std::int64_t diff = 0;
        if (!detail::sub_ok(sum, total->raw(), diff) || diff > policy.tariff_sum_tolerance.raw() ||
            -diff > policy.tariff_sum_tolerance.raw())
            find(entry_check::tariff_sum, total_ch, message_code::entry_tariff_sum,
                 {{"sum", value_text(decimal::from_raw(sum), r)}, {"total", value_text(*total, r)}});
    }
    if (history.empty()) {
        if (v.findings.empty())
            find(entry_check::no_history, total_ch, message_code::entry_no_history,
                 {{"current", value_text(*total, r)}});
        v.outcome = v.findings.front().check == entry_check::no_history ? entry_outcome::accepted
                                                                        : entry_outcome::refused;
        return v;
    }
    // the time: after the meter's last reading
    const std::int64_t t = to_unix(entered.time);
    const std::int64_t last_time = history.last_time();
    if (t <= last_time) {
        if (t < last_time)
            find(entry_check::before_last, total_ch, message_code::entry_before_last,
                 {{"time", time_text}, {"last", local_text(from_unix(last_time), z)}});
        else
            find(entry_check::same_time, total_ch, message_code::entry_same_time, {{"time", time_text}});
        v.outcome = entry_outcome::refused;
        return v;
    }
    v.expected = expected_readings(history, p, tariffs, entered.time, policy);
    register_params raw = p;
    raw.transformer_ratio = decimal::from_integer(1);
    for (const auto& e : v.expected) {
        const auto now = entered[e.ch];
        if (!now) continue;
        const std::string prev = value_text(e.last_value, r), cur = value_text(*now, r),
                          tariff = tariff_text(e.ch.tariff);
        if (*now < e.last_value) {
            if (confirmed == entry_confirmation::replacement) {
                find(entry_check::confirmed_replacement, e.ch, message_code::entry_replacement,
                     {{"previous", prev}, {"current", cur}, {"tariff", tariff}});
                continue;
            }
            if (confirmed == entry_confirmation::none) {
                find(entry_check::lower, e.ch, message_code::reading_decrease,
                     {{"previous", prev}, {"current", cur}, {"tariff", tariff}});
                continue;
            }
            const auto capacity = capacity_of(p);
            if (!capacity) {
                find(entry_check::rollover_no_digits, e.ch, message_code::entry_rollover_no_digits,
                     {{"previous", prev}, {"current", cur}, {"tariff", tariff}});
                continue;
            }
            step_status st = step_status::decrease;
            step_consumption(e.last_value.raw(), now->raw(), raw, &st);
            const decimal wrap = decimal::from_raw(*capacity - e.last_value.raw() + now->raw());
            if (st == step_status::rollover)
                find(entry_check::confirmed_rollover, e.ch, message_code::entry_rollover,
                     {{"previous", prev},
                      {"current", cur},
                      {"tariff", tariff},
                      {"consumption", value_text(wrap, r)}});
            else
                find(
                    entry_check::rollover_implausible, e.ch, message_code::entry_rollover_implausible,
                    {{"previous", prev},
                     {"current", cur},
                     {"tariff", tariff},
                     {"digits", std::to_string(*p.register_digits)},
                     {"consumption", value_text(wrap, r)},
                     {"limit", value_text(decimal::from_raw(scaled(
                                              *capacity, p.rollover.max_wrap_fraction.raw(), decimal::scale)),
                                          r)}});
            continue;
        }
        // implausibly high: above high_factor × the expected consumption over max(elapsed, 1 day)
        if (e.daily.raw() <= 0) continue;
        const std::int64_t elapsed = std::max(t - to_unix(e.last_time), day_seconds);
        const std::int64_t expected = scaled(e.daily.raw(), elapsed, day_seconds);
        const std::int64_t used = now->raw() - e.last_value.raw();
        const auto limit = static_cast<detail::int128>(expected) * policy.high_factor.raw() / decimal::scale;
        if (used > limit)
            find(entry_check::implausibly_high, e.ch, message_code::entry_implausibly_high,
                 {{"current", cur},
                  {"tariff", tariff},
                  {"consumption", value_text(decimal::from_raw(used), r)},
                  {"expected", value_text(decimal::from_raw(expected), r)},
                  {"days", to_fixed(decimal::from_raw(scaled(elapsed, decimal::scale, day_seconds)), 2)}});
    }
    const auto refusal = [](const entry_finding& f) {
        switch (f.check) {
            case entry_check::lower:
            case entry_check::rollover_implausible:
            case entry_check::rollover_no_digits:
            case entry_check::before_last:
            case entry_check::same_time:
            case entry_check::tariff_sum:
            case entry_check::missing_total:
                return true;
            default:
                return false;
        }
    };
    std::stable_partition(v.findings.begin(), v.findings.end(), refusal);
    if (std::any_of(v.findings.begin(), v.findings.end(), refusal))
        v.outcome = entry_outcome::refused;
    else if (std::any_of(v.findings.begin(), v.findings.end(),
                         [](const entry_finding& f) { return f.check == entry_check::implausibly_high; }))
        v.outcome = entry_outcome::warning;
    if (v.findings.empty())
        find(entry_check::accepted, total_ch, message_code::entry_accepted,
             {{"current", value_text(*total, r)}});
    return v;
}

}  // namespace v0
}  // namespace kvant
