/// \file
/// The closed vocabularies of the model, each with a stable text name used in CSV, JSON and the store.
/// `to_string(x)` gives the name; `parse_<type>(text)` reads it back (parse_error invalid_enum otherwise).
#pragma once

#include <cstdint>

#include "kvant/detail/enum_text.hpp"

namespace kvant {
inline namespace v0 {

#define KVANT_DETAIL_ENUM_TEXT(E, table)                                 \
    KVANT_ENUM_TEXT(E, table)                                            \
    inline E parse_##E(std::string_view s, location where = {}) {        \
        return table.parse(s, std::move(where));                         \
    }                                                                    \
    inline std::optional<E> try_parse_##E(std::string_view s) noexcept { \
        return table.find(s);                                            \
    }

/// Ресурс: what a meter measures.
enum class resource : std::uint8_t { electricity, cold_water, hot_water, heat, gas, wastewater };
inline constexpr detail::enum_text<resource, 6> resource_text{"resource",
                                                              {{{resource::electricity, "electricity"},
                                                                {resource::cold_water, "cold_water"},
                                                                {resource::hot_water, "hot_water"},
                                                                {resource::heat, "heat"},
                                                                {resource::gas, "gas"},
                                                                {resource::wastewater, "wastewater"}}}};
KVANT_DETAIL_ENUM_TEXT(resource, resource_text)

/// The unit a value is kept in. A resource's main quantity is in its resource unit (unit_of); channels of
/// other quantities carry their own (docs/channels.md). New units are added at the end: the numbers are
/// stored.
enum class unit : std::uint8_t {
    kwh,
    m3,
    gcal,
    gj,
    mwh,
    kvarh,
    kvah,
    kw,
    kvar,
    kva,
    volt,
    ampere,
    hertz,
    celsius,
    kelvin,
    tonne,
    m3_per_hour,
    hour,
    ratio
};
inline constexpr detail::enum_text<unit, 19> unit_text{"unit",
                                                       {{{unit::kwh, "kWh"},
                                                         {unit::m3, "m3"},
                                                         {unit::gcal, "Gcal"},
                                                         {unit::gj, "GJ"},
                                                         {unit::mwh, "MWh"},
                                                         {unit::kvarh, "kvarh"},
                                                         {unit::kvah, "kVAh"},
                                                         {unit::kw, "kW"},
                                                         {unit::kvar, "kvar"},
                                                         {unit::kva, "kVA"},
                                                         {unit::volt, "V"},
                                                         {unit::ampere, "A"},
                                                         {unit::hertz, "Hz"},
                                                         {unit::celsius, "C"},
                                                         {unit::kelvin, "K"},
                                                         {unit::tonne, "t"},
                                                         {unit::m3_per_hour, "m3/h"},
                                                         {unit::hour, "h"},
                                                         {unit::ratio, "1"}}}};
KVANT_DETAIL_ENUM_TEXT(unit, unit_text)

constexpr unit unit_of(resource r) noexcept {
    switch (r) {
        case resource::electricity:
            return unit::kwh;
        case resource::heat:
            return unit::gcal;
        default:
            return unit::m3;
    }
}
/// The symbol people read: "kWh", "m³", "Gcal", "°C"; empty for a dimensionless ratio.
constexpr std::string_view unit_symbol(unit u) noexcept {
    switch (u) {
        case unit::kwh:
            return "kWh";
        case unit::m3:
            return "m³";
        case unit::gcal:
            return "Gcal";
        case unit::gj:
            return "GJ";
        case unit::mwh:
            return "MWh";
        case unit::kvarh:
            return "kvarh";
        case unit::kvah:
            return "kVAh";
        case unit::kw:
            return "kW";
        case unit::kvar:
            return "kvar";
        case unit::kva:
            return "kVA";
        case unit::volt:
            return "V";
        case unit::ampere:
            return "A";
        case unit::hertz:
            return "Hz";
        case unit::celsius:
            return "°C";
        case unit::kelvin:
            return "K";
        case unit::tonne:
            return "t";
        case unit::m3_per_hour:
            return "m³/h";
        case unit::hour:
            return "h";
        case unit::ratio:
            return "";
    }
    return "?";
}
/// The Russian symbol as the seeds print it: "кВт·ч", "куб. м", "Гкал".
constexpr std::string_view unit_symbol_ru(unit u) noexcept {
    switch (u) {
        case unit::kwh:
            return "кВт·ч";
        case unit::m3:
            return "куб. м";
        case unit::gcal:
            return "Гкал";
        case unit::gj:
            return "ГДж";
        case unit::mwh:
            return "МВт·ч";
        case unit::kvarh:
            return "квар·ч";
        case unit::kvah:
            return "кВА·ч";
        case unit::kw:
            return "кВт";
        case unit::kvar:
            return "квар";
        case unit::kva:
            return "кВА";
        case unit::volt:
            return "В";
        case unit::ampere:
            return "А";
        case unit::hertz:
            return "Гц";
        case unit::celsius:
            return "°C";
        case unit::kelvin:
            return "К";
        case unit::tonne:
            return "т";
        case unit::m3_per_hour:
            return "куб. м/ч";
        case unit::hour:
            return "ч";
        case unit::ratio:
            return "";
    }
    return "?";
}
/// Decimal places a screen shows for a resource, as in the seeds (48880.10 kWh; 352.2480 m³; 7079.1004 Gcal).
constexpr int display_places(resource r) noexcept {
    return r == resource::electricity ? 2 : 4;
}

/// ИПУ (individual, apartment) or ОДПУ / балансовый (building, balance) meter.
enum class meter_role : std::uint8_t { individual, building };
inline constexpr detail::enum_text<meter_role, 2> meter_role_text{
    "meter role", {{{meter_role::individual, "individual"}, {meter_role::building, "building"}}}};
KVANT_DETAIL_ENUM_TEXT(meter_role, meter_role_text)

/// How a reading reached the system.
enum class reading_source : std::uint8_t { automatic, manual, abonent, estimated };
inline constexpr detail::enum_text<reading_source, 4> reading_source_text{
    "reading source",
    {{{reading_source::automatic, "automatic"},
      {reading_source::manual, "manual"},
      {reading_source::abonent, "abonent"},
      {reading_source::estimated, "estimated"}}}};
KVANT_DETAIL_ENUM_TEXT(reading_source, reading_source_text)

/// Тип включения: direct, semi-indirect (through current transformers), indirect (current and voltage).
enum class connection_type : std::uint8_t { direct, semi_indirect, indirect };
inline constexpr detail::enum_text<connection_type, 3> connection_type_text{
    "connection type",
    {{{connection_type::direct, "direct"},
      {connection_type::semi_indirect, "semi_indirect"},
      {connection_type::indirect, "indirect"}}}};
KVANT_DETAIL_ENUM_TEXT(connection_type, connection_type_text)

/// Тип строения of an account's premises.
enum class building_type : std::uint8_t { apartment, private_house, non_residential };
inline constexpr detail::enum_text<building_type, 3> building_type_text{
    "building type",
    {{{building_type::apartment, "apartment"},
      {building_type::private_house, "private_house"},
      {building_type::non_residential, "non_residential"}}}};
KVANT_DETAIL_ENUM_TEXT(building_type, building_type_text)

/// ТСЖ, УК, СНТ, ДНТ, ЭСО (energy retailer) or another kind of organisation.
enum class organization_kind : std::uint8_t { tszh, uk, snt, dnt, eso, other };
inline constexpr detail::enum_text<organization_kind, 6> organization_kind_text{
    "organization kind",
    {{{organization_kind::tszh, "tszh"},
      {organization_kind::uk, "uk"},
      {organization_kind::snt, "snt"},
      {organization_kind::dnt, "dnt"},
      {organization_kind::eso, "eso"},
      {organization_kind::other, "other"}}}};
KVANT_DETAIL_ENUM_TEXT(organization_kind, organization_kind_text)

/// A natural person or a legal entity.
enum class abonent_kind : std::uint8_t { person, legal };
inline constexpr detail::enum_text<abonent_kind, 2> abonent_kind_text{
    "abonent kind", {{{abonent_kind::person, "person"}, {abonent_kind::legal, "legal"}}}};
KVANT_DETAIL_ENUM_TEXT(abonent_kind, abonent_kind_text)

/// What a meter event reports. The code itself (e.g. an СПОДЭС event code) is kept beside it.
enum class event_kind : std::uint8_t { tamper, fault, relay, power, communication, access, other };
inline constexpr detail::enum_text<event_kind, 7> event_kind_text{
    "event kind",
    {{{event_kind::tamper, "tamper"},
      {event_kind::fault, "fault"},
      {event_kind::relay, "relay"},
      {event_kind::power, "power"},
      {event_kind::communication, "communication"},
      {event_kind::access, "access"},
      {event_kind::other, "other"}}}};
KVANT_DETAIL_ENUM_TEXT(event_kind, event_kind_text)

#undef KVANT_DETAIL_ENUM_TEXT

}  // namespace v0
}  // namespace kvant
