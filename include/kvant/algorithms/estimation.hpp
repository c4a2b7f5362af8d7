/// \file
/// Estimation of missing consumption. Policies with their sources (docs/anomalies.md, docs/estimation.md):
///
/// 1. Billing (ПП 354 п. 59, 60) [secondary]: a billing period without readings that bracket it is billed at
/// the
///    meter's average monthly consumption — over the last `history_periods` (6) complete periods before the
///    gap, or at least `young_history_periods` (3) when the meter's history is shorter — for at most
///    `max_average_periods` (3) periods (electricity, since 2020: until the meter is replaced); after that,
///    or without enough history, at the normative (an input per account and resource), times
///    `failed_multiplier` (1.5) when the meter has failed or its verification expired. When real readings
///    arrive the periods become complete again and `recalculate` reports the difference from what was charged
///    (п. 61).
/// 2. Interval data (VEE) [text: California CPUC rules, IESO, MDM practice]: missing points of a regular
///    series are filled, never overwriting an actual one. A gap up to `max_interpolation` (2 h) is
///    interpolated linearly; a longer gap takes the like-day profile (the same time of day on the last
///    `like_days` days of the same kind, weekday or weekend) and, when actual readings bracket the gap, is
///    shaped so that it ends exactly on the next actual register value. Every value carries its quality flag.
/// 3. The building share ОДН (formula 12 of ПП 354) [text]: (building − non-residential − flats billed by
///    normative − flats with meters) × flat area / total area, with a policy for a negative share.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kvant/algorithms/consumption.hpp"
#include "kvant/core/export.hpp"

namespace kvant {
inline namespace v0 {

// ---------------------------------------------------------------- billing ladder
enum class estimate_basis : std::uint8_t { actual, average, normative, normative_increased, none };
inline constexpr detail::enum_text<estimate_basis, 5> estimate_basis_text{
    "estimate basis",
    {{{estimate_basis::actual, "actual"},
      {estimate_basis::average, "average"},
      {estimate_basis::normative, "normative"},
      {estimate_basis::normative_increased, "normative_increased"},
      {estimate_basis::none, "none"}}}};
KVANT_ENUM_TEXT(estimate_basis, estimate_basis_text)

struct billing_policy {
    int history_periods = 6;                 ///< п. 59: average over at least 6 months
    int young_history_periods = 3;           ///< ... at least 3 for a meter with a shorter history
    int max_average_periods = 3;             ///< п. 59: for at most 3 billing periods
    bool average_until_replacement = false;  ///< electricity since 2020 (set for electricity meters)
    decimal failed_multiplier = decimal::from_raw(1'500'000);  ///< п. 60(1): ×1.5 for a failed meter
};

struct billing_estimate {
    calendar_date period_start;
    estimate_basis basis = estimate_basis::none;
    std::int64_t value = 0;  ///< raw decimal
};

/// The bill basis of every period of `monthly` (consumption per billing period of one register).
/// `normative`: the consumption normative per period for the account and resource (none: periods that would
/// need it get basis none). `failed`: the meter has failed or its verification expired.
KVANT_API std::vector<billing_estimate> estimate_billing(const meter_consumption& periods, register_id reg,
                                                         std::optional<decimal> normative, bool failed,
                                                         const billing_policy& policy = {});

/// What changes when real readings replace estimates: `now` (complete again) minus what was `charged`, per
/// period that was estimated.
struct recalculation {
    calendar_date period_start;
    std::int64_t charged = 0, actual = 0, difference = 0;  ///< raw
};
KVANT_API std::vector<recalculation> recalculate(std::span<const billing_estimate> charged,
                                                 const meter_consumption& now, register_id reg);

// ---------------------------------------------------------------- interval data (VEE)
enum class quality : std::uint8_t { actual, interpolated, profiled, shaped };
inline constexpr detail::enum_text<quality, 4> quality_text{"quality",
                                                            {{{quality::actual, "actual"},
                                                              {quality::interpolated, "interpolated"},
                                                              {quality::profiled, "profiled"},
                                                              {quality::shaped, "shaped"}}}};
KVANT_ENUM_TEXT(quality, quality_text)

struct vee_policy {
    seconds step{std::chrono::minutes{30}};            ///< the series' regular interval
    seconds max_interpolation{std::chrono::hours{2}};  ///< California: 2 h; IESO: 1 h
    int like_days = 4;                                 ///< days of history for the profile
    /// The most grid points one call fills (from the first reading to the last, or to `until`): 2 million is
    /// 114 years of half-hours or 3.8 years of minutes. More is config_error(out_of_range), never minutes of
    /// work or a 100 MB answer.
    std::size_t max_points = 2'000'000;
};

struct filled_point {
    std::int64_t time = 0;
    std::int64_t value = 0;  ///< register value, raw
    quality flag = quality::actual;
};

/// The register at every step from the first to the last reading (or to `until`, profiled), actual points
/// kept as they are. Timestamps off the step grid are kept as actual points too. The zone decides weekdays.
/// config_error(out_of_range) when the step is outside 1 s..1 day or the grid exceeds `max_points`.
KVANT_API std::vector<filled_point> fill_gaps(series_view s, const zone& z, const vee_policy& policy = {},
                                              std::optional<std::int64_t> until = std::nullopt);

// ---------------------------------------------------------------- building share (formula 12)
enum class negative_share : std::uint8_t { clip_to_zero, distribute, carry_forward };
inline constexpr detail::enum_text<negative_share, 3> negative_share_text{
    "negative share policy",
    {{{negative_share::clip_to_zero, "clip"},
      {negative_share::distribute, "distribute"},
      {negative_share::carry_forward, "carry"}}}};
KVANT_ENUM_TEXT(negative_share, negative_share_text)

struct building_share_input {
    decimal building;                                    ///< the building meter's consumption
    decimal non_residential;                             ///< non-residential premises
    decimal normative_flats;                             ///< flats billed by normative
    decimal metered_flats;                               ///< flats with individual meters
    decimal total_area;                                  ///< all premises, m²
    std::vector<std::pair<std::string, decimal>> flats;  ///< account, area
};
struct building_share {
    decimal to_share;  ///< the bracket of formula 12 (may be negative)
    std::vector<std::pair<std::string, decimal>>
        shares;       ///< per account, adding up exactly to what is distributed
    decimal carried;  ///< a negative remainder carried forward (carry_forward policy)
};
KVANT_API building_share share_building(const building_share_input& in,
                                        negative_share policy = negative_share::clip_to_zero);

}  // namespace v0
}  // namespace kvant
