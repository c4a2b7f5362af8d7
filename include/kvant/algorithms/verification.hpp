/// \file
/// Verification (поверка) dates and status. Each rule is a named policy with its source, never a constant.
///
/// - The next verification falls `interval` years (the model's МПИ) after the last verification, or after
///   manufacture when none is recorded (the first verification is at the factory) [secondary/practice].
/// - Two ways of writing that date occur in the seeds, both supported as `due_rule`: `same_date`
///   (20.05.2019 → 20.05.2029; expired from that date on) and `day_before`, "valid through"
///   (01.03.2018 → 28.02.2028; expired from the day after). `day_before` is the day before the base date plus
///   whole years: the seed's 28.02.2028 is 28.02.2018 + 10 years, where "01.03.2028 minus a day" would give
///   29.02.2028 in that leap year. Away from 29 February both rules expire on the same day.
/// - 29 February plus whole years lands on the last day of February.
/// - Service life ends `service_life_years` after manufacture (same rules).
/// - For billing, a meter whose verification expired counts as failed from that date (ПП 354 п. 81(12)),
/// except
///   in the dated suspensions of the policy: by default 06.04.2020–31.12.2020 (ПП РФ № 424 of 02.04.2020
///   suspended the rule until 01.01.2021).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/model/fleet.hpp"

namespace kvant {
inline namespace v0 {

enum class due_rule : std::uint8_t { same_date, day_before };
inline constexpr detail::enum_text<due_rule, 2> due_rule_text{
    "due rule", {{{due_rule::same_date, "same-date"}, {due_rule::day_before, "day-before"}}}};
KVANT_ENUM_TEXT(due_rule, due_rule_text)

struct verification_policy {
    due_rule rule = due_rule::same_date;
    int due_soon_days = 30;  ///< "due within N days" before expiry
    struct suspension {
        calendar_date from, until;  ///< [from, until): expired meters do not count as failed
        std::string source;
    };
    std::vector<suspension> suspensions{
        {date::year{2020} / 4 / 6, date::year{2021} / 1 / 1, "ПП РФ № 424 от 02.04.2020"}};
};

/// `d` plus whole years; 29 February lands on 28 February in a common year. Validated models keep intervals
/// within 0..50 and service lives within 1..100 years, so from a date of 1900..9999 the year stays far inside
/// the calendar's range; an unvalidated count past it throws arithmetic_error instead of wrapping the year.
inline calendar_date add_years(calendar_date d, int years) {
    const long long y = static_cast<long long>(static_cast<int>(d.year())) + years;
    if (y < static_cast<int>(date::year::min()) || y > static_cast<int>(date::year::max()))
        throw arithmetic_error(to_string(d) + " plus " + std::to_string(years) +
                               " years is outside the calendar's range of years");
    const auto ym = date::year{static_cast<int>(y)} / d.month();
    const auto last = (ym / date::last).day();
    return ym / (d.day() > last ? last : d.day());
}

/// The date a rule shows as the next verification after `base`.
inline calendar_date next_verification(calendar_date base, int interval_years, due_rule rule) {
    if (rule == due_rule::same_date) return add_years(base, interval_years);
    return add_years(calendar_date{date::sys_days{base} - date::days{1}}, interval_years);
}

/// The first day a verification done on `base` is no longer valid, under a rule.
inline calendar_date verification_expiry(calendar_date base, int interval_years, due_rule rule) {
    const calendar_date next = next_verification(base, interval_years, rule);
    return rule == due_rule::same_date ? next : calendar_date{date::sys_days{next} + date::days{1}};
}

enum class verification_state : std::uint8_t { valid, due_soon, expired, unknown };
inline constexpr detail::enum_text<verification_state, 4> verification_state_text{
    "verification state",
    {{{verification_state::valid, "valid"},
      {verification_state::due_soon, "due_soon"},
      {verification_state::expired, "expired"},
      {verification_state::unknown, "unknown"}}}};
KVANT_ENUM_TEXT(verification_state, verification_state_text)

struct verification_status {
    verification_state state = verification_state::unknown;
    std::optional<calendar_date> base;              ///< last verification, else manufacture
    std::optional<calendar_date> next;              ///< as the rule shows it
    std::optional<calendar_date> expires;           ///< expired from this date on
    std::optional<calendar_date> service_life_end;  ///< manufacture + service life
    bool failed_for_billing = false;                ///< expired, and not within a suspension
};

/// The status of a meter on a date. Unknown without a base date or without an interval.
KVANT_API verification_status verification_of(const meter& m, const meter_model* model, calendar_date on,
                                              const verification_policy& policy = {});

/// Counts for an organisation's analytics (004 §3.1: "meters requiring verification" = due soon + expired).
struct verification_counts {
    std::size_t valid = 0, due_soon = 0, expired = 0, unknown = 0;
    std::size_t needing_verification() const noexcept { return due_soon + expired; }
    /// Counts one meter in the state it is in.
    void add(verification_state s) noexcept {
        switch (s) {
            case verification_state::valid:
                ++valid;
                break;
            case verification_state::due_soon:
                ++due_soon;
                break;
            case verification_state::expired:
                ++expired;
                break;
            case verification_state::unknown:
                ++unknown;
                break;
        }
    }
};
/// Meters in service on `on` (not removed) of the fleet.
KVANT_API verification_counts count_verification(const fleet& f, calendar_date on,
                                                 const verification_policy& policy = {});

}  // namespace v0
}  // namespace kvant
