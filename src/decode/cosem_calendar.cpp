// The Activity Calendar and Special Days Table into a tariff_schedule
// (include/kvant/decode/cosem_calendar.hpp); docs/dlms.md ("Activity calendar and journals") describes every
// rule coded here.
#include "kvant/decode/cosem_calendar.hpp"

#include <algorithm>
#include <set>

#include "kvant/core/error.hpp"
#include "kvant/decode/decoded_frame.hpp"

namespace kvant {
inline namespace v0 {
namespace {

std::string found_text(const cosem_node& n) {
    const std::string name(axdr_type_name(n.type));
    const std::string t = name.empty() ? "tag " + std::to_string(int(n.type)) : name;
    switch (n.type) {
        case axdr_type::array:
        case axdr_type::structure:
        case axdr_type::compact_array:
            return (n.type == axdr_type::array ? "an " : "a ") + t + " of " + std::to_string(n.count);
        case axdr_type::octet_string:
        case axdr_type::visible_string:
        case axdr_type::utf8_string:
            return (n.type == axdr_type::octet_string ? "an " : "a ") + t + " of " + std::to_string(n.size) +
                   " bytes";
        default: {
            const char c = t.empty() ? 'x' : t[0];
            const bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
            return (vowel ? "an " : "a ") + t;
        }
    }
}

/// One attribute's parsed value, and the reading of its elements with paths for the errors.
class attribute_reader {
  public:
    attribute_reader(const axdr_value& v, std::string attribute) : attribute_(std::move(attribute)) {
        if (v.nodes.empty()) {
            std::uint32_t pos = 0;
            frame_error e;
            if (!parse_axdr(v.bytes, pos, owned_, &e))
                throw parse_error(errc::parse, attribute_ + ": not an A-XDR value: " + e.message());
            if (pos != v.bytes.size())
                throw parse_error(errc::parse, attribute_ + ": " + std::to_string(v.bytes.size() - pos) +
                                                   " bytes after the value (byte " + std::to_string(pos) +
                                                   ")");
            nodes_ = owned_;
            root_ = 0;
        } else {
            nodes_ = v.nodes;
            root_ = v.node;
            if (root_ >= nodes_.size())
                throw parse_error(errc::parse, attribute_ + ": node " + std::to_string(root_) +
                                                   " is not among the " + std::to_string(nodes_.size()) +
                                                   " nodes given");
        }
        bytes_ = v.bytes;
    }

    std::uint32_t root() const noexcept { return root_; }
    const cosem_node& node(std::uint32_t i) const { return nodes_[i]; }

    [[noreturn]] void fail(const std::string& path, const std::string& expected, std::uint32_t i) const {
        throw parse_error(errc::parse, path + ": expected " + expected + ", found " + found_text(nodes_[i]));
    }
    [[noreturn]] void fail_value(const std::string& path, const std::string& what) const {
        throw parse_error(errc::parse, path + ": " + what);
    }

    /// The children of an array (any count) or a structure of `count` elements.
    std::vector<std::uint32_t> array(std::uint32_t i, const std::string& path) const {
        if (nodes_[i].type != axdr_type::array && nodes_[i].type != axdr_type::compact_array)
            fail(path, "an array", i);
        return children(i);
    }
    std::vector<std::uint32_t> structure(std::uint32_t i, std::uint32_t count,
                                         const std::string& path) const {
        if (nodes_[i].type != axdr_type::structure || nodes_[i].count != count)
            fail(path, "a structure of " + std::to_string(count), i);
        return children(i);
    }
    /// The bytes of an octet-string (or visible-string) of `size` bytes (any size when 0).
    std::span<const std::uint8_t> octets(std::uint32_t i, std::uint32_t size, const std::string& path,
                                         const std::string& what) const {
        const auto& n = nodes_[i];
        if ((n.type != axdr_type::octet_string && n.type != axdr_type::visible_string &&
             n.type != axdr_type::utf8_string) ||
            (size != 0 && n.size != size))
            fail(path, what, i);
        return content(i);
    }
    /// An unsigned integer (unsigned, long-unsigned, double-long-unsigned, enum).
    std::uint64_t unsigned_value(std::uint32_t i, const std::string& path, const std::string& what) const {
        const auto& n = nodes_[i];
        if (n.type != axdr_type::unsigned_ && n.type != axdr_type::long_unsigned &&
            n.type != axdr_type::double_long_unsigned && n.type != axdr_type::enum_)
            fail(path, what, i);
        std::uint64_t v = 0;
        for (auto b : content(i)) v = v << 8 | b;
        return v;
    }
    std::span<const std::uint8_t> content(std::uint32_t i) const {
        const auto& n = nodes_[i];
        if (std::size_t(n.offset) + n.size > bytes_.size())
            fail_value(attribute_, "a node points past the value's bytes");
        return bytes_.subspan(n.offset, n.size);
    }

  private:
    std::vector<std::uint32_t> children(std::uint32_t self) const {
        std::vector<std::uint32_t> out;
        for (std::uint32_t k = self + 1; k < nodes_[self].end && k < nodes_.size(); k = nodes_[k].end) {
            out.push_back(k);
            if (nodes_[k].end <= k) break;  // a malformed tree: never loop
        }
        if (out.size() != nodes_[self].count) fail_value(attribute_, "a node's children do not add up");
        return out;
    }

    std::string attribute_;
    std::vector<cosem_node> owned_;
    std::span<const cosem_node> nodes_;
    std::span<const std::uint8_t> bytes_;
    std::uint32_t root_ = 0;
};

}  // namespace

std::string cosem_name_text(std::span<const std::uint8_t> bytes) {
    const bool printable = !bytes.empty() && std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) {
        return b >= 0x20 && b < 0x7F;
    });
    std::string out;
    if (printable) {
        out.assign(bytes.begin(), bytes.end());
        return out;
    }
    static constexpr char digits[] = "0123456789abcdef";
    for (auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0x0F];
    }
    return out;
}

tariff_schedule schedule_from_calendar(const activity_calendar_values& values,
                                       const calendar_options& options) {
    if (values.season_profile.empty() || values.week_profile_table.empty() ||
        values.day_profile_table.empty())
        throw parse_error(errc::missing_field,
                          "an activity calendar needs its season_profile, week_profile_table and "
                          "day_profile_table");
    tariff_schedule s;
    s.id = options.id;
    schedule_version v;

    // calendar_name
    if (!options.name.empty()) {
        s.name = options.name;
    } else if (!values.calendar_name.empty()) {
        attribute_reader a(values.calendar_name, "calendar_name");
        s.name = cosem_name_text(a.octets(a.root(), 0, "calendar_name", "an octet-string"));
    }

    // day_profile_table: array of {day_id unsigned, day_schedule array of {start_time, script, selector}}
    std::set<unsigned> selectors;
    {
        attribute_reader a(values.day_profile_table, "day_profile_table");
        const auto days = a.array(a.root(), "day_profile_table");
        for (std::size_t d = 0; d < days.size(); ++d) {
            const std::string path = "day_profile_table[" + std::to_string(d) + "]";
            const auto f = a.structure(days[d], 2, path);
            day_profile p;
            p.id = std::to_string(a.unsigned_value(f[0], path + ".day_id", "an unsigned day_id"));
            for (const auto& q : v.days)
                if (q.id == p.id) a.fail_value(path + ".day_id", "day_id " + p.id + " appears twice");
            const auto actions = a.array(f[1], path + ".day_schedule");
            for (std::size_t k = 0; k < actions.size(); ++k) {
                const std::string ap = path + ".day_schedule[" + std::to_string(k) + "]";
                const auto g = a.structure(actions[k], 3, ap);
                const auto t = a.octets(g[0], 4, ap + ".start_time", "a time (an octet-string of 4 bytes)");
                if (t[0] > 23 || t[1] > 59)
                    a.fail_value(ap + ".start_time", "hour " + std::to_string(t[0]) + " minute " +
                                                         std::to_string(t[1]) +
                                                         " is not a time of day (wildcards are not allowed)");
                a.octets(g[1], 6, ap + ".script_logical_name", "a logical name (an octet-string of 6 bytes)");
                const auto sel =
                    a.unsigned_value(g[2], ap + ".script_selector", "a long-unsigned script_selector");
                if (sel < 1 || sel > options.zone_names.size())
                    a.fail_value(ap + ".script_selector",
                                 "script selector " + std::to_string(sel) + " names no zone (1.." +
                                     std::to_string(options.zone_names.size()) + ")");
                selectors.insert(unsigned(sel));
                const int minute = t[0] * 60 + t[1];  // seconds and hundredths are dropped
                p.changes.push_back({minute, options.zone_names[sel - 1]});
            }
            std::stable_sort(p.changes.begin(), p.changes.end(),
                             [](const auto& x, const auto& y) { return x.minute < y.minute; });
            v.days.push_back(std::move(p));
        }
    }

    // week_profile_table: array of {name, day_id × 7}
    {
        attribute_reader a(values.week_profile_table, "week_profile_table");
        const auto weeks = a.array(a.root(), "week_profile_table");
        for (std::size_t w = 0; w < weeks.size(); ++w) {
            const std::string path = "week_profile_table[" + std::to_string(w) + "]";
            const auto f = a.structure(weeks[w], 8, path);
            week_profile p;
            p.id = cosem_name_text(a.octets(f[0], 0, path + ".week_profile_name", "an octet-string name"));
            static constexpr const char* day_names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                                        "friday", "saturday", "sunday"};
            for (int k = 0; k < 7; ++k)
                p.days[k] = std::to_string(
                    a.unsigned_value(f[k + 1], path + "." + day_names[k], "an unsigned day_id"));
            v.weeks.push_back(std::move(p));
        }
    }

    // season_profile: array of {name, season_start date-time, week_name}
    {
        attribute_reader a(values.season_profile, "season_profile");
        const auto seasons = a.array(a.root(), "season_profile");
        for (std::size_t k = 0; k < seasons.size(); ++k) {
            const std::string path = "season_profile[" + std::to_string(k) + "]";
            const auto f = a.structure(seasons[k], 3, path);
            season se;
            se.name =
                cosem_name_text(a.octets(f[0], 0, path + ".season_profile_name", "an octet-string name"));
            const auto t =
                a.octets(f[1], 12, path + ".season_start", "a date-time (an octet-string of 12 bytes)");
            // year (2, ignored: a season starts every year), month, day; the time of day is ignored
            if (t[2] < 1 || t[2] > 12 || t[3] < 1 || t[3] > 31)
                a.fail_value(path + ".season_start",
                             "month " + std::to_string(t[2]) + " day " + std::to_string(t[3]) +
                                 ": a season starts on a given month and day (no wildcard, no daylight "
                                 "saving or last-day code)");
            se.month = t[2];
            se.day = t[3];
            se.week = cosem_name_text(a.octets(f[2], 0, path + ".week_name", "an octet-string name"));
            v.seasons.push_back(std::move(se));
        }
        std::stable_sort(v.seasons.begin(), v.seasons.end(), [](const season& x, const season& y) {
            return std::pair(x.month, x.day) < std::pair(y.month, y.day);
        });
    }

    // special days: array of {index long-unsigned, date octet-string(5), day_id unsigned}
    if (!values.special_days.empty()) {
        attribute_reader a(values.special_days, "special_days_table.entries");
        const auto entries = a.array(a.root(), "entries");
        for (std::size_t k = 0; k < entries.size(); ++k) {
            const std::string path = "entries[" + std::to_string(k) + "]";
            const auto f = a.structure(entries[k], 3, path);
            a.unsigned_value(f[0], path + ".index", "a long-unsigned index");
            const auto d =
                a.octets(f[1], 5, path + ".specialday_date", "a date (an octet-string of 5 bytes)");
            special_day sd;
            const unsigned year = unsigned(d[0]) << 8 | d[1];
            if (year != 0xFFFF) sd.year = int(year);
            if (d[2] < 1 || d[2] > 12 || d[3] < 1 || d[3] > 31)
                a.fail_value(path + ".specialday_date",
                             "month " + std::to_string(d[2]) + " day " + std::to_string(d[3]) +
                                 ": a special day has a given month and day (no wildcard, no daylight saving "
                                 "or last-day code)");
            sd.month = d[2];
            sd.day = d[3];
            sd.day_profile = std::to_string(a.unsigned_value(f[2], path + ".day_id", "an unsigned day_id"));
            v.special_days.push_back(std::move(sd));
        }
    }

    // Day profiles with no switch that nothing names are dropped (a meter's unused table slots).
    std::set<std::string> named;
    for (const auto& w : v.weeks) named.insert(w.days.begin(), w.days.end());
    for (const auto& sd : v.special_days) named.insert(sd.day_profile);
    std::erase_if(v.days, [&](const day_profile& p) { return p.changes.empty() && !named.count(p.id); });

    // Zones: by selector; register k counts the zone of selector k.
    const unsigned highest = selectors.empty() ? 0 : *selectors.rbegin();
    for (unsigned k = 1; k <= highest; ++k) {
        if (selectors.count(k)) s.zones.push_back(options.zone_names[k - 1]);
        s.register_zones.push_back(options.zone_names[k - 1]);
    }
    // a register whose selector no day uses still needs a declared zone
    for (const auto& z : s.register_zones)
        if (std::find(s.zones.begin(), s.zones.end(), z) == s.zones.end()) s.zones.push_back(z);
    s.versions.push_back(std::move(v));
    return s;
}

}  // namespace v0
}  // namespace kvant
