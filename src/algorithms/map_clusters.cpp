#include "kvant/algorithms/map_clusters.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "../core/int128.hpp"
#include "kvant/core/calendar.hpp"

namespace kvant {
inline namespace v0 {

namespace {
constexpr std::int64_t deg180 = 180 * decimal::scale;
// the Mercator limit, 85.0511287798…°, where the square world ends
constexpr std::int64_t mercator_limit = 85'051'129;

std::int64_t clamp_index(std::int64_t v, std::int64_t n) {
    return std::clamp<std::int64_t>(v, 0, n - 1);
}

// the mean of raw values rounded half to even
decimal mean(detail::int128 sum, std::size_t n) {
    return decimal::from_raw(decimal::div_round_half_even(sum, static_cast<detail::int128>(n)));
}
}  // namespace

decimal map_row_north(std::int64_t row, std::int64_t cells_per_side) {
    if (row <= 0) return decimal::from_raw(mercator_limit);
    if (row >= cells_per_side) return decimal::from_raw(-mercator_limit);
    const double y =
        std::numbers::pi * (1.0 - 2.0 * static_cast<double>(row) / static_cast<double>(cells_per_side));
    const double degrees = std::atan(std::sinh(y)) * 180.0 / std::numbers::pi;
    return decimal::from_raw(std::llround(degrees * static_cast<double>(decimal::scale)));
}

std::pair<std::int64_t, std::int64_t> map_cell(decimal latitude, decimal longitude, std::int64_t n) {
    // column: exact, [west, east)
    const detail::int128 shifted = static_cast<detail::int128>(longitude.raw()) + deg180;
    std::int64_t column = static_cast<std::int64_t>(shifted * n / (2 * static_cast<detail::int128>(deg180)));
    if (shifted < 0) column = 0;
    column = clamp_index(column, n);
    // row: proposed in floating point, decided by exact comparisons with the rounded edges
    const std::int64_t lat = std::clamp<std::int64_t>(latitude.raw(), -mercator_limit, mercator_limit);
    const double phi = static_cast<double>(lat) / decimal::scale * std::numbers::pi / 180.0;
    const double fraction = (1.0 - std::log(std::tan(phi) + 1.0 / std::cos(phi)) / std::numbers::pi) / 2.0;
    std::int64_t row =
        clamp_index(static_cast<std::int64_t>(std::floor(fraction * static_cast<double>(n))), n);
    const decimal d = decimal::from_raw(lat);
    while (row > 0 && d > map_row_north(row, n)) --row;
    while (row < n - 1 && d <= map_row_north(row + 1, n)) ++row;
    return {column, row};
}

map_view cluster_meters(const fleet& f, std::span<const meter_time> last_contacts,
                        std::span<const relay_change> relays, instant at, const map_options& options) {
    if (options.zoom < 0 || options.zoom > 24)
        throw config_error(errc::usage, "map zoom " + std::to_string(options.zoom) + " is outside 0..24");
    const int px = options.cell_pixels;
    if (px < 8 || px > 256 || (px & (px - 1)) != 0)
        throw config_error(errc::usage,
                           "map cell size " + std::to_string(px) + " px is not a power of two within 8..256");
    map_view v;
    v.zoom = options.zoom;
    v.cell_pixels = px;
    v.cells_per_side = (std::int64_t{1} << options.zoom) * (256 / px);
    v.at = at;

    std::map<std::string_view, instant, std::less<>> last;
    for (const auto& c : last_contacts) {
        auto [it, inserted] = last.emplace(c.meter, c.time);
        if (!inserted && c.time > it->second) it->second = c.time;
    }
    const auto positions = relay_positions_at(relays, at);

    struct acc {
        map_cluster c;
        detail::int128 lat_sum = 0, lon_sum = 0;
    };
    std::map<std::pair<std::int64_t, std::int64_t>, acc> cells;  // keyed (row, column)
    for (const auto& m : f.meters()) {
        if (!options.organization.empty() && organization_id_of(f, m) != options.organization) continue;
        const zone z = f.zone_of(m);
        if (m.installed && *m.installed > local_date(z, at)) continue;
        ++v.meters;
        const auto relay = positions.find(m.serial);
        std::optional<relay_change> in_force;
        if (relay != positions.end())
            in_force = relay_change{m.serial, at, relay->second, relay_reason::unknown, "", ""};
        const auto seen = last.find(m.serial);
        const meter_status state = state_of({&m, z, in_force ? &*in_force : nullptr, nullptr,
                                             seen != last.end() ? std::optional(seen->second) : std::nullopt},
                                            at)
                                       .status;
        ++v.states[static_cast<std::size_t>(state)];
        if (!(m.latitude && m.longitude)) {
            ++v.without_coordinates;
            v.without.push_back(m.serial);
            continue;
        }
        const decimal lat = *m.latitude, lon = *m.longitude;
        if (!v.bounds)
            v.bounds = geo_bounds{lat, lon, lat, lon};
        else
            v.bounds = geo_bounds{std::min(v.bounds->south, lat), std::min(v.bounds->west, lon),
                                  std::max(v.bounds->north, lat), std::max(v.bounds->east, lon)};
        const auto [column, row] = map_cell(lat, lon, v.cells_per_side);
        auto& a = cells[{row, column}];
        if (a.c.count == 0) {
            a.c.column = column;
            a.c.row = row;
            a.c.bounds = {lat, lon, lat, lon};
        } else {
            a.c.bounds = {std::min(a.c.bounds.south, lat), std::min(a.c.bounds.west, lon),
                          std::max(a.c.bounds.north, lat), std::max(a.c.bounds.east, lon)};
        }
        ++a.c.count;
        a.lat_sum += lat.raw();
        a.lon_sum += lon.raw();
        ++a.c.states[static_cast<std::size_t>(state)];
        a.c.meters.push_back(m.serial);
    }
    for (auto& [key, a] : cells) {
        a.c.latitude = mean(a.lat_sum, a.c.count);
        a.c.longitude = mean(a.lon_sum, a.c.count);
        std::sort(a.c.meters.begin(), a.c.meters.end());
        v.clusters.push_back(std::move(a.c));
    }
    std::sort(v.without.begin(), v.without.end());
    return v;
}

}  // namespace v0
}  // namespace kvant
