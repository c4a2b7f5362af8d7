#include "kvant/io/urdb.hpp"
#include "kvant/model/json.hpp"

#include <nlohmann/json.hpp>

#include "kvant/core/error.hpp"

namespace kvant {
inline namespace v0 {

namespace {
constexpr long long max_periods = 12 * 24;

[[noreturn]] void fail(const std::string& key, const std::string& what) {
    throw parse_error(errc::json, "URDB: " + what, location{"", 0, key, -1});
}

std::vector<std::vector<int>> matrix(const nlohmann::json& item, const char* key) {
    const auto it = item.find(key);
    if (it == item.end() || !it->is_array() || it->size() != 12) fail(key, "expected 12 months of 24 hours");
    std::vector<std::vector<int>> m;
    for (std::size_t mo = 0; mo < 12; ++mo) {
        const auto& row = (*it)[mo];
        if (!row.is_array() || row.size() != 24)
            fail(std::string(key) + "[" + std::to_string(mo) + "]", "expected 24 hourly period numbers");
        std::vector<int> hours;
        for (std::size_t h = 0; h < 24; ++h) {
            // 12 months of 24 hours hold at most 288 distinct periods: a larger number would only name
            // empty zones (and a huge one would allocate them all)
            if (!row[h].is_number_integer() || row[h].get<long long>() < 0 ||
                row[h].get<long long>() >= max_periods)
                fail(std::string(key) + "[" + std::to_string(mo) + "][" + std::to_string(h) + "]",
                     "expected a period number 0.." + std::to_string(max_periods - 1));
            hours.push_back(row[h].get<int>());
        }
        m.push_back(std::move(hours));
    }
    return m;
}

day_profile profile(const std::string& id, const std::vector<int>& hours) {
    day_profile d{id, {}};
    for (int h = 0; h < 24; ++h)
        if (h == 0 || hours[static_cast<std::size_t>(h)] != hours[static_cast<std::size_t>(h - 1)])
            d.changes.push_back({h * 60, "p" + std::to_string(hours[static_cast<std::size_t>(h)])});
    return d;
}
}  // namespace

urdb_import import_urdb(std::string_view text, const std::string& id) {
    const nlohmann::json doc = parse_json(text, id);
    const nlohmann::json& item =
        doc.contains("items") && doc["items"].is_array() && !doc["items"].empty() ? doc["items"][0] : doc;
    if (!item.is_object()) fail("", "expected a rate object");
    const auto weekday = matrix(item, "energyweekdayschedule");
    const auto weekend = matrix(item, "energyweekendschedule");
    urdb_import out;
    auto& s = out.schedule;
    s.id = id;
    s.name = item.value("name", std::string("URDB ") + id);
    int periods = 0;
    for (const auto* m : {&weekday, &weekend})
        for (const auto& row : *m)
            for (int p : row) periods = std::max(periods, p + 1);
    for (int p = 0; p < periods; ++p) s.zones.push_back("p" + std::to_string(p));
    schedule_version v;
    for (unsigned mo = 0; mo < 12; ++mo) {
        const std::string wd = "m" + std::to_string(mo + 1) + "-weekday",
                          we = "m" + std::to_string(mo + 1) + "-weekend";
        v.days.push_back(profile(wd, weekday[mo]));
        v.days.push_back(profile(we, weekend[mo]));
        week_profile w{"m" + std::to_string(mo + 1), {wd, wd, wd, wd, wd, we, we}};
        v.weeks.push_back(w);
        v.seasons.push_back({"month " + std::to_string(mo + 1), mo + 1, 1, w.id});
    }
    s.versions.push_back(std::move(v));
    if (const auto rs = item.find("energyratestructure"); rs != item.end()) {
        if (!rs->is_array()) fail("energyratestructure", "expected an array of periods");
        for (std::size_t p = 0; p < rs->size(); ++p) {
            const auto& tiers = (*rs)[p];
            if (!tiers.is_array() || tiers.empty() || !tiers[0].contains("rate"))
                fail("energyratestructure[" + std::to_string(p) + "]", "expected tiers with a rate");
            out.had_tiers = out.had_tiers || tiers.size() > 1;
            const auto& r = tiers[0]["rate"];
            // URDB writes rates as JSON numbers; read their shortest decimal text, not the binary value
            decimal d;
            const std::string txt = r.is_string() ? r.get<std::string>() : r.dump();
            if (decimal::try_parse(txt, d) != decimal_status::ok)
                fail("energyratestructure[" + std::to_string(p) + "][0].rate",
                     excerpt(txt) + " is not a decimal rate");
            out.rates.emplace_back("p" + std::to_string(p), d);
        }
    }
    return out;
}

}  // namespace v0
}  // namespace kvant
