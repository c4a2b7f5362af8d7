/// \file
/// `kvant::zone`: the time zone in which calendar notions (day, month, tariff zone) are taken. Either an IANA
/// name resolved through Howard Hinnant's date/tz on the system tz database (`Europe/Moscow`), or a fixed
/// offset
/// (`+06:00`, `-03:30`, or minutes east of UTC as 004 shows them: `360`). `UTC` and `Z` are the zero offset.
///
/// Converting local to UTC needs a policy where local time is ambiguous (an autumn hour that repeats) or does
/// not exist (a spring hour that is skipped): see `local_policy`. The defaults used by the calendar helpers
/// are "earliest" for a repeated time and "shift forward to the end of the gap" for a skipped one, so that
/// the start of a local day is always the first instant of that day.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kvant/core/export.hpp"
#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"

namespace date {
class time_zone;
}

namespace kvant {
inline namespace v0 {

/// What to do with a local time that repeats (ambiguous) or is skipped (nonexistent) in a zone.
enum class local_policy : std::uint8_t {
    earliest,  ///< ambiguous: the first occurrence; nonexistent: the instant the gap ends
    latest,    ///< ambiguous: the second occurrence; nonexistent: the instant the gap ends
    reject,    ///< either: throw config_error(invalid_zone) naming the local time and the zone
};
inline constexpr detail::enum_text<local_policy, 3> local_policy_text{"local time policy",
                                                                      {{{local_policy::earliest, "earliest"},
                                                                        {local_policy::latest, "latest"},
                                                                        {local_policy::reject, "reject"}}}};
KVANT_ENUM_TEXT(local_policy, local_policy_text)

class KVANT_API zone {
  public:
    /// UTC.
    zone() noexcept = default;
    static zone utc() noexcept { return zone{}; }
    /// A fixed offset in minutes east of UTC (within ±18 h; config_error otherwise).
    static zone fixed(int minutes_east);
    /// An IANA zone by name (config_error invalid_zone if the tz database has no such zone).
    static zone named(std::string_view iana_name);
    /// Any of the accepted spellings: IANA name, `UTC`, `Z`, `±HH:MM`, `±HHMM`, `±HH`, or integer minutes
    /// east of UTC (`360`, `-180`). A sign followed by exactly 2 or 4 digits is read as ±HH or ±HHMM (ISO
    /// 8601), so
    /// `+0530` is five and a half hours, not 530 minutes.
    static zone parse(std::string_view spec);
    /// Non-throwing parse; nullopt when the text is none of the spellings.
    static std::optional<zone> try_parse(std::string_view spec) noexcept;

    bool is_fixed() const noexcept { return tz_ == nullptr; }
    /// The canonical spelling: the IANA name, or `UTC`, or `+06:00`.
    std::string name() const;
    /// Offset from UTC in force at `t`, in seconds east.
    seconds offset_at(instant t) const;

    local_time to_local(instant t) const;
    instant to_instant(local_time lt, local_policy ambiguous = local_policy::earliest,
                       local_policy nonexistent = local_policy::earliest) const;

    friend bool operator==(const zone& a, const zone& b) noexcept {
        return a.tz_ == b.tz_ && a.offset_minutes_ == b.offset_minutes_;
    }

    /// The UTC offsets of an IANA zone as a table: offset[i] is in force from begin[i] (Unix seconds) to
    /// begin[i + 1]. Built once per zone from the tz database for 1800–2200, immutable, shared by copies.
    struct transitions;

  private:
    const date::time_zone* tz_ = nullptr;
    int offset_minutes_ = 0;
    std::shared_ptr<const transitions> table_;
};

inline std::string to_string(const zone& z) {
    return z.name();
}

}  // namespace v0
}  // namespace kvant
