/// \file
/// Канал: what a value measures. A channel is a quantity (active energy import, reactive energy by direction
/// or quadrant, volume, heat energy, a temperature, …), a tariff (total or T1..T8), a kind (cumulative
/// register, interval value, instantaneous value, maximum demand) and a unit. Every reading value belongs to
/// one channel; a series is one meter's one channel. Decoders, files, the store and hosts name channels the
/// same way:
///
/// - by name: `quantity[.kind][.tN][@unit]`, the kind and unit written only when they differ from the
///   quantity's defaults: `active_import` (A+ total, cumulative, kWh), `active_import.t1`,
///   `active_import.max.t2` (maximum demand in tariff 2, kW), `reactive_export`, `heat_energy@GJ`,
///   `flow_temperature`;
/// - by OBIS code (IEC 62056-61; electricity, group A = 1 or absent): `1.8.0` → active_import, `1.8.1` →
///   active_import.t1, `2.8.0` → active_export, `3.8.0`/`4.8.0` → reactive import/export, `5..8.8.0` →
///   reactive by quadrant, `9.8.0`/`10.8.0` → apparent, `15.8.0` → |A|, `1.6.0` → maximum demand, `1.29.0` →
///   a load-profile interval value, `32.7.0` → voltage L1, `31.7.0` → current L1, `13.7.0` → power factor;
///   accepted as `1.8.0`, `1-0:1.8.0`, `1-0:1.8.0*255` and `1-0:1.8.0.255`;
/// - from M-Bus records (EN 13757-3): decode/frame_mapping.hpp maps a decoded record's quantity, unit and
///   function to a channel (docs/channels.md, "M-Bus records").
///
/// docs/channels.md has the tables. The numeric code (`channel::code`) is what the store keeps; its layout is
/// fixed (quantity, kind, tariff, unit in bytes 3..0) and new quantities and units are only ever appended.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvant/core/error.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/enums.hpp"

namespace kvant {
inline namespace v0 {

/// What is measured. Numbers are stored: append only.
enum class quantity : std::uint8_t {
    active_import,  ///< A+, активная энергия прямого направления (OBIS C = 1)
    active_export,    ///< A−, обратного направления (C = 2)
    reactive_import,  ///< R+ (C = 3)
    reactive_export,  ///< R− (C = 4)
    reactive_q1,      ///< reactive energy in quadrant I (C = 5)
    reactive_q2,      ///< quadrant II (C = 6)
    reactive_q3,      ///< quadrant III (C = 7)
    reactive_q4,      ///< quadrant IV (C = 8)
    apparent_import,  ///< S+ (C = 9)
    apparent_export,  ///< S− (C = 10)
    active_absolute,  ///< |A| = A+ + A− (C = 15)
    power_factor,     ///< cos φ (C = 13)
    frequency,        ///< supply frequency (C = 14)
    current_l1,       ///< phase currents (C = 31, 51, 71)
    current_l2,
    current_l3,
    voltage_l1,  ///< phase voltages (C = 32, 52, 72)
    voltage_l2,
    voltage_l3,
    volume,                  ///< water, gas, heat-carrier volume
    heat_energy,             ///< тепловая энергия
    mass,                    ///< heat-carrier mass
    flow_temperature,        ///< температура подачи
    return_temperature,      ///< температура обратки
    temperature_difference,  ///< подача − обратка
    volume_flow,             ///< расход, m³/h
    power,                   ///< heat power (M-Bus) or instantaneous power
    operating_time,          ///< время наработки
    external_temperature,
};
inline constexpr std::size_t quantity_count = 29;
inline constexpr detail::enum_text<quantity, quantity_count> quantity_text{
    "quantity",
    {{{quantity::active_import, "active_import"},
      {quantity::active_export, "active_export"},
      {quantity::reactive_import, "reactive_import"},
      {quantity::reactive_export, "reactive_export"},
      {quantity::reactive_q1, "reactive_q1"},
      {quantity::reactive_q2, "reactive_q2"},
      {quantity::reactive_q3, "reactive_q3"},
      {quantity::reactive_q4, "reactive_q4"},
      {quantity::apparent_import, "apparent_import"},
      {quantity::apparent_export, "apparent_export"},
      {quantity::active_absolute, "active_absolute"},
      {quantity::power_factor, "power_factor"},
      {quantity::frequency, "frequency"},
      {quantity::current_l1, "current_l1"},
      {quantity::current_l2, "current_l2"},
      {quantity::current_l3, "current_l3"},
      {quantity::voltage_l1, "voltage_l1"},
      {quantity::voltage_l2, "voltage_l2"},
      {quantity::voltage_l3, "voltage_l3"},
      {quantity::volume, "volume"},
      {quantity::heat_energy, "heat_energy"},
      {quantity::mass, "mass"},
      {quantity::flow_temperature, "flow_temperature"},
      {quantity::return_temperature, "return_temperature"},
      {quantity::temperature_difference, "temperature_difference"},
      {quantity::volume_flow, "volume_flow"},
      {quantity::power, "power"},
      {quantity::operating_time, "operating_time"},
      {quantity::external_temperature, "external_temperature"}}}};
KVANT_ENUM_TEXT(quantity, quantity_text)

/// How a value relates to time. A cumulative register only grows (or wraps); its differences are
/// consumption. An interval value is the consumption of the interval ending at its time (a load profile).
enum class channel_kind : std::uint8_t { cumulative, interval, instantaneous, maximum };
inline constexpr detail::enum_text<channel_kind, 4> channel_kind_text{
    "channel kind",
    {{{channel_kind::cumulative, "cumulative"},
      {channel_kind::interval, "interval"},
      {channel_kind::instantaneous, "instant"},
      {channel_kind::maximum, "max"}}}};
KVANT_ENUM_TEXT(channel_kind, channel_kind_text)

/// The tariff of a value: the total or tariff 1..8 (Общий, Т1..Т8; DLMS allows eight).
enum class register_id : std::uint8_t { total = 0, t1, t2, t3, t4, t5, t6, t7, t8 };
inline constexpr std::size_t register_count = 9;
inline constexpr detail::enum_text<register_id, register_count> register_id_text{
    "tariff",
    {{{register_id::total, "total"},
      {register_id::t1, "t1"},
      {register_id::t2, "t2"},
      {register_id::t3, "t3"},
      {register_id::t4, "t4"},
      {register_id::t5, "t5"},
      {register_id::t6, "t6"},
      {register_id::t7, "t7"},
      {register_id::t8, "t8"}}}};
KVANT_ENUM_TEXT(register_id, register_id_text)
/// Tariff n (1..8) as a register_id.
constexpr register_id tariff_register(int n) noexcept {
    return static_cast<register_id>(n);
}

/// The kind and unit a quantity has unless said otherwise.
KVANT_API channel_kind default_kind(quantity q) noexcept;
KVANT_API unit default_unit(quantity q, channel_kind k) noexcept;

struct KVANT_API channel {
    quantity what = quantity::active_import;
    register_id tariff = register_id::total;
    channel_kind kind = channel_kind::cumulative;
    unit in = unit::kwh;

    /// The quantity's default kind and unit.
    static channel of(quantity q, register_id tariff = register_id::total) noexcept {
        const channel_kind k = default_kind(q);
        return {q, tariff, k, default_unit(q, k)};
    }
    /// The main quantity of a resource, in its unit: active import for electricity, heat energy for heat,
    /// volume for water and gas. Today's wide files (total, t1..t4) map onto these.
    static channel main(resource r, register_id tariff = register_id::total) noexcept;

    /// The same channel in another tariff.
    channel with_tariff(register_id t) const noexcept { return {what, t, kind, in}; }

    /// The stored number: quantity, kind, tariff, unit in bytes 3..0.
    std::uint32_t code() const noexcept {
        return std::uint32_t{static_cast<std::uint8_t>(what)} << 24 |
               std::uint32_t{static_cast<std::uint8_t>(kind)} << 16 |
               std::uint32_t{static_cast<std::uint8_t>(tariff)} << 8 | static_cast<std::uint8_t>(in);
    }
    /// The channel of a stored number; none when a field is outside today's vocabularies.
    static std::optional<channel> from_code(std::uint32_t code) noexcept;

    friend bool operator==(const channel& a, const channel& b) noexcept { return a.code() == b.code(); }
    friend auto operator<=>(const channel& a, const channel& b) noexcept { return a.code() <=> b.code(); }
};

/// The channel's name: `active_import`, `active_import.t1`, `active_import.max.t2`, `heat_energy@GJ`.
KVANT_API std::string to_string(const channel& c);
/// A channel from its name or OBIS code; none when it is neither.
KVANT_API std::optional<channel> try_parse_channel(std::string_view text) noexcept;
/// The same, throwing parse_error(invalid_enum) naming the text and where it was read.
KVANT_API channel parse_channel(std::string_view text, location where = {});
/// How reports and messages name a channel beside a meter's main one: a tariff register of `main`'s
/// quantity by its tariff ("total", "t1"), any other channel by its name ("active_export",
/// "reactive_import.t1").
inline std::string channel_label(const channel& c, const channel& main) {
    return c.with_tariff(register_id::total) == main.with_tariff(register_id::total)
               ? std::string(to_string(c.tariff))
               : to_string(c);
}

/// The OBIS code of a channel of electricity ("1.8.0"), or none when OBIS has no code for it (volume, heat).
KVANT_API std::optional<std::string> obis_code(const channel& c);

}  // namespace v0
}  // namespace kvant

template <>
struct std::hash<kvant::channel> {
    std::size_t operator()(const kvant::channel& c) const noexcept {
        return std::hash<std::uint32_t>{}(c.code());
    }
};
