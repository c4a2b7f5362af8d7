/// \file
/// Нештатная ситуация: an abnormal situation found in the data, which an administrator sees and later marks
/// as resolved (001 §3.4.4). `key` identifies it stably — type, meter, register and the instant it began — so
/// that running detection again over the same data finds the same key and creates no duplicate; the stored
/// status (open, or resolved with when and by whom) survives re-detection.
#pragma once

#include <optional>
#include <string>

#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant {
inline namespace v0 {

enum class anomaly_type : std::uint8_t {
    reading_decrease,
    rollover,
    no_link,
    tamper,
    fault,
    relay_off,
    tariff_sum_mismatch,
    stuck_register,
    consumption_after_removal,
    future_reading,
    gap,
    spike,
    building_imbalance,
    verification_expired,
    data_inconsistency,
    high_usage,
    low_usage,
    zero_consumption,
    duplicate_reading
};
inline constexpr detail::enum_text<anomaly_type, 19> anomaly_type_text{
    "anomaly type",
    {{{anomaly_type::reading_decrease, "reading_decrease"},
      {anomaly_type::rollover, "rollover"},
      {anomaly_type::no_link, "no_link"},
      {anomaly_type::tamper, "tamper"},
      {anomaly_type::fault, "fault"},
      {anomaly_type::relay_off, "relay_off"},
      {anomaly_type::tariff_sum_mismatch, "tariff_sum_mismatch"},
      {anomaly_type::stuck_register, "stuck_register"},
      {anomaly_type::consumption_after_removal, "consumption_after_removal"},
      {anomaly_type::future_reading, "future_reading"},
      {anomaly_type::gap, "gap"},
      {anomaly_type::spike, "spike"},
      {anomaly_type::building_imbalance, "building_imbalance"},
      {anomaly_type::verification_expired, "verification_expired"},
      {anomaly_type::data_inconsistency, "data_inconsistency"},
      {anomaly_type::high_usage, "high_usage"},
      {anomaly_type::low_usage, "low_usage"},
      {anomaly_type::zero_consumption, "zero_consumption"},
      {anomaly_type::duplicate_reading, "duplicate_reading"}}}};
KVANT_ENUM_TEXT(anomaly_type, anomaly_type_text)

enum class anomaly_severity : std::uint8_t { info, warning, critical };
inline constexpr detail::enum_text<anomaly_severity, 3> anomaly_severity_text{
    "severity",
    {{{anomaly_severity::info, "info"},
      {anomaly_severity::warning, "warning"},
      {anomaly_severity::critical, "critical"}}}};
KVANT_ENUM_TEXT(anomaly_severity, anomaly_severity_text)

enum class anomaly_status : std::uint8_t { open, resolved };
inline constexpr detail::enum_text<anomaly_status, 2> anomaly_status_text{
    "anomaly status", {{{anomaly_status::open, "open"}, {anomaly_status::resolved, "resolved"}}}};
KVANT_ENUM_TEXT(anomaly_status, anomaly_status_text)

struct anomaly {
    std::string key;  ///< stable identity, see above
    anomaly_type type = anomaly_type::reading_decrease;
    anomaly_severity level = anomaly_severity::warning;
    std::string meter;    ///< serial, or the building key for a building imbalance
    std::string account;  ///< the meter's personal account, when known
    instant from;         ///< when the situation began
    instant to;           ///< when it was last seen (or ended)
    std::string message_ru;
    std::string message_en;
    anomaly_status status = anomaly_status::open;
    std::optional<instant> resolved_at;
    std::string resolved_by;
    /// When the store first stored it and when detection last found it again (the store's clock, set by
    /// store::put_anomalies; what the caller passes is ignored). Absent for one never stored.
    std::optional<instant> first_detected;
    std::optional<instant> last_detected;
    friend bool operator==(const anomaly&, const anomaly&) = default;
};

}  // namespace v0
}  // namespace kvant
