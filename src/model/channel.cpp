#include "kvant/model/channel.hpp"

#include <array>
#include <charconv>

namespace kvant {
inline namespace v0 {
namespace {

// The OBIS group C of each electrical quantity (0: none).
constexpr int obis_c(quantity q) noexcept {
    switch (q) {
        case quantity::active_import:
            return 1;
        case quantity::active_export:
            return 2;
        case quantity::reactive_import:
            return 3;
        case quantity::reactive_export:
            return 4;
        case quantity::reactive_q1:
            return 5;
        case quantity::reactive_q2:
            return 6;
        case quantity::reactive_q3:
            return 7;
        case quantity::reactive_q4:
            return 8;
        case quantity::apparent_import:
            return 9;
        case quantity::apparent_export:
            return 10;
        case quantity::power_factor:
            return 13;
        case quantity::frequency:
            return 14;
        case quantity::active_absolute:
            return 15;
        case quantity::current_l1:
            return 31;
        case quantity::voltage_l1:
            return 32;
        case quantity::current_l2:
            return 51;
        case quantity::voltage_l2:
            return 52;
        case quantity::current_l3:
            return 71;
        case quantity::voltage_l3:
            return 72;
        default:
            return 0;
    }
}

constexpr int obis_d(channel_kind k) noexcept {
    switch (k) {
        case channel_kind::cumulative:
            return 8;
        case channel_kind::maximum:
            return 6;
        case channel_kind::instantaneous:
            return 7;
        case channel_kind::interval:
            return 29;
    }
    return 0;
}

constexpr bool is_energy(quantity q) noexcept {
    return q <= quantity::active_absolute && q != quantity::power_factor;
}

std::optional<int> small_number(std::string_view s) noexcept {
    int v = 0;
    // digits only: from_chars would take a minus sign ("1--1:1.8.0", "1.8.-0")
    if (s.empty() || s.size() > 3 || s.front() < '0' || s.front() > '9') return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// "1.8.0", "1-0:1.8.0", "1-0:1.8.0*255", "1-0:1.8.0.255"
std::optional<channel> parse_obis(std::string_view s) noexcept {
    if (auto colon = s.find(':'); colon != std::string_view::npos) {
        const auto ab = s.substr(0, colon);
        const auto dash = ab.find('-');
        if (dash == std::string_view::npos || small_number(ab.substr(0, dash)) != 1 ||
            !small_number(ab.substr(dash + 1)))
            return std::nullopt;
        s.remove_prefix(colon + 1);
    }
    if (auto star = s.find('*'); star != std::string_view::npos) {
        if (small_number(s.substr(star + 1)) != 255) return std::nullopt;
        s = s.substr(0, star);
    }
    std::array<int, 4> part{};
    std::size_t n = 0;
    while (true) {
        const auto dot = s.find('.');
        if (n == 4) return std::nullopt;
        const auto v = small_number(s.substr(0, dot));
        if (!v) return std::nullopt;
        part[n++] = *v;
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
    }
    if (n < 3 || (n == 4 && part[3] != 255)) return std::nullopt;
    const int c = part[0], d = part[1], e = part[2];
    std::optional<quantity> q;
    for (std::size_t i = 0; i < quantity_count; ++i)
        if (obis_c(static_cast<quantity>(i)) == c) q = static_cast<quantity>(i);
    if (!q) return std::nullopt;
    channel_kind k;
    if (d == 8)
        k = channel_kind::cumulative;
    else if (d == 6)
        k = channel_kind::maximum;
    else if (d == 7)
        k = channel_kind::instantaneous;
    else if (d == 29)
        k = channel_kind::interval;
    else
        return std::nullopt;
    if (e < 0 || e > 8) return std::nullopt;
    if (!is_energy(*q) && k != channel_kind::instantaneous) return std::nullopt;
    if (!is_energy(*q) && e != 0) return std::nullopt;
    return channel{*q, static_cast<register_id>(e), k, default_unit(*q, k)};
}

}  // namespace

channel_kind default_kind(quantity q) noexcept {
    if (is_energy(q)) return channel_kind::cumulative;
    switch (q) {
        case quantity::volume:
        case quantity::heat_energy:
        case quantity::mass:
        case quantity::operating_time:
            return channel_kind::cumulative;
        default:
            return channel_kind::instantaneous;
    }
}

unit default_unit(quantity q, channel_kind k) noexcept {
    const bool rate = k == channel_kind::instantaneous || k == channel_kind::maximum;
    switch (q) {
        case quantity::active_import:
        case quantity::active_export:
        case quantity::active_absolute:
            return rate ? unit::kw : unit::kwh;
        case quantity::reactive_import:
        case quantity::reactive_export:
        case quantity::reactive_q1:
        case quantity::reactive_q2:
        case quantity::reactive_q3:
        case quantity::reactive_q4:
            return rate ? unit::kvar : unit::kvarh;
        case quantity::apparent_import:
        case quantity::apparent_export:
            return rate ? unit::kva : unit::kvah;
        case quantity::power_factor:
            return unit::ratio;
        case quantity::frequency:
            return unit::hertz;
        case quantity::current_l1:
        case quantity::current_l2:
        case quantity::current_l3:
            return unit::ampere;
        case quantity::voltage_l1:
        case quantity::voltage_l2:
        case quantity::voltage_l3:
            return unit::volt;
        case quantity::volume:
            return unit::m3;
        case quantity::heat_energy:
            return unit::gcal;
        case quantity::mass:
            return unit::tonne;
        case quantity::flow_temperature:
        case quantity::return_temperature:
        case quantity::external_temperature:
            return unit::celsius;
        case quantity::temperature_difference:
            return unit::kelvin;
        case quantity::volume_flow:
            return unit::m3_per_hour;
        case quantity::power:
            return unit::kw;
        case quantity::operating_time:
            return unit::hour;
    }
    return unit::ratio;
}

channel channel::main(resource r, register_id tariff) noexcept {
    switch (r) {
        case resource::electricity:
            return channel::of(quantity::active_import, tariff);
        case resource::heat:
            return channel::of(quantity::heat_energy, tariff);
        default:
            return channel::of(quantity::volume, tariff);
    }
}

std::optional<channel> channel::from_code(std::uint32_t code) noexcept {
    const auto q = code >> 24, k = (code >> 16) & 0xff, t = (code >> 8) & 0xff, u = code & 0xff;
    if (q >= quantity_count || k > 3 || t >= register_count || u >= unit_text.names.size())
        return std::nullopt;
    return channel{static_cast<quantity>(q), static_cast<register_id>(t), static_cast<channel_kind>(k),
                   static_cast<unit>(u)};
}

std::string to_string(const channel& c) {
    std::string s(to_string(c.what));
    if (c.kind != default_kind(c.what)) (s += '.') += to_string(c.kind);
    if (c.tariff != register_id::total) (s += '.') += to_string(c.tariff);
    if (c.in != default_unit(c.what, c.kind)) (s += '@') += to_string(c.in);
    return s;
}

std::optional<channel> try_parse_channel(std::string_view text) noexcept {
    if (!text.empty() && text.front() >= '0' && text.front() <= '9') return parse_obis(text);
    std::optional<unit> u;
    if (auto at = text.find('@'); at != std::string_view::npos) {
        u = try_parse_unit(text.substr(at + 1));
        if (!u) return std::nullopt;
        text = text.substr(0, at);
    }
    auto dot = text.find('.');
    const auto q = quantity_text.find(text.substr(0, dot));
    if (!q) return std::nullopt;
    channel c = channel::of(*q);
    bool kind_given = false, tariff_given = false;
    while (dot != std::string_view::npos) {
        text.remove_prefix(dot + 1);
        dot = text.find('.');
        const auto part = text.substr(0, dot);
        if (auto k = channel_kind_text.find(part); k && !kind_given && !tariff_given) {
            c.kind = *k;
            kind_given = true;
        } else if (auto t = register_id_text.find(part); t && *t != register_id::total && !tariff_given) {
            c.tariff = *t;
            tariff_given = true;
        } else {
            return std::nullopt;
        }
    }
    c.in = u ? *u : default_unit(c.what, c.kind);
    return c;
}

channel parse_channel(std::string_view text, location where) {
    if (auto c = try_parse_channel(text)) return *c;
    throw parse_error(errc::invalid_enum,
                      "unknown channel " + excerpt(text) +
                          " (expected a name such as active_import, active_import.t1, heat_energy@GJ, or an "
                          "OBIS code such as 1.8.0; see docs/channels.md)",
                      std::move(where));
}

std::optional<std::string> obis_code(const channel& c) {
    const int cc = obis_c(c.what);
    if (cc == 0 || c.in != default_unit(c.what, c.kind)) return std::nullopt;
    if (!is_energy(c.what) && (c.kind != channel_kind::instantaneous || c.tariff != register_id::total))
        return std::nullopt;
    return std::to_string(cc) + "." + std::to_string(obis_d(c.kind)) + "." +
           std::to_string(static_cast<int>(c.tariff));
}

}  // namespace v0
}  // namespace kvant
