/// \file
/// Link status of meters, as the cabinet's map legend shows it (001 §3.3.2.3): disconnected; last session
/// within 30 minutes, 2 hours, 1 day, 2 days, 1 week, 2 weeks; older than that (or never): no link.
/// Edges are inclusive: a session exactly 30 minutes old is "within 30 minutes". A session stamped after
/// `now` (a meter clock running ahead) counts as within 30 minutes; the anomaly checks report the drift.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/core/time.hpp"
#include "kvant/model/meter.hpp"

namespace kvant {
inline namespace v0 {

enum class link_bucket : std::uint8_t {
    disconnected,  ///< Отключен: removed from service, or switched off by the host
    within_30min,
    within_2h,
    within_1d,
    within_2d,
    within_1w,
    within_2w,
    no_link,  ///< older than two weeks, or never seen
};
inline constexpr std::size_t link_bucket_count = 8;

inline constexpr detail::enum_text<link_bucket, link_bucket_count> link_bucket_text{
    "link bucket",
    {{{link_bucket::disconnected, "disconnected"},
      {link_bucket::within_30min, "30min"},
      {link_bucket::within_2h, "2h"},
      {link_bucket::within_1d, "1d"},
      {link_bucket::within_2d, "2d"},
      {link_bucket::within_1w, "1w"},
      {link_bucket::within_2w, "2w"},
      {link_bucket::no_link, "no_link"}}}};
KVANT_ENUM_TEXT(link_bucket, link_bucket_text)

/// The bucket of one meter: `last_session` is its last contact (its last reading or event), absent if never.
constexpr link_bucket link_status(std::optional<instant> last_session, instant now,
                                  bool disconnected = false) noexcept {
    using std::chrono::hours;
    using std::chrono::minutes;
    if (disconnected) return link_bucket::disconnected;
    if (!last_session) return link_bucket::no_link;
    const auto age = now - *last_session;
    if (age <= minutes{30}) return link_bucket::within_30min;
    if (age <= hours{2}) return link_bucket::within_2h;
    if (age <= hours{24}) return link_bucket::within_1d;
    if (age <= hours{48}) return link_bucket::within_2d;
    if (age <= hours{24 * 7}) return link_bucket::within_1w;
    if (age <= hours{24 * 14}) return link_bucket::within_2w;
    return link_bucket::no_link;
}

/// Whether a meter is out of service at `now` in zone `z`: removed on or before the local date of `now`.
KVANT_API bool removed_at(const meter& m, const zone& z, instant now);

/// Counts per bucket, indexed by link_bucket.
using link_counts = std::array<std::size_t, link_bucket_count>;

/// Meters without coordinates ("Приборы учета без координат, шт.: 11 из 55").
inline std::size_t count_without_coordinates(const std::vector<meter>& meters) noexcept {
    std::size_t n = 0;
    for (const auto& m : meters) n += !(m.latitude && m.longitude);
    return n;
}

}  // namespace v0
}  // namespace kvant
