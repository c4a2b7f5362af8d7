#include "kvant/core/zone.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include <date/tz.h>

#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {

namespace {
bool is_integer(std::string_view s) {
    if (s.empty()) return false;
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size()) return false;
    for (; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}
constexpr int max_offset_minutes = 18 * 60;
}  // namespace

zone zone::fixed(int minutes_east) {
    if (minutes_east < -max_offset_minutes || minutes_east > max_offset_minutes)
        throw config_error(errc::invalid_zone,
                           "UTC offset of " + std::to_string(minutes_east) + " minutes is beyond ±18 hours");
    zone z;
    z.offset_minutes_ = minutes_east;
    return z;
}

struct zone::transitions {
    std::vector<std::int64_t> begin;   // Unix seconds; begin[0] is the table's start
    std::vector<std::int32_t> offset;  // seconds east of UTC
    std::int64_t end = 0;              // the table covers [begin[0], end)
};

namespace {
constexpr std::int64_t table_from = -5364662400;  // 1800-01-01T00:00:00Z
constexpr std::int64_t table_to = 7258118400;     // 2200-01-01T00:00:00Z

std::shared_ptr<const zone::transitions> build_table(const date::time_zone* tz) {
    auto t = std::make_shared<zone::transitions>();
    instant at = from_unix(table_from);
    while (to_unix(at) < table_to) {
        const auto info = tz->get_info(at);
        t->begin.push_back(to_unix(at));
        t->offset.push_back(static_cast<std::int32_t>(info.offset.count()));
        if (info.end <= at) break;
        at = date::floor<seconds>(info.end);
    }
    t->end = std::min<std::int64_t>(to_unix(at), table_to);
    return t;
}
}  // namespace

zone zone::named(std::string_view name) {
    zone z;
    try {
        z.tz_ = date::locate_zone(name);
    } catch (const std::exception&) {
        throw config_error(errc::invalid_zone,
                           "unknown time zone " + excerpt(name) + " (not in the system tz database)");
    }
    z.table_ = build_table(z.tz_);
    return z;
}

std::optional<zone> zone::try_parse(std::string_view s) noexcept {
    try {
        return parse(s);
    } catch (...) {
        return std::nullopt;
    }
}

zone zone::parse(std::string_view s) {
    if (s.empty()) throw config_error(errc::invalid_zone, "empty time zone");
    if (s == "UTC" || s == "Z" || s == "utc" || s == "Etc/UTC") return utc();
    // A sign with 2 or 4 digits is an ISO 8601 offset (±HH, ±HHMM); any other integer is minutes east (360).
    const bool iso_offset = (s[0] == '+' || s[0] == '-') && (s.size() == 3 || s.size() == 5);
    if (is_integer(s) && !iso_offset) {
        int m = 0;
        const char* b = s.data() + (s[0] == '+' ? 1 : 0);
        const auto r = std::from_chars(b, s.data() + s.size(), m);
        if (r.ec != std::errc{}) throw config_error(errc::invalid_zone, "bad UTC offset " + excerpt(s));
        return fixed(m);
    }
    if (s[0] == '+' || s[0] == '-') {
        int m = 0;
        if (!parse_utc_offset(s, m))
            throw config_error(
                errc::invalid_zone,
                "bad UTC offset " + excerpt(s) + " (expected ±HH:MM, ±HHMM, ±HH or minutes such as 360)");
        return fixed(m);
    }
    return named(s);
}

std::string zone::name() const {
    if (tz_) return std::string(tz_->name());
    if (offset_minutes_ == 0) return "UTC";
    const int a = std::abs(offset_minutes_);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_minutes_ < 0 ? '-' : '+', a / 60, a % 60);
    return buf;
}

seconds zone::offset_at(instant t) const {
    if (!tz_) return seconds{offset_minutes_ * 60};
    const std::int64_t u = to_unix(t);
    if (table_ && u >= table_->begin.front() && u < table_->end) {
        const auto& b = table_->begin;
        const std::size_t j =
            static_cast<std::size_t>(std::upper_bound(b.begin(), b.end(), u) - b.begin()) - 1;
        return seconds{table_->offset[j]};
    }
    return tz_->get_info(t).offset;
}

local_time zone::to_local(instant t) const {
    return local_time{t.time_since_epoch() + offset_at(t)};
}

instant zone::to_instant(local_time lt, local_policy ambiguous, local_policy nonexistent) const {
    if (!tz_) return instant{lt.time_since_epoch() - seconds{offset_minutes_ * 60}};
    const std::int64_t l = lt.time_since_epoch().count();
    if (table_ && l - 86400 >= table_->begin.front() && l + 86400 < table_->end) {
        // the entries whose local span may hold l: offsets stay within a day of UTC
        const auto& b = table_->begin;
        const auto& o = table_->offset;
        const std::size_t n = b.size();
        std::size_t j = static_cast<std::size_t>(std::upper_bound(b.begin(), b.end(), l - 86400) - b.begin());
        j = j ? j - 1 : 0;
        std::int64_t found[2];
        int count = 0;
        std::size_t gap_after = n;  // the entry that starts where l falls in a gap
        for (; j < n && b[j] <= l + 86400; ++j) {
            const std::int64_t u = l - o[j];
            const std::int64_t next = j + 1 < n ? b[j + 1] : table_->end;
            if (u >= b[j] && u < next) {
                if (count < 2) found[count] = u;
                ++count;
            } else if (j + 1 < n && u >= next && l - o[j + 1] < b[j + 1]) {
                gap_after = j + 1;  // l is past this entry's local end and before the next one's local start
            }
        }
        if (count == 1) return from_unix(found[0]);
        if (count >= 2) {
            if (ambiguous == local_policy::reject)
                throw config_error(errc::invalid_zone,
                                   "local time " + date::format("%F %T", lt) + " occurs twice in " + name());
            return from_unix(ambiguous == local_policy::earliest ? found[0] : found[1]);
        }
        if (gap_after < n) {
            if (nonexistent == local_policy::reject)
                throw config_error(errc::invalid_zone, "local time " + date::format("%F %T", lt) +
                                                           " does not exist in " + name());
            return from_unix(b[gap_after]);
        }
    }
    const auto info = tz_->get_info(lt);
    switch (info.result) {
        case date::local_info::unique:
            return instant{lt.time_since_epoch() - info.first.offset};
        case date::local_info::ambiguous:
            if (ambiguous == local_policy::reject)
                throw config_error(errc::invalid_zone,
                                   "local time " + date::format("%F %T", lt) + " occurs twice in " + name());
            return instant{lt.time_since_epoch() -
                           (ambiguous == local_policy::earliest ? info.first.offset : info.second.offset)};
        case date::local_info::nonexistent:
        default:
            if (nonexistent == local_policy::reject)
                throw config_error(errc::invalid_zone, "local time " + date::format("%F %T", lt) +
                                                           " does not exist in " + name());
            return instant{date::floor<seconds>(info.second.begin).time_since_epoch()};
    }
}

}  // namespace v0
}  // namespace kvant
