/// \file
/// The cabinet's map of meters (001 §3.3.2.3, Рисунок 20): meters near each other merged into clusters with
/// their count for a zoom level, each with the breakdown by the map legend's states (meter_state.hpp's
/// meter_status: Отключен, не на контроле, до 30 минут … до 2 недель, не на связи), and the count of meters
/// without coordinates ("11 из 55").
///
/// Clustering is a grid on the Web Mercator plane (EPSG:3857) of the map tiles every web map uses: at zoom
/// z the world is 2^z × 2^z tiles of 256 px, and a cluster is one square cell of `cell_pixels` px (64 by
/// default: 4 × 4 cells a tile), so 2^z × 256 / cell_pixels cells a side. A grid, not distance clustering,
/// because its result depends only on each meter's own position: the same at any input order, and the
/// same cluster for a meter whatever its neighbours. Columns split longitude linearly: column
/// floor((lon + 180) / 360 × n), computed exactly; a column holds [west edge, east edge). Rows follow the
/// Mercator latitude; each row's northern edge, atan(sinh(π (1 − 2 row / n))) in degrees, is rounded half
/// away from zero to 6 decimal places, and a row holds latitudes in (southern edge, northern edge],
/// compared exactly as decimals (floating point only proposes a row; the exact comparisons decide it).
/// Latitudes beyond the Mercator limit (±85.051129) fall in the first or last row; longitude 180 in the
/// last column.
///
/// A cluster's centroid is the mean of its meters' coordinates rounded half to even to 6 places; its bounds
/// are the least and greatest latitude and longitude of its meters (a cell never crosses the antimeridian).
/// The state of a meter is state_of's (meter_state.hpp): disconnected when removed (снят с учёта on or
/// before the local date) or when its relay is off (the latest relay change at or before the instant), else
/// not under control when meter::under_control is false, else its link bucket from its last contact. Which
/// meters are on the map: every meter of the scope installed by the instant (or with no installation date),
/// removed ones included (shown disconnected), as the seed's "11 из 55" counts the organisation's meters.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kvant/algorithms/analytics.hpp"
#include "kvant/algorithms/link_status.hpp"
#include "kvant/algorithms/meter_state.hpp"
#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/fleet.hpp"
#include "kvant/model/relay.hpp"

namespace kvant {
inline namespace v0 {

struct map_options {
    int zoom = 10;             ///< 0..24
    int cell_pixels = 64;      ///< a power of two in 8..256
    std::string organization;  ///< empty: every organisation
};

struct geo_bounds {
    decimal south, west, north, east;  ///< degrees
    friend bool operator==(const geo_bounds&, const geo_bounds&) = default;
};

struct map_cluster {
    std::int64_t column = 0;  ///< the cell's column, from the west (longitude −180)
    std::int64_t row = 0;     ///< the cell's row, from the north
    std::size_t count = 0;
    decimal latitude, longitude;      ///< the centroid
    geo_bounds bounds;                ///< of its meters
    status_counts states{};           ///< meters per legend state, indexed by meter_status
    std::vector<std::string> meters;  ///< serials, in order
};

struct map_view {
    int zoom = 0;
    int cell_pixels = 64;
    std::int64_t cells_per_side = 0;
    instant at;
    std::size_t meters = 0;               ///< meters on the map's scope, with coordinates or not
    std::size_t without_coordinates = 0;  ///< "Приборы учета без координат, шт.: 11 из 55"
    std::optional<geo_bounds> bounds;   ///< of every meter with coordinates: the map scales to it
    status_counts states{};             ///< over every meter of the scope, with coordinates or not
    std::vector<map_cluster> clusters;  ///< by row, then column
    std::vector<std::string> without;   ///< the serials without coordinates, in order
};

/// The cell of a coordinate at a grid of `cells_per_side` (a power of two): {column, row}.
KVANT_API std::pair<std::int64_t, std::int64_t> map_cell(decimal latitude, decimal longitude,
                                                         std::int64_t cells_per_side);
/// The northern edge of a row, as the grid compares it (rounded to 6 places).
KVANT_API decimal map_row_north(std::int64_t row, std::int64_t cells_per_side);

/// The meters of the map in clusters. `last_contacts`: the last contact of meters (the start of the last
/// session that reached it, or the last reading: state_of's rule; any order, the latest per meter counts,
/// one later than `at` as link_status says); `relays`: relay history (any order). Throws config_error(usage)
/// for a zoom or cell size out of range.
KVANT_API map_view cluster_meters(const fleet& f, std::span<const meter_time> last_contacts,
                                  std::span<const relay_change> relays, instant at,
                                  const map_options& options = {});

}  // namespace v0
}  // namespace kvant
