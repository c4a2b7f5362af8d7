/// \file
/// GeoJSON (RFC 7946) of the cabinet's map: a FeatureCollection with one Point feature per map cluster
/// (algorithms/map_clusters.hpp), a cluster of one meter being that meter.
///
/// - Coordinates are [longitude, latitude] (RFC 7946 §3.1.1), the cluster's centroid; every `bbox` is
///   [west, south, east, north] (§5). Numbers are written from the decimals exactly, as their shortest text
///   ("56.1", "65.55"), never through binary floating point.
/// - A feature's `id` is "zoom/column/row"; its properties: `kind` ("meter" for a cluster of one, else
///   "cluster"), `count`, `meters` (the serials, in order), `states` (meters per legend state, every state
///   named as meter_status's to_string: "disconnected", "not_under_control", "30min", … "no_link"), and for
///   a meter its `state`.
/// - The collection carries, as foreign members (§6.1): `zoom`, `cell_pixels`, `at` (ISO 8601 UTC),
///   `meters` (every meter of the scope), `without_coordinates` and `without` (their serials), and `bbox`
///   of every meter with coordinates (absent when none has any).
#pragma once

#include <iosfwd>
#include <string>

#include "kvant/algorithms/map_clusters.hpp"
#include "kvant/core/export.hpp"

namespace kvant {
inline namespace v0 {

KVANT_API void write_geojson(std::ostream& out, const map_view& view);
KVANT_API std::string to_geojson(const map_view& view);

}  // namespace v0
}  // namespace kvant
