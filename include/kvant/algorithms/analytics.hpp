/// \file
/// The tiles of the energy retailer's analytics panel (004 §3.1, Рисунок 35): the share of registered
/// abonents, the share of meters by manufacturer, the load state (meters with the relay off), the meters
/// needing verification per organisation, and the data collection rate per organisation and resource.
/// Pure: every input is passed in (a `fleet`, relay changes, value times); no store, no clock.
///
/// Choices (docs/analytics.md):
/// - A share is a percent: 100 × part / whole rounded half to even to two decimal places (hundredths of a
///   percent: 1 of 3 is 33.33, 1 of 32 is 3.12); 0 when the whole is 0. The counts beside it are exact.
/// - A meter is in service at an instant when, on its local date (fleet::zone_of), it is installed (on or
///   before that date, or no date recorded) and not removed (снят с учёта on or before that date). The
///   manufacturer, load and verification tiles count meters in service.
/// - A meter belongs to the organisation of its account's abonent (meter → point → account → abonent); a
///   meter without that chain belongs to no organisation (""), and is left out when a tile is asked for one
///   organisation.
/// - The relay position at an instant is that of the latest change at or before it; none means on. Two
///   changes of one meter at the same second (not storable: (meter, time) is the key) resolve to off, so
///   the answer never depends on input order.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/algorithms/verification.hpp"
#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"
#include "kvant/core/time.hpp"
#include "kvant/model/fleet.hpp"
#include "kvant/model/relay.hpp"

namespace kvant {
inline namespace v0 {

/// 100 × part / whole, rounded half to even to two decimal places; 0 when whole is 0.
KVANT_API decimal percent_of(std::size_t part, std::size_t whole);

/// One instant of one meter: a value's time, a session's or reading's time (the inputs of the tiles).
struct meter_time {
    std::string meter;  ///< meter::serial
    instant time;
    friend bool operator==(const meter_time&, const meter_time&) = default;
};

/// Whether a meter is in service at `at` (see the file comment), its dates taken in zone `z`.
KVANT_API bool in_service(const meter& m, const zone& z, instant at);

/// The organisation id of a meter ("" without the chain meter → point → account → abonent).
KVANT_API std::string organization_id_of(const fleet& f, const meter& m);

/// The relay position of each meter that has a change at or before `at` (meters absent are on).
KVANT_API std::map<std::string, relay_position, std::less<>> relay_positions_at(
    std::span<const relay_change> changes, instant at);

// ---- abonents: registered and not (004 §3.1 "статистика по абонентам")

struct registration_share {
    std::size_t abonents = 0;
    std::size_t registered = 0;  ///< abonent::registered at or before the instant
    std::size_t unregistered = 0;
    decimal registered_percent;
    decimal unregistered_percent;
};
/// The abonents of an organisation (all when `organization` is empty) and how many registered by `at`.
KVANT_API registration_share registered_abonents(const fleet& f, instant at,
                                                 std::string_view organization = {});

// ---- meters by manufacturer (004 §3.1 "статистика по ПУ")

struct manufacturer_count {
    std::string manufacturer;  ///< meter_model::manufacturer as stored
    std::size_t meters = 0;
    decimal percent;  ///< of all meters counted, the unknown ones included
};
struct manufacturer_shares {
    std::size_t meters = 0;                         ///< meters in service counted
    std::vector<manufacturer_count> manufacturers;  ///< most meters first, then by name
    std::size_t unknown = 0;                        ///< no model, an unknown model, or no manufacturer
    decimal unknown_percent;
};
KVANT_API manufacturer_shares share_by_manufacturer(const fleet& f, instant at,
                                                    std::string_view organization = {});

// ---- load state (004 §3.1 "состояние нагрузки ПУ")

struct load_state {
    std::size_t meters = 0;  ///< meters in service
    std::size_t on = 0;
    std::size_t off = 0;  ///< relay off at the instant: disconnected (Отключен)
    decimal off_percent;
    std::vector<std::string> off_meters;  ///< their serials, in order
};
KVANT_API load_state load_state_at(const fleet& f, std::span<const relay_change> changes, instant at,
                                   std::string_view organization = {});

// ---- verification per organisation (004 §3.1 "количество ПУ, требующих поверки")

struct organization_verification {
    std::string organization;  ///< organization::id; "" for meters without one
    verification_counts counts;
    std::size_t needing() const noexcept { return counts.needing_verification(); }
};
/// The verification state of every meter in service at `at` (its local date), per organisation in id order.
KVANT_API std::vector<organization_verification> verification_by_organization(
    const fleet& f, instant at, const verification_policy& policy = {}, std::string_view organization = {});

// ---- data collection rate (004 §3.1 "статистика собираемости данных")

/// What counts as a meter's daily data for the start of today.
///
/// Under control: meter::under_control, and in service at `now`. Collected: it has a value of its main
/// quantity's total register (channel::main(resource)) stamped at local midnight that starts today (its
/// zone), or at the latest before it within `tolerance`: a time t with midnight − tolerance < t ≤
/// midnight. The default tolerance of one day takes the last value of yesterday as the register at the
/// start of today, which is how a meter read once a day is billed; a value stamped after midnight is data
/// of today, not for its start. A relay that is off does not take a meter out of control: it still reports.
struct daily_collection_policy {
    seconds tolerance{24 * 3600};
};

struct collection_group {
    std::string organization;  ///< "" for meters without one
    resource measures = resource::electricity;
    std::size_t under_control = 0;
    std::size_t collected = 0;
    decimal percent;
    std::vector<std::string> missing;  ///< serials under control without the data, in order
};
struct daily_collection {
    std::vector<collection_group> groups;  ///< by organisation id, then resource
    std::size_t under_control = 0;         ///< over all groups
    std::size_t collected = 0;
    decimal percent;
};
/// `main_values`: times of main-quantity total values, any meters, any order, any number per meter
/// (values outside the window are ignored).
KVANT_API daily_collection daily_collection_rate(const fleet& f, std::span<const meter_time> main_values,
                                                 instant now, const daily_collection_policy& policy = {},
                                                 std::string_view organization = {});

// ---- every tile at once

struct analytics_input {
    std::span<const relay_change> relays;     ///< relay history (any order); empty: every relay on
    std::span<const meter_time> main_values;  ///< see daily_collection_rate
};
struct analytics_options {
    std::string organization;  ///< empty: every organisation
    verification_policy verification;
    daily_collection_policy collection;
};
struct analytics_report {
    instant at;
    registration_share abonents;
    manufacturer_shares manufacturers;
    load_state load;
    std::vector<organization_verification> verification;
    std::size_t needing_verification = 0;  ///< the sum over the organisations
    daily_collection collection;
};
KVANT_API analytics_report analyze(const fleet& f, const analytics_input& in, instant at,
                                   const analytics_options& options = {});

}  // namespace v0
}  // namespace kvant
