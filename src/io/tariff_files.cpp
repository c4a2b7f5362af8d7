#include "kvant/io/tariff_files.hpp"

#include <filesystem>
#include <map>

#include "kvant/io/csv.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/io/urdb.hpp"
#include "kvant/model/json.hpp"
#include "kvant/model/tariff_json.hpp"
#include "kvant/model/validation.hpp"

namespace kvant {
inline namespace v0 {

std::vector<rate> parse_rates_csv(std::string_view text, const std::string& source) {
    csv_reader rd(text, source);
    std::vector<std::string_view> f;
    if (!rd.next(f))
        throw parse_error(errc::csv_header, "empty file: expected zone,from,price",
                          location{source, 1, "", -1});
    const csv_header h(f, rd.where(), {"zone", "from", "price"}, {"zone", "from", "price"});
    const auto c_zone = static_cast<std::size_t>(h.index("zone")),
               c_from = static_cast<std::size_t>(h.index("from")),
               c_price = static_cast<std::size_t>(h.index("price"));
    std::vector<rate> out;
    // (zone, from) -> (index in out, line): a repeat with the same price is one rate, another price an error
    std::map<std::pair<std::string, calendar_date>, std::pair<std::size_t, std::uint64_t>> seen;
    while (rd.next(f)) {
        if (f.size() != h.size())
            throw parse_error(errc::csv_syntax,
                              "expected " + std::to_string(h.size()) + " fields as in the header, found " +
                                  std::to_string(f.size()),
                              rd.where());
        rate r;
        r.zone = std::string(f[c_zone]);
        if (r.zone.empty()) throw parse_error(errc::missing_field, "zone is empty", rd.where("zone"));
        r.from = parse_date(f[c_from], rd.where("from"));
        if (r.from < plausible_first_date || r.from > plausible_last_date)
            throw validation_error(errc::out_of_range,
                                   to_string(r.from) + " is outside 1900-01-01..2099-12-31",
                                   rd.where("from"));
        r.price = decimal::parse(f[c_price], rd.where("price"));
        if (r.price < decimal{} || r.price > max_rate_price)
            throw validation_error(
                errc::out_of_range,
                "price " + to_string(r.price) + " is outside 0.." + to_string(max_rate_price),
                rd.where("price"));
        const auto [it, fresh] = seen.try_emplace({r.zone, r.from}, out.size(), rd.line());
        if (!fresh) {
            const rate& first = out[it->second.first];
            if (first.price != r.price)
                throw validation_error(errc::duplicate,
                                       "rate " + excerpt(r.zone) + " from " + to_string(r.from) +
                                           " is given twice with different values (first at " + source + ":" +
                                           std::to_string(it->second.second) + ")",
                                       rd.where("price"));
            continue;
        }
        out.push_back(std::move(r));
    }
    return out;
}

schedule_file parse_schedule_file(std::string_view text, const std::string& source) {
    const nlohmann::json j = parse_json(text, source);
    schedule_file out;
    if (j.is_object() && (j.contains("energyweekdayschedule") || j.contains("items"))) {
        auto imp = import_urdb(text, source);
        out.urdb_tiers_dropped = imp.had_tiers;
        for (const auto& [z, price] : imp.rates) out.rates.push_back({z, date::year{1970} / 1 / 1, price});
        out.schedule = std::move(imp.schedule);
        return out;
    }
    out.schedule = from_json_document<tariff_schedule>(j, source);
    return out;
}

schedule_file load_schedule(std::string_view spec, const store* db) {
    if (auto preset = preset_schedule(spec)) return {*preset, {}, false};
    const auto first = spec.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && spec[first] == '{')
        return parse_schedule_file(spec, "schedule JSON");
    const std::string name(spec);
    const auto path = std::filesystem::u8path(name);
    std::error_code ec;
    if (!spec.empty() && std::filesystem::exists(path, ec))
        return parse_schedule_file(read_file(path), name);  // read_file names a file it cannot read
    if (db)
        if (auto stored = db->find<tariff_schedule>(name)) return {std::move(*stored), {}, false};
    throw config_error(errc::config, "schedule " + excerpt(spec) +
                                         " is neither a preset (three-zone, two-zone, single), JSON text, an "
                                         "existing file" +
                                         std::string(db ? " nor a stored schedule's id" : ""));
}

}  // namespace v0
}  // namespace kvant
