/// \file
/// Validation of entities. Every check reports every inconsistency it finds as an `issue` (never stops at the
/// first), naming the entity, its key and the field. Severity:
/// - error: the entity cannot be used as it stands (a bad INN check digit, a ratio of zero, a reading with no
///   register); imports refuse it.
/// - warning: real data is like this and must be kept, but someone should look (installation before
///   manufacture as in 004's meter card, a reading before installation or after removal). Imports keep it and
///   report it.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/model/abonent.hpp"
#include "kvant/model/account.hpp"
#include "kvant/model/comm_session.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/model/meter_event.hpp"
#include "kvant/model/meter_model.hpp"
#include "kvant/model/metering_point.hpp"
#include "kvant/model/organization.hpp"
#include "kvant/model/reading.hpp"
#include "kvant/model/reading_table.hpp"
#include "kvant/model/relay.hpp"

namespace kvant {
inline namespace v0 {

/// Plausibility ranges (docs/csv.md, "Plausible values"): a value outside is an error, at import and at every
/// store write (the store validates each entity). They are wide enough for any real utility and narrow enough
/// that no single value can make a later computation run for centuries of periods or overflow.
/// Reading, acceptance and event times: [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z).
inline constexpr std::int64_t plausible_first_unix = 0;
inline constexpr std::int64_t plausible_end_unix = 4'102'444'800;  // 2100-01-01T00:00:00Z, excluded
/// Civil dates (installed, removed, manufactured, verified, contract dates): 1900-01-01..2099-12-31.
inline constexpr calendar_date plausible_first_date = date::year{1900} / 1 / 1;
inline constexpr calendar_date plausible_last_date = date::year{2099} / 12 / 31;
/// Register values: 0..999999999999.999999 (12 integer digits, the longest register there is).
inline constexpr decimal max_register_value = decimal::from_raw(1'000'000'000'000LL * decimal::scale - 1);
/// A value of a channel: a cumulative register 0..max_register_value; any other kind (a temperature, an
/// interval value that may be negative on export) within ±max_register_value.
inline bool plausible_value(const channel& c, std::int64_t raw) noexcept {
    return raw <= max_register_value.raw() &&
           raw >= (c.kind == channel_kind::cumulative ? 0 : -max_register_value.raw());
}
inline std::string plausible_range_text(const channel& c) {
    return (c.kind == channel_kind::cumulative ? "0.." : "±") + to_string(max_register_value);
}
/// Transformer ratio (current × voltage transformer): (0, 1000000].
inline constexpr decimal max_transformer_ratio = decimal::from_integer(1'000'000);

enum class severity : std::uint8_t { warning, error };
inline constexpr detail::enum_text<severity, 2> severity_text{
    "severity", {{{severity::warning, "warning"}, {severity::error, "error"}}}};
KVANT_ENUM_TEXT(severity, severity_text)

/// How the rules that real data is known to break are applied (docs/validation.md lists them): identifier
/// check digits (the seed's own organisation, 001 §3.5.1, has wrong ones), an INN whose length does not go
/// with the OGRN's, dates out of order in a meter's passport (004's meter card). `lenient`, the default:
/// each is a warning, the record is stored and the issue reported. `strict`: each is an error that refuses
/// the record. Rules that make a record unusable (a malformed identifier, a value out of range, a removal
/// before installation) are errors under both.
enum class validation_policy : std::uint8_t { lenient, strict };
inline constexpr detail::enum_text<validation_policy, 2> validation_policy_text{
    "validation policy", {{{validation_policy::lenient, "lenient"}, {validation_policy::strict, "strict"}}}};
KVANT_ENUM_TEXT(validation_policy, validation_policy_text)

struct KVANT_API issue {
    severity level = severity::error;
    std::string entity;  ///< "meter", "account", ...
    std::string key;     ///< the entity's key
    std::string field;   ///< the field at fault
    std::string message;

    /// "error: meter 44103814060174: field 'installed': installation date 2020-01-21 is before ..."
    std::string to_string() const;
    friend bool operator==(const issue&, const issue&) = default;
};

using issues = std::vector<issue>;

/// True when any issue is an error.
KVANT_API bool has_errors(const issues& list) noexcept;

KVANT_API issues validate(const organization& o, validation_policy policy = validation_policy::lenient);
KVANT_API issues validate(const abonent& a);
KVANT_API issues validate(const account& a);
KVANT_API issues validate(const metering_point& p);
KVANT_API issues validate(const meter_model& m);
/// `model` may be null when the meter's model is unknown; with it, the meter's overrides are checked against
/// it.
KVANT_API issues validate(const meter& m, const meter_model* model = nullptr,
                          validation_policy policy = validation_policy::lenient);
/// A reading against its meter: registers present, tariff registers within the meter's count, dates.
/// `tariff_registers` is the meter's effective count (meter override, else model, else 1).
KVANT_API issues validate(const reading& r, const meter& m, int tariff_registers);
KVANT_API issues validate(const meter_event& e);

// ---- meter state
/// The longest session that is not suspicious: a session of more than a day is a warning (a collector that
/// failed to close it), not an error.
inline constexpr seconds max_plausible_session{std::chrono::hours{24}};
/// A relay change: meter given, time within 1970..2099, text valid (errors).
KVANT_API issues validate(const relay_change& r);
/// A session: meter given, start and end within 1970..2099, end not before start (errors); longer than
/// max_plausible_session (a warning).
KVANT_API issues validate(const comm_session& s);

/// An issue found in one row of a reading_table.
struct row_issue {
    std::size_t row = 0;
    issue what;
};
/// Validates every row of a batch with the reading rules above, without building a `reading` per row (the
/// import path). `meter_of_slot[k]` is the meter of `batch.meters()[k]` (null: unknown meter, an error), and
/// `tariffs_of_slot[k]` its effective number of tariff registers. `limit` caps the issues returned.
KVANT_API std::vector<row_issue> validate(const reading_table& batch,
                                          std::span<const meter* const> meter_of_slot,
                                          std::span<const int> tariffs_of_slot, std::size_t limit = 1000);

/// The first row of a batch whose time, acceptance time or a register value is outside the plausible ranges
/// above (the checks that need no meter), or nothing. One tight pass: every store write of readings runs it,
/// so that no API caller can store what an import would refuse.
KVANT_API std::optional<row_issue> first_implausible(const reading_table& batch);

/// The meter's effective number of tariff registers and register digits (meter override, else model).
KVANT_API int effective_tariff_registers(const meter& m, const meter_model* model) noexcept;
KVANT_API std::optional<int> effective_register_digits(const meter& m, const meter_model* model) noexcept;

}  // namespace v0
}  // namespace kvant
